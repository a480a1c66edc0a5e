import { describe, expect, it } from 'vitest';
import { TelegramPacer, type ChatSlots, type TelegramPacerOptions } from '../../adapters/telegram/pacer.js';
import { TelegramApiError, TelegramSender, type TelegramTransport } from '../../adapters/telegram/sender.js';
import type { TelegramDocument, TelegramMessage } from '../../adapters/telegram/outbound.js';

/** A clock that moves only when told; `sleep` resolves when the clock passes its time. */
class FakeClock {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  now = (): number => this.t;
  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.t + ms, resolve });
    });

  /** Moves the clock forward, firing every timer due on the way (in time order) and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
    }
    this.t = end;
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Arrival {
  readonly chatId: string;
  readonly seq: number;
  readonly at: number;
}

/** A pacer on a fake clock and a simulated Bot API: a call arrives halfway through its latency. */
function harness(options: TelegramPacerOptions = {}, latencyMs = 20) {
  const clock = new FakeClock();
  const pacer = new TelegramPacer({ now: clock.now, sleep: clock.sleep, ...options });
  const arrivals: Arrival[] = [];
  let seq = 0;
  const call = async (chatId: string, permit: { done(): void }, n: number) => {
    await clock.sleep(latencyMs / 2);
    arrivals.push({ chatId, seq: n, at: clock.now() });
    await clock.sleep(latencyMs / 2);
    permit.done();
  };
  return {
    clock,
    pacer,
    arrivals,
    bulk: (chatId: string) => {
      const n = seq++;
      return pacer.bulk(chatId).then((permit) => call(chatId, permit, n));
    },
    reply: (chatId: string) => {
      const n = seq++;
      return call(chatId, pacer.reply(chatId), n);
    },
  };
}

/** The most arrivals in any 1-second window [t, t + 1000). */
function maxInWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function minGapPerChat(arrivals: readonly Arrival[]): number {
  const last = new Map<string, number>();
  let min = Number.POSITIVE_INFINITY;
  for (const a of [...arrivals].sort((x, y) => x.at - y.at)) {
    const previous = last.get(a.chatId);
    if (previous !== undefined) min = Math.min(min, a.at - previous);
    last.set(a.chatId, a.at);
  }
  return min;
}

describe('the Telegram pacer (fake clock)', () => {
  it('keeps any 1-second window at 30 or fewer, and still sends at close to 30 per second', async () => {
    const h = harness({}, 20);
    const all = Array.from({ length: 300 }, (_, i) => h.bulk(`chat-${String(i)}`));
    await h.clock.advance(12_000);
    await Promise.all(all);
    expect(h.arrivals).toHaveLength(300);
    expect(maxInWindow(h.arrivals.map((a) => a.at))).toBeLessThanOrEqual(30);
    const times = h.arrivals.map((a) => a.at);
    const rate = ((times.length - 1) / (Math.max(...times) - Math.min(...times))) * 1000;
    // spread one every 33 ms; each holds its place for latency + 1 s + margin, so ≈ 29.3 per second
    expect(rate).toBeGreaterThanOrEqual(28.5);
    expect(rate).toBeLessThanOrEqual(30);
  });

  it('a lower budget is honoured the same way', async () => {
    const h = harness({ perSecond: 5 }, 10);
    const all = Array.from({ length: 40 }, (_, i) => h.bulk(String(i)));
    await h.clock.advance(10_000);
    await Promise.all(all);
    expect(maxInWindow(h.arrivals.map((a) => a.at))).toBeLessThanOrEqual(5);
  });

  it('spaces bulk messages to one chat by more than a second, in the order they were asked for', async () => {
    const h = harness({}, 30);
    const all = Array.from({ length: 6 }, () => h.bulk('42'));
    await h.clock.advance(10_000);
    await Promise.all(all);
    expect(h.arrivals.map((a) => a.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(minGapPerChat(h.arrivals)).toBeGreaterThanOrEqual(1000);
  });

  it('a chat that must wait holds up nobody else', async () => {
    const h = harness({}, 10);
    const first = [h.bulk('a'), h.bulk('a'), h.bulk('b')];
    await h.clock.advance(50);
    // the second message to a waits for its second; b went at once
    expect(h.arrivals.map((a) => a.chatId)).toEqual(['a', 'b']);
    await h.clock.advance(2_000);
    await Promise.all(first);
    expect(h.arrivals.map((a) => a.chatId)).toEqual(['a', 'b', 'a']);
  });

  it('a dialog reply never waits, even with the budget spent and its chat just written to', async () => {
    const h = harness({ perSecond: 3 }, 20);
    const bulk = [h.bulk('1'), h.bulk('2'), h.bulk('3'), h.bulk('4')];
    await h.clock.advance(700);
    expect(h.pacer.queued).toBe(1); // the budget of 3 is spent (one every 333 ms)
    const before = h.clock.now();
    const permit = h.pacer.reply('1'); // synchronous: no promise to wait on
    expect(h.clock.now()).toBe(before);
    permit.done();
    void h.reply('1');
    await h.clock.advance(5_000);
    await Promise.all(bulk);
    expect(h.arrivals.filter((a) => a.chatId === '1')).toHaveLength(2);
  });

  it('replies take from the budget: bulk messages back off while dialogs are busy', async () => {
    const h = harness({ perSecond: 10 }, 20);
    const replies = Array.from({ length: 10 }, (_, i) => h.reply(`dialog-${String(i)}`));
    const bulk = h.bulk('news');
    await h.clock.advance(500);
    expect(h.arrivals.some((a) => a.chatId === 'news')).toBe(false);
    await h.clock.advance(1_000);
    await Promise.all([...replies, bulk]);
    const news = h.arrivals.find((a) => a.chatId === 'news');
    expect(news?.at).toBeGreaterThanOrEqual(1000);
    expect(maxInWindow(h.arrivals.map((a) => a.at))).toBeLessThanOrEqual(10);
  });

  it('a notification right after a reply to the same chat waits its second', async () => {
    const h = harness({}, 20);
    const reply = h.reply('7');
    await h.clock.advance(1);
    const bulk = h.bulk('7');
    await h.clock.advance(3_000);
    await Promise.all([reply, bulk]);
    expect(h.arrivals).toHaveLength(2);
    expect(minGapPerChat(h.arrivals)).toBeGreaterThanOrEqual(1000);
  });

  it('forgets idle chats, so thousands of chats do not pile up', async () => {
    const h = harness({ perSecond: 30 }, 2);
    const all = Array.from({ length: 1_200 }, (_, i) => h.bulk(`c${String(i)}`));
    await h.clock.advance(60_000);
    await Promise.all(all);
    expect(h.arrivals).toHaveLength(1_200);
    expect((h.pacer as unknown as { chats: Map<string, unknown> }).chats.size).toBeLessThan(1_200);
  });
});

/** The chat slots of the desk's other instances, on the fake clock: what was taken, freed, and when. */
class SlotsOnClock implements ChatSlots {
  readonly held = new Map<string, string>();
  readonly log: { what: 'take' | 'refused' | 'release'; chatId: string; at: number }[] = [];
  private n = 0;
  constructor(private readonly clock: FakeClock) {}
  tryTake(chatId: string): Promise<string | undefined> {
    if (this.held.has(chatId)) {
      this.log.push({ what: 'refused', chatId, at: this.clock.now() });
      return Promise.resolve(undefined);
    }
    const token = `t${String(++this.n)}`;
    this.held.set(chatId, token);
    this.log.push({ what: 'take', chatId, at: this.clock.now() });
    return Promise.resolve(token);
  }
  release(chatId: string, token: string): Promise<void> {
    if (this.held.get(chatId) === token) this.held.delete(chatId);
    this.log.push({ what: 'release', chatId, at: this.clock.now() });
    return Promise.resolve();
  }
}

describe('the Telegram pacer with a share of a desk-wide budget (fake clock)', () => {
  it('enforces its share over the sliding window, spread one every 1000 / share ms', async () => {
    const h = harness({ perSecond: 30 }, 20);
    h.pacer.setShare(10);
    const all = Array.from({ length: 60 }, (_, i) => h.bulk(`c${String(i)}`));
    await h.clock.advance(10_000);
    await Promise.all(all);
    expect(h.arrivals).toHaveLength(60);
    expect(maxInWindow(h.arrivals.map((a) => a.at))).toBeLessThanOrEqual(10);
    const times = h.arrivals.map((a) => a.at).sort((a, b) => a - b);
    // spread: after the first, one every 100 ms (not ten at once)
    expect((times[5] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(400);
  });

  it('a share of 0 holds bulk messages (replies still go at once); a new share lets them go', async () => {
    const h = harness({ perSecond: 30 }, 20);
    h.pacer.setShare(0);
    const bulk = h.bulk('n');
    await h.clock.advance(3_000);
    expect(h.arrivals).toHaveLength(0);
    const permit = h.pacer.reply('r'); // synchronous, whatever the share
    permit.done();
    h.pacer.setShare(5);
    await h.clock.advance(100);
    await bulk;
    expect(h.arrivals.map((a) => a.chatId)).toEqual(['n']);
  });

  it('a share lapses at the end of its lease: bulk messages wait for the next heartbeat', async () => {
    const h = harness({ perSecond: 30 }, 20);
    h.pacer.setShare(30, 1_000); // held until the clock reads 1000
    const first = h.bulk('a');
    await h.clock.advance(1_500);
    await first;
    expect(h.pacer.share).toBe(0);
    const late = h.bulk('b');
    await h.clock.advance(2_000);
    expect(h.arrivals.map((a) => a.chatId)).toEqual(['a']);
    h.pacer.setShare(30, 10_000);
    await h.clock.advance(100);
    await late;
    expect(h.arrivals.map((a) => a.chatId)).toEqual(['a', 'b']);
  });

  it('counts bulk messages in the window apart from replies, until a window after they settled', async () => {
    const h = harness({ perSecond: 30 }, 20);
    const bulk = [h.bulk('a'), h.bulk('b'), h.bulk('c')];
    void h.reply('d');
    await h.clock.advance(200);
    await Promise.all(bulk);
    expect(h.pacer.bulkInWindow()).toBe(3);
    await h.clock.advance(1_000);
    expect(h.pacer.bulkInWindow()).toBe(0);
  });

  it('takes the chat\'s shared slot before a bulk message and frees it a chat interval after the call settled; replies never touch it', async () => {
    const clock = new FakeClock();
    const slots = new SlotsOnClock(clock);
    const pacer = new TelegramPacer({ now: clock.now, sleep: clock.sleep, chatSlots: slots });
    pacer.reply('42').done();
    expect(slots.log).toEqual([]);
    const sent: number[] = [];
    const one = pacer.bulk('42').then(async (permit) => {
      sent.push(clock.now());
      await clock.sleep(20);
      permit.done();
    });
    await clock.advance(3_000);
    await one;
    expect(slots.log.map((entry) => entry.what)).toEqual(['take', 'release']);
    // freed one interval (+ margin) after the settle at sent + 20 ms, on this process's clock
    expect((slots.log[1]?.at ?? 0) - (sent[0] ?? 0)).toBe(20 + 1000 + 5);
  });

  it('a chat another instance holds waits until it is freed there, and holds up no other chat', async () => {
    const clock = new FakeClock();
    const slots = new SlotsOnClock(clock);
    slots.held.set('42', 'elsewhere');
    const pacer = new TelegramPacer({ now: clock.now, sleep: clock.sleep, chatSlots: slots });
    const sent: string[] = [];
    const send = (chatId: string) => pacer.bulk(chatId).then((permit) => {
      sent.push(chatId);
      permit.done();
    });
    const held = send('42');
    const free = send('7');
    await clock.advance(500);
    expect(sent).toEqual(['7']);
    await clock.advance(1_000);
    expect(sent).toEqual(['7']);
    await slots.release('42', 'elsewhere');
    await clock.advance(1_100);
    await Promise.all([held, free]);
    expect(sent).toEqual(['7', '42']);
    expect(slots.log.filter((entry) => entry.what === 'refused').length).toBeGreaterThan(1);
  });

  it('a turn that comes after half the slot\'s hold is given back and the chat taken afresh, so the hold never runs out under a send', async () => {
    const clock = new FakeClock();
    const slots = new SlotsOnClock(clock);
    const pacer = new TelegramPacer({ now: clock.now, sleep: clock.sleep, chatSlots: slots, chatSlotHoldMs: 2_000 });
    pacer.setShare(0); // no share for now (the budget's heartbeat has not admitted this instance)
    let sentAt: number | undefined;
    const bulk = pacer.bulk('42').then((permit) => {
      sentAt = clock.now();
      permit.done();
    });
    await clock.advance(1_500);
    pacer.setShare(30);
    await clock.advance(5_000);
    await bulk;
    expect(slots.log.filter((entry) => entry.what !== 'refused').map((entry) => entry.what)).toEqual(['take', 'release', 'take', 'release']);
    const lastTake = slots.log.filter((entry) => entry.what === 'take').at(-1)?.at ?? 0;
    expect((sentAt ?? 0) - lastTake).toBeLessThan(1_000);
  });

  it('quiet() resolves once nothing counts any more: calls settled, the window passed, slots freed', async () => {
    const clock = new FakeClock();
    const slots = new SlotsOnClock(clock);
    const pacer = new TelegramPacer({ now: clock.now, sleep: clock.sleep, chatSlots: slots });
    const permit = await (async () => {
      const pending = pacer.bulk('1');
      await clock.advance(1);
      return pending;
    })();
    let quiet = false;
    void pacer.quiet(10_000).then(() => {
      quiet = true;
    });
    await clock.advance(500);
    expect(quiet).toBe(false); // in flight
    permit.done();
    await clock.advance(900);
    expect(quiet).toBe(false); // settled less than a window ago
    await clock.advance(300);
    expect(quiet).toBe(true);
    expect(slots.held.size).toBe(0);
  });
});

describe('the Telegram sender and the pacer', () => {
  class RecordingTransport implements TelegramTransport {
    readonly calls: { chatId: string; at: number }[] = [];
    failNext: TelegramApiError | undefined;
    constructor(private readonly clock: FakeClock) {}
    sendMessage(chatId: string, _message: TelegramMessage): Promise<void> {
      return this.record(chatId);
    }
    sendDocument(chatId: string, _document: TelegramDocument): Promise<void> {
      return this.record(chatId);
    }
    private record(chatId: string): Promise<void> {
      this.calls.push({ chatId, at: this.clock.now() });
      const failure = this.failNext;
      this.failNext = undefined;
      return failure ? Promise.reject(failure) : Promise.resolve();
    }
  }
  const to = (chatId: string) => ({ channel: 'telegram' as const, chatId });
  const message = { text: 'Hello', expects: 'none' as const };

  it('sends a reply at once and a bulk message only when its chat had its second', async () => {
    const clock = new FakeClock();
    const transport = new RecordingTransport(clock);
    const sender = new TelegramSender(transport, { pacer: new TelegramPacer({ now: clock.now, sleep: clock.sleep }), sleep: clock.sleep });
    await sender.send(to('5'), message); // a reply: no clock movement needed
    expect(transport.calls).toHaveLength(1);
    const bulk = sender.send(to('5'), message, { bulk: true });
    await clock.advance(500);
    expect(transport.calls).toHaveLength(1);
    await clock.advance(600);
    await bulk;
    expect(transport.calls.map((c) => c.at)).toEqual([0, 1005]);
    // a second reply right away is not held back by the bulk message just sent
    await sender.send(to('5'), message);
    expect(transport.calls).toHaveLength(3);
  });

  it('a retried bulk message is paced again on each attempt', async () => {
    const clock = new FakeClock();
    const transport = new RecordingTransport(clock);
    const sender = new TelegramSender(transport, { pacer: new TelegramPacer({ now: clock.now, sleep: clock.sleep }), sleep: clock.sleep });
    transport.failNext = new TelegramApiError(500, 'Internal Server Error');
    const bulk = sender.send(to('9'), message, { bulk: true });
    await clock.advance(3_000);
    await bulk;
    const [first, second] = transport.calls;
    expect(transport.calls).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it("a bulk message's files are paced like its text: one call a second in its chat", async () => {
    const clock = new FakeClock();
    const transport = new RecordingTransport(clock);
    const sender = new TelegramSender(transport, { pacer: new TelegramPacer({ now: clock.now, sleep: clock.sleep }), sleep: clock.sleep });
    const file = { fileId: 'f1', name: 'act.pdf', mimeType: 'application/pdf', sizeBytes: 3 };
    const bulk = sender.send(to('11'), { ...message, files: [file] }, { bulk: true, fileBytes: new Map([['f1', Buffer.from('pdf')]]) });
    await clock.advance(3_000);
    await bulk;
    const [text, document] = transport.calls;
    expect(transport.calls).toHaveLength(2);
    expect((document?.at ?? 0) - (text?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });
});
