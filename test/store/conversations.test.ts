import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { MongoConversationStore, PROCESSED_WINDOW } from '../../src/store/conversations.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { ConversationKey, ConversationState } from '../../flows/state.js';

let t: TestDatabase;
let store: MongoConversationStore;
let chat = 0;
const nextKey = (): ConversationKey => ({ channel: 'telegram', chatId: String(++chat) });
const state = (stepId: string, answers: Record<string, unknown> = {}): ConversationState => ({
  flowId: 'intake',
  flowVersion: 1,
  stepId,
  answers,
  locale: 'ru',
  lastActivityAt: new Date('2026-11-23T10:00:00Z'),
});

beforeAll(async () => {
  t = await openTestDatabase('conversations');
  await ensureIndexes(t.db);
  store = new MongoConversationStore(t.db);
});
afterAll(async () => {
  await t.close();
});

describe('conversation state', () => {
  it('starts empty, then keeps what was committed', async () => {
    const key = nextKey();
    const empty = await store.load(key);
    expect(empty.version).toBe(0);
    expect(empty.state).toBeUndefined();
    expect(await store.commit(key, 0, state('kind'), 'u1')).toEqual({ outcome: 'committed', version: 1 });
    expect(await store.commit(key, 1, state('category', { kind: 'claim' }), 'u2')).toEqual({ outcome: 'committed', version: 2 });
    const loaded = await store.load(key);
    expect(loaded.version).toBe(2);
    expect(loaded.state).toEqual(state('category', { kind: 'claim' }));
    expect(await loaded.hasProcessed('u1')).toBe(true);
    expect(await loaded.hasProcessed('u3')).toBe(false);
  });

  it('recognises a redelivered update and changes nothing', async () => {
    const key = nextKey();
    await store.commit(key, 0, state('kind'), 'u1');
    await store.commit(key, 1, state('category'), 'u2');
    expect(await store.commit(key, 2, state('WRONG'), 'u2')).toEqual({ outcome: 'duplicate' });
    expect(await store.commit(key, 0, state('WRONG'), 'u1')).toEqual({ outcome: 'duplicate' });
    const loaded = await store.load(key);
    expect(loaded.version).toBe(2);
    expect(loaded.state?.stepId).toBe('category');
  });

  it('refuses a save on a stale version as a conflict', async () => {
    const key = nextKey();
    await store.commit(key, 0, state('kind'), 'u1');
    await store.commit(key, 1, state('category'), 'u2');
    expect(await store.commit(key, 1, state('WRONG'), 'u3')).toEqual({ outcome: 'conflict' });
    expect(await store.commit(key, 0, state('WRONG'), 'u4')).toEqual({ outcome: 'conflict' });
    expect((await store.load(key)).state?.stepId).toBe('category');
  });

  it('lets one of many simultaneous saves win, and handles one update once however often it races', async () => {
    const key = nextKey();
    await store.commit(key, 0, state('kind'), 'u0');
    const different = await Promise.all(Array.from({ length: 10 }, (_, i) => store.commit(key, 1, state(`s${i}`), `d${i}`)));
    expect(different.filter((r) => r.outcome === 'committed')).toHaveLength(1);
    expect(different.filter((r) => r.outcome === 'conflict')).toHaveLength(9);

    const fresh = nextKey();
    const same = await Promise.all(Array.from({ length: 10 }, () => store.commit(fresh, 0, state('kind'), 'same')));
    expect(same.filter((r) => r.outcome === 'committed')).toHaveLength(1);
    expect(same.filter((r) => r.outcome === 'duplicate')).toHaveLength(9);
  });

  it('recognises every update it handled, however many came after: the oldest move out of the document, never away', async () => {
    const key = nextKey();
    let version = 0;
    const total = 3 * PROCESSED_WINDOW + 7;
    for (let i = 0; i < total; i++) {
      const result = await store.commit(key, version, state('kind'), `w${i}`);
      if (result.outcome !== 'committed') throw new Error(`unexpected ${result.outcome}`);
      version = result.version;
    }
    const loaded = await store.load(key);
    for (const id of ['w0', 'w4', 'w99', 'w100', `w${2 * PROCESSED_WINDOW}`, `w${total - 1}`]) expect(await loaded.hasProcessed(id), id).toBe(true);
    expect(await loaded.hasProcessed(`w${total}`)).toBe(false);
    const doc = await t.db.collection<{ _id: string; processed: string[] }>('conversations').findOne({ _id: `${key.channel}:${key.chatId}` });
    expect(doc?.processed.length).toBeLessThanOrEqual(2 * PROCESSED_WINDOW);
    expect(await t.db.collection('processed_updates').countDocuments({ conversationId: `${key.channel}:${key.chatId}` })).toBeGreaterThanOrEqual(total - 2 * PROCESSED_WINDOW);
  });

  it('stores operator-looking answers as plain values and drops a cleared locale', async () => {
    const key = nextKey();
    const answers = { description: '{"$gt": ""}', product: '$where', note: '<b>*_`[x](y)' };
    await store.commit(key, 0, state('confirm', answers), 'u1');
    await store.commit(key, 1, { ...state('confirm', answers), locale: undefined }, 'u2');
    const loaded = await store.load(key);
    expect(loaded.state?.answers).toEqual(answers);
    expect(loaded.state?.locale).toBeUndefined();
  });

  it('keeps chats apart, also across channels with the same chat id', async () => {
    await store.commit({ channel: 'telegram', chatId: 'same' }, 0, state('kind'), 'x');
    await store.commit({ channel: 'slack', chatId: 'same' }, 0, state('description'), 'x');
    expect((await store.load({ channel: 'telegram', chatId: 'same' })).state?.stepId).toBe('kind');
    expect((await store.load({ channel: 'slack', chatId: 'same' })).state?.stepId).toBe('description');
  });

  it('keeps replies in an outbox with the state change until they are marked sent', async () => {
    const key = nextKey();
    const outbox = { updateId: 'u1', to: { channel: 'telegram', chatId: key.chatId }, messages: [{ text: 'hello', expects: 'none' }] } as const;
    await store.commit(key, 0, state('kind'), 'u1', outbox);
    expect((await store.load(key)).outbox).toEqual(outbox);
    await store.clearOutbox(key, 'other-update');
    expect((await store.load(key)).outbox).toEqual(outbox);
    await store.clearOutbox(key, 'u1');
    expect((await store.load(key)).outbox).toBeUndefined();
    // a later commit without replies leaves no outbox behind
    await store.commit(key, 1, state('category'), 'u2', { ...outbox, updateId: 'u2' });
    await store.commit(key, 2, state('product'), 'u3');
    expect((await store.load(key)).outbox).toBeUndefined();
  });

  it('clears asked for at once are written together, each only where its own replies still stand', async () => {
    const monitored = await MongoClient.connect(t.uri, { monitorCommands: true });
    try {
      const grouped = new MongoConversationStore(monitored.db(t.db.databaseName));
      const keys = Array.from({ length: 40 }, nextKey);
      const outboxOf = (key: ConversationKey, updateId: string) => ({ updateId, to: { channel: 'telegram' as const, chatId: key.chatId }, messages: [{ text: 'hi', expects: 'none' as const }] });
      for (const key of keys) await grouped.commit(key, 0, state('kind'), 'u1', outboxOf(key, 'u1'));
      // the last chat moved on: its outbox is now that of u2, which a late clear of u1 must not touch
      const movedOn = keys.at(-1) ?? nextKey();
      await grouped.commit(movedOn, 1, state('category'), 'u2', outboxOf(movedOn, 'u2'));
      let updates = 0;
      monitored.on('commandStarted', (event) => {
        if (event.commandName === 'update') updates++;
      });
      await Promise.all(keys.map((key) => grouped.clearOutbox(key, 'u1')));
      expect(updates).toBeLessThan(keys.length / 4);
      for (const key of keys.slice(0, -1)) expect((await grouped.load(key)).outbox).toBeUndefined();
      expect((await grouped.load(movedOn)).outbox?.updateId).toBe('u2');
    } finally {
      await monitored.close();
    }
  });

  it('a failed write fails every clear it carried, and none is left waiting', async () => {
    const client = await MongoClient.connect(t.uri);
    const grouped = new MongoConversationStore(client.db(t.db.databaseName));
    const key = nextKey();
    await grouped.commit(key, 0, state('kind'), 'u1', { updateId: 'u1', to: { channel: 'telegram', chatId: key.chatId }, messages: [{ text: 'hi', expects: 'none' }] });
    await client.close();
    const settled = await Promise.allSettled([grouped.clearOutbox(key, 'u1'), grouped.clearOutbox(nextKey(), 'u1'), grouped.clearOutbox(nextKey(), 'u1')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((await store.load(key)).outbox?.updateId).toBe('u1');
  });

  it('lists conversations idle in a dialog since before a time, oldest first', async () => {
    const old = nextKey();
    const older = nextKey();
    const recent = nextKey();
    const between = nextKey();
    const at = (iso: string, flowId: string | null = 'intake'): ConversationState => ({ ...state('kind'), flowId, lastActivityAt: new Date(iso) });
    await store.commit(old, 0, at('2020-01-01T10:00:00Z'), 'i');
    await store.commit(older, 0, at('2020-01-01T09:00:00Z'), 'i');
    await store.commit(recent, 0, at('2020-01-01T12:00:00Z'), 'i');
    await store.commit(between, 0, at('2020-01-01T08:00:00Z', null), 'i');
    const idle = await store.listIdle(new Date('2020-01-01T11:00:00Z'), 10);
    expect(idle).toEqual([older, old]);
    expect(await store.listIdle(new Date('2020-01-01T11:00:00Z'), 1)).toEqual([older]);
  });
});
