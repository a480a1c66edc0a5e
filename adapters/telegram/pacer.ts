/** Telegram's limit for messages to many chats: about 30 per second for the bot as a whole. */
export const TELEGRAM_BULK_PER_SECOND = 30;
/** Telegram's limit per chat: no more than one message per second to the same chat. */
export const TELEGRAM_CHAT_INTERVAL_MS = 1000;

/**
 * The slot of a chat for bulk messages, shared by every instance of the desk (the store keeps it),
 * so two instances holding notifications for one chat never write to it less than a second apart.
 */
export interface ChatSlots {
  /** Takes the chat's slot for `holdMs` at most: a token, or undefined while someone else holds it. */
  tryTake(chatId: string, holdMs: number): Promise<string | undefined>;
  /** Frees the slot, only if still held with `token`. */
  release(chatId: string, token: string): Promise<void>;
}

export interface TelegramPacerOptions {
  /**
   * Messages per second for the bot (default 30). With several instances this is the desk's budget,
   * and each instance's share is set by {@link TelegramPacer.setShare} (the shared budget does).
   */
  readonly perSecond?: number;
  /**
   * Chat slots shared with the desk's other instances: a bulk message takes its chat's slot before
   * it waits for the budget, and frees it a chat interval after its call settled. Dialog replies
   * never touch it (no database round trip on the reply path).
   */
  readonly chatSlots?: ChatSlots;
  /** How long a taken chat slot is held at most, should this process die holding it (default 120 s). */
  readonly chatSlotHoldMs?: number;
  /** Failures freeing a chat slot (it is then free when its hold runs out). */
  readonly onError?: (what: string, error: unknown) => void;
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

/** A sliding count of messages in the window: those in flight and those settled less than a window ago. */
class WindowCount {
  inFlight = 0;
  /** When each settled call settled, in order; those older than the window are dropped from `head`. */
  private settled: number[] = [];
  private head = 0;

  settle(at: number): void {
    this.inFlight--;
    this.settled.push(at);
  }

  /** How many count at `at` (in flight, or settled after `since`). */
  count(since: number): number {
    while (this.head < this.settled.length && (this.settled[this.head] ?? 0) <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > this.settled.length) {
      this.settled = this.settled.slice(this.head);
      this.head = 0;
    }
    return this.inFlight + this.settled.length - this.head;
  }

  /** When the oldest settled message still counted leaves (plus `windowMs`), if there is one. */
  oldest(): number | undefined {
    return this.head < this.settled.length ? this.settled[this.head] : undefined;
  }
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
 * Bulk messages are also spread out, one every 1000 / share ms, rather than sent in bursts.
 *
 * Dialog replies (`reply`) never wait: they are let go at once, but they take from the same budget
 * and stamp their chat, so bulk messages back off while dialogs are busy and a notification right
 * after a reply to the same chat waits its second. Bulk messages (`bulk`) wait their turn, first
 * come first served among those whose chat is free, so one chat's wait never holds up the others
 * and one chat's messages keep their order.
 *
 * Several instances: the shared budget (`shared-budget.ts`) gives this process its share of the
 * desk's budget with {@link setShare}, and `chatSlots` keeps the chat's second across instances.
 * @example
 * const pacer = new TelegramPacer({ perSecond: 30 });
 * const permit = await pacer.bulk('42');
 * try { await api.sendMessage('42', text); } finally { permit.done(); }
 */
export class TelegramPacer {
  /** The budget this pacer was made with (the desk's, with several instances). */
  readonly perSecond: number;
  private readonly chatIntervalMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly chatSlots: ChatSlots | undefined;
  private readonly chatSlotHoldMs: number;
  private readonly onError: ((what: string, error: unknown) => void) | undefined;
  /** Every message (replies and bulk) in the window: bulk waits while it is at the share. */
  private readonly all = new WindowCount();
  /** Bulk messages alone in the window: what this process may still have at Telegram under an earlier share. */
  private readonly bulkOnly = new WindowCount();
  private readonly chats = new Map<string, ChatState>();
  private readonly waiting: Waiter[] = [];
  private wakeAt = Number.POSITIVE_INFINITY;
  private doneSinceSweep = 0;
  private nextBulkAt = Number.NEGATIVE_INFINITY;
  /** Bulk messages let go per window now (the whole budget, or this instance's share). */
  private shareNow: number;
  /** The share holds until then (monotonic); after it, bulk waits for a new one. */
  private shareUntil = Number.POSITIVE_INFINITY;
  /** Chat slots to free, each a chat interval after its call settled. */
  private pendingReleases = 0;
  private waitListeners: ((ms: number) => void)[] = [];

  constructor(options: TelegramPacerOptions = {}) {
    this.perSecond = options.perSecond ?? TELEGRAM_BULK_PER_SECOND;
    if (!Number.isInteger(this.perSecond) || this.perSecond < 1) throw new RangeError('TelegramPacer: perSecond must be a whole number of 1 or more');
    this.chatIntervalMs = options.chatIntervalMs ?? TELEGRAM_CHAT_INTERVAL_MS;
    this.marginMs = options.marginMs ?? 5;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    this.chatSlots = options.chatSlots;
    this.chatSlotHoldMs = options.chatSlotHoldMs ?? 120_000;
    this.onError = options.onError;
    this.shareNow = this.perSecond;
  }

  /**
   * This process's share of the budget: bulk messages are let go only while the window holds fewer
   * than `perSecond` messages, and only until the monotonic time `until` (the shared budget's lease
   * on it: a process that cannot renew it stops sending bulk on its own). 0 stops bulk messages.
   */
  setShare(perSecond: number, until = Number.POSITIVE_INFINITY): void {
    if (!Number.isInteger(perSecond) || perSecond < 0) throw new RangeError('TelegramPacer: a share must be a whole number of 0 or more');
    this.shareNow = Math.min(perSecond, this.perSecond);
    this.shareUntil = until;
    this.dispatch();
  }

  /** The share in force now (0 when none is, or its lease ran out). */
  get share(): number {
    return this.now() <= this.shareUntil ? this.shareNow : 0;
  }

  /**
   * Bulk messages that still count in the window now (in flight, or settled less than a window
   * ago): an upper bound of what this process can still have at Telegram in any second from now on
   * besides what its share lets go.
   */
  bulkInWindow(): number {
    return this.bulkOnly.count(this.now() - WINDOW_MS - this.marginMs);
  }

  /** A dialog reply: let go at once, counted against the budget and its chat. */
  reply(chatId: string): SendPermit {
    return this.grant(chatId, false);
  }

  /** Calls `listener` with each bulk message's wait for its turn (chat slot and budget), in milliseconds (metrics). */
  observeWaits(listener: (ms: number) => void): void {
    this.waitListeners.push(listener);
  }

  /** A bulk message (notifications, surveys, reminders): resolves when it may go. */
  async bulk(chatId: string): Promise<SendPermit> {
    const asked = this.now();
    const permit = await this.bulkTurn(chatId);
    for (const listener of this.waitListeners) listener(this.now() - asked);
    return permit;
  }

  private async bulkTurn(chatId: string): Promise<SendPermit> {
    let slot = this.chatSlots ? await this.takeChatSlot(this.chatSlots, chatId) : undefined;
    let permit = await this.turn(chatId);
    // a turn that came so late that the slot's hold is nearly over (the share was 0 for minutes):
    // another instance may take the chat soon, so give the turn back and queue again with a fresh slot
    while (slot && this.now() - slot.takenAt > this.chatSlotHoldMs / 2) {
      permit.done();
      this.releaseChatSlotLater(slot.slots, chatId, slot.token);
      slot = await this.takeChatSlot(slot.slots, chatId);
      permit = await this.turn(chatId);
    }
    if (!slot) return permit;
    let done = false;
    return {
      done: () => {
        if (done) return;
        done = true;
        permit.done();
        this.releaseChatSlotLater(slot.slots, chatId, slot.token);
      },
    };
  }

  /** Queues for the budget and the chat's second in this process. */
  private turn(chatId: string): Promise<SendPermit> {
    return new Promise<SendPermit>((resolve) => {
      this.waiting.push({ chatId, resolve });
      this.dispatch();
    });
  }

  /** Bulk messages waiting for their turn (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves once nothing counts any more: no call in flight, none settled within the window, no
   * chat slot left to free (or after `timeoutMs`). For a clean leave: the next holder of this
   * share starts from an empty window.
   */
  quiet(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.all.count(this.now() - WINDOW_MS - this.marginMs) === 0 && this.pendingReleases === 0) {
          resolve();
          return;
        }
        if (this.now() - started >= timeoutMs) {
          resolve();
          return;
        }
        void this.sleep(50).then(check);
      };
      const started = this.now();
      check();
    });
  }

  /**
   * Takes the chat's shared slot, looking again while another instance holds it: after 50 ms, then
   * every 250 ms (a slot is mostly held for about a second; a longer pause would add to every
   * wait, and a chat's next message is due then).
   */
  private async takeChatSlot(slots: ChatSlots, chatId: string): Promise<{ slots: ChatSlots; token: string; takenAt: number }> {
    for (let pause = 50; ; pause = Math.min(250, pause * 2)) {
      const takenAt = this.now();
      const token = await slots.tryTake(chatId, this.chatSlotHoldMs);
      if (token !== undefined) return { slots, token, takenAt };
      await this.sleep(pause);
    }
  }

  /** Frees a chat slot one chat interval after the call settled, measured on this process's clock. */
  private releaseChatSlotLater(slots: ChatSlots, chatId: string, token: string): void {
    this.pendingReleases++;
    void this.sleep(this.chatIntervalMs + this.marginMs)
      .then(() => slots.release(chatId, token))
      .catch((error: unknown) => this.onError?.('freeing a chat slot', error))
      .finally(() => {
        this.pendingReleases--;
      });
  }

  private chat(chatId: string): ChatState {
    let state = this.chats.get(chatId);
    if (!state) {
      state = { sending: 0, lastDoneAt: Number.NEGATIVE_INFINITY };
      this.chats.set(chatId, state);
    }
    return state;
  }

  private grant(chatId: string, bulk: boolean): SendPermit {
    const chat = this.chat(chatId);
    chat.sending++;
    this.all.inFlight++;
    if (bulk) this.bulkOnly.inFlight++;
    let done = false;
    return {
      done: () => {
        if (done) return;
        done = true;
        const at = this.now();
        chat.sending--;
        chat.lastDoneAt = Math.max(chat.lastDoneAt, at);
        this.all.settle(at);
        if (bulk) this.bulkOnly.settle(at);
        if (++this.doneSinceSweep >= 1000) this.sweep(at);
        this.dispatch();
      },
    };
  }

  /** Lets go every waiting bulk message that may go now, in order; sets a timer for the rest. */
  private dispatch(): void {
    if (this.waiting.length === 0) return;
    const at = this.now();
    const share = at <= this.shareUntil ? this.shareNow : 0;
    if (share === 0) return; // a new share dispatches again
    const spacingMs = WINDOW_MS / share;
    let used = this.all.count(at - WINDOW_MS - this.marginMs);
    let wake = Number.POSITIVE_INFINITY;
    const blocked = new Set<string>();
    for (let i = 0; i < this.waiting.length && used < share; ) {
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
      this.nextBulkAt = Math.max(this.nextBulkAt, at - spacingMs) + spacingMs;
      waiter.resolve(this.grant(waiter.chatId, true));
    }
    if (this.waiting.length === 0) return;
    // the budget is spent: the oldest settled message leaves the window then (one in flight dispatches when it settles)
    const oldest = this.all.oldest();
    if (used >= share && oldest !== undefined) wake = Math.min(wake, oldest + WINDOW_MS + this.marginMs);
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
