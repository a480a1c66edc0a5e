/** Telegram's limit for messages to many chats: about 30 per second for the bot as a whole. */
export const TELEGRAM_BULK_PER_SECOND = 30;
/** Telegram's limit per chat: no more than one message per second to the same chat. */
export const TELEGRAM_CHAT_INTERVAL_MS = 1000;

export interface TelegramPacerOptions {
  /** Messages per second for the bot in this process (default 30); with several instances, divide. */
  readonly perSecond?: number;
  /** The least time between two bulk messages to one chat (default 1000 ms). */
  readonly chatIntervalMs?: number;
  /** Added to every wait, for timer and clock granularity (default 5 ms). */
  readonly marginMs?: number;
  /** A monotonic clock in milliseconds (default performance.now). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Leave to send one message; call `done()` once the Bot API call has settled (either way). */
export interface SendPermit {
  done(): void;
}

interface ChatState {
  /** Calls to this chat in flight. */
  sending: number;
  /** When the last call to this chat settled (-Infinity: never). */
  lastDoneAt: number;
}

interface Waiter {
  readonly chatId: string;
  readonly resolve: (permit: SendPermit) => void;
}

const WINDOW_MS = 1000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Paces the bot's messages to Telegram's limits, as the receiver counts them: at most `perSecond`
 * messages in any 1-second window, and bulk messages to one chat at least `chatIntervalMs` apart.
 *
 * A message counts against the budget from the moment it is let go until one window after its
 * Bot API call settled, and the next bulk message to a chat waits until one interval after the
 * previous call to that chat settled. A message reaches Telegram between those two moments, so the
 * limits hold where Telegram measures them, whatever the network's latency (a slow network lowers
 * the rate a little instead of breaking the limit).
 *
 * Bulk messages are also spread out, one every 1000 / perSecond ms, rather than sent in bursts.
 *
 * Dialog replies (`reply`) never wait: they are let go at once, but they take from the same budget
 * and stamp their chat, so bulk messages back off while dialogs are busy and a notification right
 * after a reply to the same chat waits its second. Bulk messages (`bulk`) wait their turn, first
 * come first served among those whose chat is free, so one chat's wait never holds up the others
 * and one chat's messages keep their order.
 *
 * The budget is per process: with several instances, give each `perSecond / instances`.
 * @example
 * const pacer = new TelegramPacer({ perSecond: 30 });
 * const permit = await pacer.bulk('42');
 * try { await api.sendMessage('42', text); } finally { permit.done(); }
 */
export class TelegramPacer {
  readonly perSecond: number;
  private readonly chatIntervalMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private inFlight = 0;
  /** When each settled call settled, in order; those older than the window are dropped from `head`. */
  private settled: number[] = [];
  private head = 0;
  private readonly chats = new Map<string, ChatState>();
  private readonly waiting: Waiter[] = [];
  private wakeAt = Number.POSITIVE_INFINITY;
  private doneSinceSweep = 0;
  /** Bulk messages are spread out, one every 1000 / perSecond ms, instead of going in bursts. */
  private readonly spacingMs: number;
  private nextBulkAt = Number.NEGATIVE_INFINITY;

  constructor(options: TelegramPacerOptions = {}) {
    this.perSecond = options.perSecond ?? TELEGRAM_BULK_PER_SECOND;
    if (!Number.isInteger(this.perSecond) || this.perSecond < 1) throw new RangeError('TelegramPacer: perSecond must be a whole number of 1 or more');
    this.chatIntervalMs = options.chatIntervalMs ?? TELEGRAM_CHAT_INTERVAL_MS;
    this.marginMs = options.marginMs ?? 5;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    this.spacingMs = WINDOW_MS / this.perSecond;
  }

  /** A dialog reply: let go at once, counted against the budget and its chat. */
  reply(chatId: string): SendPermit {
    return this.grant(chatId);
  }

  /** A bulk message (notifications, surveys, reminders): resolves when it may go. */
  bulk(chatId: string): Promise<SendPermit> {
    return new Promise<SendPermit>((resolve) => {
      this.waiting.push({ chatId, resolve });
      this.dispatch();
    });
  }

  /** Bulk messages waiting for their turn (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  private chat(chatId: string): ChatState {
    let state = this.chats.get(chatId);
    if (!state) {
      state = { sending: 0, lastDoneAt: Number.NEGATIVE_INFINITY };
      this.chats.set(chatId, state);
    }
    return state;
  }

  private grant(chatId: string): SendPermit {
    const chat = this.chat(chatId);
    chat.sending++;
    this.inFlight++;
    let done = false;
    return {
      done: () => {
        if (done) return;
        done = true;
        const at = this.now();
        chat.sending--;
        chat.lastDoneAt = Math.max(chat.lastDoneAt, at);
        this.inFlight--;
        this.settled.push(at);
        if (++this.doneSinceSweep >= 1000) this.sweep(at);
        this.dispatch();
      },
    };
  }

  /** How many messages count against the budget at `at` (in flight, or settled within the window). */
  private used(at: number): number {
    const since = at - WINDOW_MS - this.marginMs;
    while (this.head < this.settled.length && (this.settled[this.head] ?? 0) <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > this.settled.length) {
      this.settled = this.settled.slice(this.head);
      this.head = 0;
    }
    return this.inFlight + this.settled.length - this.head;
  }

  /** Lets go every waiting bulk message that may go now, in order; sets a timer for the rest. */
  private dispatch(): void {
    if (this.waiting.length === 0) return;
    const at = this.now();
    let used = this.used(at);
    let wake = Number.POSITIVE_INFINITY;
    const blocked = new Set<string>();
    for (let i = 0; i < this.waiting.length && used < this.perSecond; ) {
      if (this.nextBulkAt > at) {
        wake = Math.min(wake, this.nextBulkAt);
        break;
      }
      const waiter = this.waiting[i];
      if (!waiter) break;
      if (blocked.has(waiter.chatId)) {
        i++;
        continue;
      }
      const chat = this.chat(waiter.chatId);
      // a call to this chat still in flight: its settling dispatches again
      const readyAt = chat.sending > 0 ? Number.POSITIVE_INFINITY : chat.lastDoneAt + this.chatIntervalMs + this.marginMs;
      if (readyAt > at) {
        // later messages to this chat wait behind this one, in order
        blocked.add(waiter.chatId);
        wake = Math.min(wake, readyAt);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      used++;
      // a timer that fired late lets the next one catch up (never more than one spacing early)
      this.nextBulkAt = Math.max(this.nextBulkAt, at - this.spacingMs) + this.spacingMs;
      waiter.resolve(this.grant(waiter.chatId));
    }
    if (this.waiting.length === 0) return;
    // the budget is spent: the oldest settled message leaves the window then (one in flight dispatches when it settles)
    if (used >= this.perSecond && this.head < this.settled.length) wake = Math.min(wake, (this.settled[this.head] ?? at) + WINDOW_MS + this.marginMs);
    if (wake !== Number.POSITIVE_INFINITY) this.wakeUpAt(wake, at);
  }

  private wakeUpAt(wake: number, at: number): void {
    // a timer for this moment or earlier is set already: it looks again then
    if (wake >= this.wakeAt && this.wakeAt > at) return;
    this.wakeAt = wake;
    void this.sleep(Math.max(1, Math.ceil(wake - at))).then(() => {
      if (this.wakeAt === wake) this.wakeAt = Number.POSITIVE_INFINITY;
      this.dispatch();
    });
  }

  /** Forgets chats that are idle and past their interval, so the map does not grow without end. */
  private sweep(at: number): void {
    this.doneSinceSweep = 0;
    const waitingFor = new Set(this.waiting.map((waiter) => waiter.chatId));
    for (const [chatId, chat] of this.chats) {
      if (chat.sending === 0 && !waitingFor.has(chatId) && chat.lastDoneAt + this.chatIntervalMs + this.marginMs <= at) this.chats.delete(chatId);
    }
  }
}
