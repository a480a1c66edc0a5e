import { randomUUID } from 'node:crypto';
import type { TelegramPacer } from './pacer.js';

/**
 * One budget for all instances of a desk (Telegram counts 30 messages a second per bot, whatever
 * the number of processes sending them).
 *
 * Design: every live instance keeps a heartbeat document (the store's `telegram_instances`) and
 * takes an equal share of the budget, floor(budget / live instances), which its own pacer enforces
 * exactly as with one instance: over Telegram's sliding 1-second window, counting a message from
 * the moment it is let go until a second after its call settled. No database round trip per
 * message, so dialog replies still never wait, and the limit is kept where Telegram measures it.
 * (A per-second window document advanced by a conditional `$inc` needs a round trip before every
 * bulk message and counts fixed seconds by the sender's clock: two instances' clocks, or one
 * message's latency, put 30 of one counted second and 30 of the next into one of Telegram's
 * sliding seconds.)
 *
 * Shares never add up above the budget while instances come and go:
 * - each heartbeat publishes the instances its sender counted (`peers`) and `share`, the most bulk
 *   messages it can still have in any second from then on (its share, or more while messages let
 *   go under a larger share are still in the window);
 * - a newcomer sends no bulk until every other live instance lists it among its peers and
 *   publishes a share within floor(budget / live instances) — it has seen it and has drained to
 *   its smaller share;
 * - an instance lowers its share as soon as it counts a newcomer, and raises it only when fewer
 *   instances are counted (one left after draining, or was found dead);
 * - an instance that stops answering (its heartbeat's sequence unchanged for `deadAfterMs`, as its
 *   peers see it on their own clocks) is removed, and only then do the others raise their shares.
 *   An instance whose heartbeat could not be written for `fenceMs` (cut off from the database)
 *   stops sending bulk on its own, well before the others count it dead; no clocks are compared
 *   between machines.
 */
export interface BudgetMember {
  readonly id: string;
  /** Advanced by every heartbeat: how the others see it is alive. */
  readonly seq: number;
  /** The instances it counted at its last heartbeat, itself included. */
  readonly peers: readonly string[];
  /** The most bulk messages it can have in any second from its last heartbeat on (0 before it is admitted). */
  readonly share: number;
}

/** What the shared budget keeps in the database (the store's TelegramBudgetStore). */
export interface BudgetMembersPort {
  /** Registers a new instance: seq 0, peers [id], share 0. */
  join(id: string): Promise<void>;
  /** Advances the heartbeat if it still holds `seq`; false when the document is gone (counted dead). */
  beat(id: string, seq: number, next: { readonly peers: readonly string[]; readonly share: number }): Promise<boolean>;
  members(): Promise<BudgetMember[]>;
  /** Removes a member found dead, only if its heartbeat is still at `seq`. */
  remove(id: string, seq: number): Promise<void>;
  /** Removes this instance's own document (a clean leave). */
  leave(id: string): Promise<void>;
}

/** What one instance remembers between heartbeats. */
export interface ShareState {
  /** This instance may send bulk (the others have made room for it). */
  readonly admitted: boolean;
  /** The share its pacer enforces. */
  readonly share: number;
  /** Per other member: the heartbeat last seen and when (this instance's monotonic clock) it changed. */
  readonly seen: ReadonlyMap<string, { readonly seq: number; readonly since: number }>;
}

export const INITIAL_SHARE_STATE: ShareState = { admitted: false, share: 0, seen: new Map() };

export interface BeatPlan {
  readonly state: ShareState;
  /** Members whose heartbeat stood still for `deadAfterMs`: remove them (at that seq). */
  readonly dead: readonly { readonly id: string; readonly seq: number }[];
  /** The live members counted, this one included. */
  readonly peers: readonly string[];
}

/**
 * One heartbeat's decision, pure: who is alive, this instance's share, whether it may send bulk.
 * @example planBeat({ self: 'a', budget: 30, members, now: 12_000, deadAfterMs: 6_000, state })
 */
export function planBeat(input: {
  readonly self: string;
  readonly budget: number;
  readonly members: readonly BudgetMember[];
  /** This instance's monotonic clock. */
  readonly now: number;
  readonly deadAfterMs: number;
  readonly state: ShareState;
}): BeatPlan {
  const { self, budget, now, deadAfterMs, state } = input;
  const seen = new Map<string, { seq: number; since: number }>();
  const dead: { id: string; seq: number }[] = [];
  const live: BudgetMember[] = [];
  for (const member of input.members) {
    if (member.id === self) {
      live.push(member);
      continue;
    }
    const before = state.seen.get(member.id);
    const since = before && before.seq === member.seq ? before.since : now;
    seen.set(member.id, { seq: member.seq, since });
    if (now - since >= deadAfterMs) dead.push({ id: member.id, seq: member.seq });
    else live.push(member);
  }
  if (!live.some((member) => member.id === self)) live.push({ id: self, seq: 0, peers: [self], share: 0 });
  const fair = Math.floor(budget / live.length);
  const others = live.filter((member) => member.id !== self);
  // a newcomer waits until every other instance has counted it and drained to its smaller share
  const admitted = state.admitted || others.every((member) => member.peers.includes(self) && member.share <= fair);
  return {
    state: { admitted, share: admitted ? fair : 0, seen },
    dead,
    peers: live.map((member) => member.id).sort(),
  };
}

/**
 * The share to publish: the share itself, or more while bulk messages let go under a larger share
 * still count in the window (they can still reach Telegram in the coming second).
 */
export function shareToPublish(share: number, bulkInWindow: number): number {
  return Math.max(share, bulkInWindow);
}

export interface SharedTelegramBudgetOptions {
  readonly pacer: TelegramPacer;
  readonly members: BudgetMembersPort;
  /** The desk's budget for all instances together (default the pacer's perSecond). */
  readonly budget?: number;
  /** Between two heartbeats (default 2 s). */
  readonly beatMs?: number;
  /** A member whose heartbeat stood still this long is dead (default 3 heartbeats: 6 s). */
  readonly deadAfterMs?: number;
  /**
   * This instance stops sending bulk when its last heartbeat written was sent this long ago
   * (default 3.5 s): before the others can count it dead, with room for its last messages to
   * leave the window.
   */
  readonly fenceMs?: number;
  /** Monotonic clock (default performance.now). */
  readonly now?: () => number;
  /** A heartbeat that failed (the next one tries again; the share lapses after `fenceMs`). */
  readonly onError?: (what: string, error: unknown) => void;
  /** This instance's share changed (admitted, or instances came or went): for one log line. */
  readonly onShare?: (share: number, instances: number) => void;
}

/**
 * Keeps this instance's heartbeat and gives its pacer its share of the desk's budget (see the
 * design above). Until the first heartbeat admits it, the pacer sends no bulk messages; a lone
 * instance is admitted at its first heartbeat with the whole budget.
 * @example
 * const budget = new SharedTelegramBudget({ pacer, members: new TelegramBudgetStore(db) });
 * await budget.start(); … await budget.stop();
 */
export class SharedTelegramBudget {
  private readonly pacer: TelegramPacer;
  private readonly port: BudgetMembersPort;
  private readonly budget: number;
  private readonly beatMs: number;
  private readonly deadAfterMs: number;
  private readonly fenceMs: number;
  private readonly now: () => number;
  private id = randomUUID();
  private seq = 0;
  private joined = false;
  private state: ShareState = INITIAL_SHARE_STATE;
  /** When the last heartbeat that was written had been sent (monotonic). */
  private lastWrittenAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: SharedTelegramBudgetOptions) {
    this.pacer = options.pacer;
    this.port = options.members;
    this.budget = options.budget ?? options.pacer.perSecond;
    this.beatMs = options.beatMs ?? 2_000;
    this.deadAfterMs = options.deadAfterMs ?? 3 * this.beatMs;
    this.fenceMs = options.fenceMs ?? 1.75 * this.beatMs;
    this.now = options.now ?? (() => performance.now());
    // nothing of the budget is this instance's until the others have made room for it
    this.pacer.setShare(0);
  }

  /** This instance's id in the heartbeat collection (changes if it had to join again). */
  get instanceId(): string {
    return this.id;
  }

  /** Joins and runs the first heartbeat (idempotent); heartbeats then follow every `beatMs`. */
  start(): Promise<void> {
    this.started ??= this.beat().then(() => this.schedule());
    return this.started;
  }

  /** One heartbeat now (the timer runs them; tests call it to step). */
  beat(): Promise<void> {
    this.running ??= this.beatOnce()
      .catch((error: unknown) => this.options.onError?.('the Telegram budget heartbeat', error))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /**
   * Leaves cleanly: no more bulk from here, waits until this instance's messages have left the
   * window (at most 5 s), then removes its heartbeat so the others take its share at once.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.pacer.setShare(0);
    if (!this.joined) return;
    await this.pacer.quiet(5_000);
    await this.port.leave(this.id).catch((error: unknown) => this.options.onError?.('leaving the Telegram budget', error));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.beat().then(() => this.schedule());
    }, this.beatMs);
    this.timer.unref();
  }

  private async beatOnce(): Promise<void> {
    if (this.stopped) return;
    if (!this.joined) {
      await this.port.join(this.id);
      this.joined = true;
      this.seq = 0;
      this.state = INITIAL_SHARE_STATE;
    }
    const plan = planBeat({ self: this.id, budget: this.budget, members: await this.port.members(), now: this.now(), deadAfterMs: this.deadAfterMs, state: this.state });
    for (const member of plan.dead) await this.port.remove(member.id, member.seq);
    // a smaller share applies at once; a larger one once the heartbeat that announces it is written
    if (plan.state.share < this.pacer.share) this.pacer.setShare(plan.state.share, this.shareUntil());
    const sentAt = this.now();
    const written = await this.port.beat(this.id, this.seq, { peers: plan.peers, share: shareToPublish(plan.state.share, this.pacer.bulkInWindow()) });
    if (this.stopped) return;
    if (!written) {
      // the others counted this instance dead and took its share: join again as a newcomer
      this.pacer.setShare(0);
      this.joined = false;
      this.id = randomUUID();
      return;
    }
    this.seq++;
    if (plan.state.share !== this.state.share || plan.state.admitted !== this.state.admitted) this.options.onShare?.(plan.state.share, plan.peers.length);
    this.state = plan.state;
    this.lastWrittenAt = sentAt;
    this.pacer.setShare(plan.state.share, this.shareUntil());
  }

  /** The share lapses `fenceMs` after the last heartbeat written was sent. */
  private shareUntil(): number {
    return this.lastWrittenAt + this.fenceMs;
  }
}
