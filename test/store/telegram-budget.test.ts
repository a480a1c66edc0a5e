import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { TelegramBudgetStore } from '../../src/store/telegram-budget.js';
import { COLLECTIONS, ensureIndexes } from '../../src/store/collections.js';
import { TelegramPacer } from '../../adapters/telegram/pacer.js';
import { SharedTelegramBudget } from '../../adapters/telegram/shared-budget.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('tgbudget');
  await ensureIndexes(t.db);
});
afterAll(async () => {
  await t.close();
});

describe('the Telegram chat slots (store)', () => {
  it('of 20 instances taking one chat\'s slot at once exactly one gets it; the others get it once it is freed', async () => {
    const store = new TelegramBudgetStore(t.db);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => store.tryTake('chat-1', 60_000)));
    const winners = tokens.filter((token) => token !== undefined);
    expect(winners).toHaveLength(1);
    expect(await store.tryTake('chat-1', 60_000)).toBeUndefined();
    await store.release('chat-1', 'not-the-holder');
    expect(await store.tryTake('chat-1', 60_000)).toBeUndefined();
    await store.release('chat-1', winners[0] as string);
    const again = await Promise.all(Array.from({ length: 20 }, () => store.tryTake('chat-1', 60_000)));
    expect(again.filter((token) => token !== undefined)).toHaveLength(1);
  });

  it('a slot whose holder died is free once its hold ran out', async () => {
    let now = new Date('2026-12-03T10:00:00Z');
    const store = new TelegramBudgetStore(t.db, () => now);
    expect(await store.tryTake('chat-2', 120_000)).toBeDefined();
    now = new Date(now.getTime() + 119_000);
    expect(await store.tryTake('chat-2', 120_000)).toBeUndefined();
    now = new Date(now.getTime() + 1_000);
    expect(await store.tryTake('chat-2', 120_000)).toBeDefined();
  });

  it('housekeeping deletes the slots of chats idle since the cut-off, and no other', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const store = new TelegramBudgetStore(t.db, () => now);
    const old = await store.tryTake('idle-chat', 120_000);
    await store.release('idle-chat', old as string);
    now = new Date('2026-12-03T10:00:00Z');
    await store.tryTake('busy-chat', 120_000);
    const pruned = await store.pruneChatSlots(new Date('2026-12-02T10:00:00Z'));
    expect(pruned).toBe(1);
    const left = await t.db.collection(COLLECTIONS.telegramChatSlots).find({ _id: { $in: ['idle-chat', 'busy-chat'] } as never }).toArray();
    expect(left.map((slot) => slot._id)).toEqual(['busy-chat']);
  });
});

describe('the Telegram budget heartbeats (store)', () => {
  it('a heartbeat advances only from the sequence it holds; a dead member is removed only at the sequence seen', async () => {
    const store = new TelegramBudgetStore(t.db);
    await t.db.collection(COLLECTIONS.telegramInstances).deleteMany({});
    await store.join('x');
    expect(await store.beat('x', 0, { peers: ['x'], share: 30 })).toBe(true);
    expect(await store.beat('x', 0, { peers: ['x'], share: 30 })).toBe(false);
    expect(await store.members()).toEqual([{ id: 'x', seq: 1, peers: ['x'], share: 30 }]);
    await store.remove('x', 0); // stale: it moved on since
    expect(await store.members()).toHaveLength(1);
    await store.remove('x', 1);
    expect(await store.members()).toHaveLength(0);
    expect(await store.beat('x', 1, { peers: ['x'], share: 30 })).toBe(false);
  });
});

/** A clock the test moves; timers are not used (the test steps the heartbeats). */
const manualClock = () => {
  const clock = { t: 0, now: () => clock.t };
  return clock;
};

describe('the shared Telegram budget on the database (heartbeats stepped by hand)', () => {
  it('a newcomer gets no share until the others counted it and drained; shares then add up to the budget at most', async () => {
    await t.db.collection(COLLECTIONS.telegramInstances).deleteMany({});
    const clock = manualClock();
    const store = new TelegramBudgetStore(t.db);
    const instance = () => {
      const pacer = new TelegramPacer({ perSecond: 30, now: clock.now });
      return { pacer, budget: new SharedTelegramBudget({ pacer, members: store, now: clock.now }) };
    };
    const a = instance();
    const b = instance();
    expect(a.pacer.share).toBe(0); // nothing is ours before the first heartbeat
    await a.budget.beat();
    expect(a.pacer.share).toBe(30); // alone
    await b.budget.beat();
    expect(b.pacer.share).toBe(0); // a has not counted b yet
    clock.t += 1_000;
    await a.budget.beat();
    expect(a.pacer.share).toBe(15);
    await b.budget.beat();
    expect(b.pacer.share).toBe(15);
    expect(a.pacer.share + b.pacer.share).toBeLessThanOrEqual(30);

    // a third: the two make room before it sends
    const c = instance();
    await c.budget.beat();
    expect(c.pacer.share).toBe(0);
    clock.t += 1_000;
    await a.budget.beat();
    await c.budget.beat();
    expect(c.pacer.share).toBe(0); // b has not counted it yet
    expect(a.pacer.share).toBe(10);
    await b.budget.beat();
    await c.budget.beat();
    expect([a.pacer.share, b.pacer.share, c.pacer.share]).toEqual([10, 10, 10]);

    // b leaves cleanly: a and c take its share at their next heartbeats
    await b.budget.stop();
    clock.t += 1_000;
    await a.budget.beat();
    await c.budget.beat();
    expect([a.pacer.share, c.pacer.share]).toEqual([15, 15]);
    await a.budget.stop();
    await c.budget.stop();
    expect(await store.members()).toEqual([]);
  });

  it('an instance publishes its old share while messages let go under it are still in its window: a newcomer waits for them', async () => {
    await t.db.collection(COLLECTIONS.telegramInstances).deleteMany({});
    const clock = manualClock();
    const store = new TelegramBudgetStore(t.db);
    const make = () => {
      const pacer = new TelegramPacer({ perSecond: 30, now: clock.now });
      return { pacer, budget: new SharedTelegramBudget({ pacer, members: store, now: clock.now }) };
    };
    const a = make();
    await a.budget.beat();
    expect(a.pacer.share).toBe(30);
    // a lets go 20 bulk messages (one every 40 ms), still in flight
    const permits = [];
    for (let i = 0; i < 20; i++) {
      clock.t += 40;
      permits.push(await a.pacer.bulk(`chat-${String(i)}`));
    }
    const b = make();
    await b.budget.beat();
    await a.budget.beat(); // counts b: its share drops to 15 at once, but 20 may still reach Telegram
    expect(a.pacer.share).toBe(15);
    await b.budget.beat();
    expect(b.pacer.share).toBe(0);
    for (const permit of permits) permit.done();
    clock.t += 500;
    await a.budget.beat();
    await b.budget.beat();
    expect(b.pacer.share).toBe(0); // settled less than a second ago: they still count
    clock.t += 600;
    await a.budget.beat();
    await b.budget.beat();
    expect([a.pacer.share, b.pacer.share]).toEqual([15, 15]);
    await a.budget.stop();
    await b.budget.stop();
  });

  it('an instance whose heartbeats stop stops sending bulk on its own before the others count it dead and take its share', async () => {
    await t.db.collection(COLLECTIONS.telegramInstances).deleteMany({});
    const clock = manualClock();
    const store = new TelegramBudgetStore(t.db);
    const make = () => {
      const pacer = new TelegramPacer({ perSecond: 30, now: clock.now });
      return { pacer, budget: new SharedTelegramBudget({ pacer, members: store, now: clock.now, beatMs: 2_000 }) };
    };
    const a = make();
    const b = make();
    await a.budget.beat();
    await b.budget.beat();
    await a.budget.beat();
    await b.budget.beat();
    expect([a.pacer.share, b.pacer.share]).toEqual([15, 15]);
    // b stops writing heartbeats (cut off from the database, frozen): its share lapses 3.5 s after its last one was sent
    for (let i = 0; i < 4; i++) {
      clock.t += 1_000;
      await a.budget.beat();
      expect(a.pacer.share).toBe(15); // b is not counted dead yet
    }
    expect(b.pacer.share).toBe(0);
    // a counts it dead 6 s after it last saw its heartbeat move (its read at 1 s), and only then takes the whole budget
    clock.t = 6_999;
    await a.budget.beat();
    expect(a.pacer.share).toBe(15);
    clock.t = 7_000;
    await a.budget.beat();
    expect(a.pacer.share).toBe(30);
    expect((await store.members()).map((m) => m.id)).toEqual([a.budget.instanceId]);
    // b comes back: its heartbeat finds its document gone, so it joins again as a newcomer
    const oldId = b.budget.instanceId;
    await b.budget.beat();
    expect(b.budget.instanceId).not.toBe(oldId);
    expect(b.pacer.share).toBe(0);
    await b.budget.beat();
    expect(b.pacer.share).toBe(0);
    clock.t += 500;
    await a.budget.beat();
    await b.budget.beat();
    expect([a.pacer.share, b.pacer.share]).toEqual([15, 15]);
    await a.budget.stop();
    await b.budget.stop();
  });
});
