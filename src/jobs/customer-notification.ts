import { exponential, type Agenda } from 'agenda';
import type { Channel, ConversationReference } from '../domain/claim.js';
import type { DeskConfig } from '../domain/desk.js';
import { undeliveredNotices, type Claim, type DeliveryFailure } from '../domain/lifecycle.js';
import { customerNotice } from '../../flows/notices.js';
import { RecipientUnreachableError, type MessageSender } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';
import type { Locale } from '../domain/locale.js';
import { noticeRoute } from '../domain/staff-intake.js';

/** Sends a notice by e-mail (adapters/email/smtp.ts); throws RecipientUnreachableError when the address is refused for good. */
export interface EmailNoticePort {
  /** `fileBytes`: the bytes of the notice's files, attached to the e-mail. */
  send(to: { readonly address: string; readonly locale: Locale; readonly number: string; readonly desk: string }, notice: Outbound, fileBytes?: ReadonlyMap<string, Buffer>): Promise<void>;
}

/** Reads the files the desk stores for its messages (a staff reply's files, #25): the bytes, or undefined when the file is gone. */
export interface NoticeFilesPort {
  read(fileId: string): Promise<Buffer | undefined>;
}

/** The job that tells a customer, in order, about the events of one claim not yet delivered. */
export const NOTIFY_JOB = 'customer.notify';
/** The sweep that finds events nobody scheduled a notification for (a crash, an outage). */
export const NOTIFY_SWEEP_JOB = 'customer.notify-sweep';

/** Job data: the claim's id only, never names, contacts or text. */
export interface NotifyJobData {
  readonly claimId: string;
}

/** The claim reads and writes the notifications need: the store's reads and outbox mark, the registry's delivery records (bound by `deskClaims`). */
export interface NotifyClaimsPort {
  findById(claimId: string): Promise<Claim | undefined>;
  recordDelivered(claimId: string, eventId: string, at: Date): Promise<void>;
  recordDeliveryFailed(claimId: string, eventId: string, failure: DeliveryFailure): Promise<unknown>;
  /** How many parts of a notice in several reached the customer, so a retry sends only the rest. */
  recordDeliveryProgress(claimId: string, eventId: string, parts: number): Promise<void>;
  listNotifyPending(before: Date, limit?: number): Promise<string[]>;
  clearNotifyPending(claimId: string, version: number): Promise<void>;
}

/** Whether the channel still takes messages to a chat (the conversation store keeps it). */
export interface ReachabilityPort {
  isUnreachable(to: ConversationReference): Promise<boolean>;
  markUnreachable(to: ConversationReference): Promise<void>;
}

/** Exclusive leases by key (the Leases store). */
export interface LeasePort {
  acquire(key: string, ms: number): Promise<string | undefined>;
  renew(key: string, token: string, ms: number): Promise<boolean>;
  release(key: string, token: string): Promise<void>;
}

/**
 * Longer than the slowest single send (rate-limit waits included: the pacer's queue, at most about
 * concurrency ÷ rate + 1 s per chat, i.e. ~3 s, plus the sender's retries, at most 30 s); renewed
 * before each message.
 */
const LEASE_MS = 150_000;

export interface CustomerNotifierOptions {
  readonly desk: DeskConfig;
  readonly claims: NotifyClaimsPort;
  readonly senders: { senderFor(channel: Channel): MessageSender | undefined };
  /** E-mail, for claims without a messenger whose customer gave an address (#25); without it they count as having no channel. */
  readonly email?: EmailNoticePort;
  /** The desk's stored files a notice carries (a reply's files); without it a notice with files is given up. */
  readonly files?: NoticeFilesPort;
  readonly reachability: ReachabilityPort;
  /** Per-claim leases, so one claim's messages go out from one place at a time, in order. */
  readonly leases: LeasePort;
  /** How long a lease lasts without renewal (default 150 s; a dead holder blocks the claim that long). */
  readonly leaseMs?: number;
  /** An event older than this is not sent any more (default 3 days). */
  readonly maxAgeMs?: number;
  /** A send still failing this long after its event is given up, staff told (default 1 hour). */
  readonly giveUpAfterMs?: number;
  readonly now?: () => Date;
  /** Told of each notification sent, retried (a send failed; the job retries) or failed for good, by channel (metrics). */
  readonly onDelivery?: (channel: Channel, result: 'sent' | 'retried' | 'failed') => void;
}

export type DeliveryOutcome = 'sent' | 'confirmed_in_dialog' | 'already_done' | 'not_for_customer' | 'failed' | 'missing';

/**
 * Tells customers about their claims' events, in their language, through the channel the claim
 * came from — or, for a claim staff registered (#25), by e-mail when the customer gave an address
 * (else the event is marked `no_channel` and staff tell them). Idempotent: an event already delivered (or failed for good) is skipped, so a job run
 * twice sends once. The event is the outbox: delivery is recorded on it. A chat the channel
 * refuses for good (a blocked bot) fails at once and staff are told; any other error is thrown,
 * so the job is retried with backoff.
 * @example await notifier.deliverAll(claim.id);
 */
export class CustomerNotifier {
  private readonly now: () => Date;

  constructor(private readonly options: CustomerNotifierOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async deliver(claimId: string, eventId: string): Promise<DeliveryOutcome> {
    const { claims, desk, senders, reachability } = this.options;
    const claim = await claims.findById(claimId);
    const event = claim?.history.find((candidate) => candidate.id === eventId);
    if (!claim || !event) return 'missing';
    if (event.deliveredAt !== undefined || event.deliveryFailure !== undefined) return 'already_done';
    const notice = customerNotice(desk, claim, event);
    if (notice === undefined) {
      await claims.recordDelivered(claimId, eventId, this.now());
      return 'not_for_customer';
    }
    if (notice === 'in_dialog') {
      await claims.recordDelivered(claimId, eventId, claim.createdAt);
      return 'confirmed_in_dialog';
    }
    // news that is days old would confuse more than it tells: give up on it, staff are told
    if (this.now().getTime() - event.at.getTime() > (this.options.maxAgeMs ?? 3 * 24 * 3_600_000)) return this.fail(claimId, eventId, 'gave_up', claim.conversation.channel);
    // #25: a claim registered by staff has no messenger: e-mail, or nothing (staff tell the customer)
    const route = noticeRoute(claim);
    if (route.via === 'staff') return this.fail(claimId, eventId, 'no_channel', claim.conversation.channel);
    // a reply's files are read before anything is sent: a file the desk no longer has cannot come back by retrying
    const fileBytes = await this.readFiles(notice);
    if (fileBytes === undefined) return this.fail(claimId, eventId, 'gave_up', route.via === 'email' ? 'email' : claim.conversation.channel);
    if (route.via === 'email') return this.deliverByEmail(claim, eventId, route.address, notice, fileBytes);
    const channel = claim.conversation.channel;
    const sender = senders.senderFor(channel);
    if (!sender) return this.fail(claimId, eventId, 'no_channel', channel);
    if (await reachability.isUnreachable(claim.conversation)) return this.fail(claimId, eventId, 'unreachable', channel);
    try {
      // a notice in several parts (long text, files) goes on from where an earlier try stopped; each part sent is recorded first
      await sender.send(claim.conversation, notice, {
        bulk: true,
        ...(fileBytes.size > 0 ? { fileBytes } : {}),
        fromPart: event.deliveredParts ?? 0,
        onPart: (sent) => claims.recordDeliveryProgress(claimId, eventId, sent),
      });
    } catch (error) {
      if (!(error instanceof RecipientUnreachableError)) {
        this.options.onDelivery?.(channel, 'retried');
        throw error;
      }
      await reachability.markUnreachable(claim.conversation);
      return this.fail(claimId, eventId, 'unreachable', channel);
    }
    await claims.recordDelivered(claimId, eventId, this.now());
    this.options.onDelivery?.(channel, 'sent');
    return 'sent';
  }

  /** One notice by e-mail: a refusal for good is recorded (`unreachable`, staff told), anything else is retried by the job. */
  private async deliverByEmail(claim: Claim, eventId: string, address: string, notice: Outbound, fileBytes: ReadonlyMap<string, Buffer>): Promise<DeliveryOutcome> {
    const { email, desk } = this.options;
    if (!email) return this.fail(claim.id, eventId, 'no_channel', 'email');
    try {
      await email.send({ address, locale: claim.locale, number: claim.number, desk: desk.desk.name[claim.locale] }, notice, fileBytes);
    } catch (error) {
      if (!(error instanceof RecipientUnreachableError)) {
        this.options.onDelivery?.('email', 'retried');
        throw error;
      }
      return this.fail(claim.id, eventId, 'unreachable', 'email');
    }
    await this.options.claims.recordDelivered(claim.id, eventId, this.now());
    this.options.onDelivery?.('email', 'sent');
    return 'sent';
  }

  /**
   * Delivers a claim's undelivered events in history order (the customer never hears of the
   * decision before the question that preceded it). A send that fails is retried by the job
   * (this throws); once the event is older than `giveUpAfterMs` it is given up — staff are told —
   * and the next event goes on. Returns how many events were settled (delivered or failed).
   */
  async deliverAll(claimId: string): Promise<number> {
    // one sender per claim across every instance: a second run (the job brought forward while it
    // ran, or another worker) leaves it to the one holding the lease, which reads on until done
    const { leases } = this.options;
    const key = `notify:${claimId}`;
    const leaseMs = this.options.leaseMs ?? LEASE_MS;
    let settled = 0;
    const tried = new Set<string>();
    let channel: Channel | undefined;
    const untried = async () => {
      const claim = await this.options.claims.findById(claimId);
      channel = claim?.conversation.channel;
      return claim ? undeliveredNotices(claim).find((event) => !tried.has(event.id)) : undefined;
    };
    for (let round = 0; round < 5; round++) {
      const token = await leases.acquire(key, leaseMs);
      if (!token) return settled;
      try {
        for (let next = await untried(); next; next = await untried()) {
          tried.add(next.id);
          // a lease lost during a long stall: stop, the new holder carries on (no message twice)
          if (!(await leases.renew(key, token, leaseMs))) return settled;
          try {
            await this.deliver(claimId, next.id);
          } catch (error) {
            if (this.now().getTime() - next.at.getTime() < (this.options.giveUpAfterMs ?? 3_600_000)) throw error;
            await this.fail(claimId, next.id, 'gave_up', channel);
          }
          settled++;
        }
      } finally {
        await leases.release(key, token);
      }
      // an event written after the last read but before the release was left by any run that found
      // the lease taken meanwhile: look once more now that the lease is free
      if (!(await untried())) return settled;
    }
    return settled;
  }

  /** The bytes of a notice's files by id (empty without files), or undefined when one of them is gone. */
  private async readFiles(notice: Outbound): Promise<Map<string, Buffer> | undefined> {
    const bytes = new Map<string, Buffer>();
    for (const file of notice.files ?? []) {
      const read = await this.options.files?.read(file.fileId);
      if (read === undefined) return undefined;
      bytes.set(file.fileId, read);
    }
    return bytes;
  }

  /** Gives up on an event after the retries ran out; staff are told. */
  async giveUp(claimId: string, eventId: string): Promise<void> {
    const claim = await this.options.claims.findById(claimId);
    const event = claim?.history.find((candidate) => candidate.id === eventId);
    if (!claim || !event || event.deliveredAt !== undefined || event.deliveryFailure !== undefined) return;
    await this.fail(claimId, eventId, 'gave_up', claim.conversation.channel);
  }

  private async fail(claimId: string, eventId: string, failure: DeliveryFailure, channel: Channel | undefined): Promise<'failed'> {
    await this.options.claims.recordDeliveryFailed(claimId, eventId, failure);
    if (channel) this.options.onDelivery?.(channel, 'failed');
    return 'failed';
  }
}

export interface CustomerNotificationOptions {
  /** How often the sweep runs (default every minute). */
  readonly sweepEvery?: string | number;
  /** A change younger than this is left to the job scheduled with it (default 30 s). */
  readonly graceMs?: number;
  /** Retries of a failing send: the first delay, the longest delay and how many (default 5 s, 10 min, 8); the sweep schedules more. */
  readonly retry?: { readonly delayMs?: number; readonly maxDelayMs?: number; readonly maxRetries?: number };
  /** Failures, by ids and codes only. */
  readonly onError?: (what: string, fields: Readonly<Record<string, string>>) => void;
  /** Passed to the notifier by main.ts: how long a failing send is retried before it is given up. */
  readonly giveUpAfterMs?: number;
  /** Passed to the notifier by main.ts: the per-claim lease (tests use less). */
  readonly leaseMs?: number;
  /** How many notification jobs run at once and how many this process locks (default: {@link notifyJobLimits} at 30/s, 5 s polls). */
  readonly limits?: NotifyJobLimits;
  readonly now?: () => Date;
}

/** Agenda's per-kind settings for the notification job. */
export interface NotifyJobLimits {
  /** Jobs running at once in this process. */
  readonly concurrency: number;
  /** Jobs this process locks ahead (its local queue between polls). */
  readonly lockLimit: number;
}

/**
 * The notification job's concurrency and lock limit for a sending rate, so a backlog goes out at
 * the full rate. A running job mostly waits: for the channel's budget, or for its chat's second
 * between two messages; twice the rate in flight keeps the budget busy while half of them wait on
 * their chats. Agenda refills a kind's local queue only at its poll (or when this process saves a
 * job), so the process locks two polls' worth of jobs (at one message a job). A locked job waits
 * about lockLimit ÷ rate seconds before it runs, far below the lock lifetime.
 * @example notifyJobLimits(30, 5_000) // { concurrency: 60, lockLimit: 300 }
 */
export function notifyJobLimits(perSecond: number, processEveryMs: number): NotifyJobLimits {
  const concurrency = Math.max(4, 2 * perSecond);
  return { concurrency, lockLimit: Math.max(concurrency, Math.ceil((perSecond * processEveryMs * 2) / 1000)) };
}

/** Schedules notifications; returned by {@link scheduleCustomerNotifications}. */
export interface NotificationScheduler {
  /** Schedules the claim's notification job if it has undelivered events; scheduling twice is one job. */
  enqueue(claim: Claim): Promise<void>;
}

/**
 * Defines the notification job (one per claim, delivering its events in order, retried with
 * exponential backoff; an event still failing after `giveUpAfterMs` is given up and staff are
 * told) and the sweep that schedules what a crash between a change and its job left behind (or
 * what ran out of retries). Scheduling is idempotent: the job is unique on the claim id.
 * @example const notifications = await scheduleCustomerNotifications(agenda, notifier, claims);
 * registry.onChange((claim) => void notifications.enqueue(claim));
 */
export async function scheduleCustomerNotifications(agenda: Agenda, notifier: CustomerNotifier, claims: NotifyClaimsPort, options: CustomerNotificationOptions = {}): Promise<NotificationScheduler> {
  const now = options.now ?? (() => new Date());
  const retry = options.retry ?? {};
  const limits = options.limits ?? notifyJobLimits(30, 5_000);
  agenda.define<NotifyJobData>(
    NOTIFY_JOB,
    async (job) => {
      await notifier.deliverAll(job.attrs.data.claimId);
    },
    {
      backoff: exponential({ delay: retry.delayMs ?? 5_000, maxDelay: retry.maxDelayMs ?? 10 * 60_000, maxRetries: retry.maxRetries ?? 8, jitter: 0.1 }),
      concurrency: limits.concurrency,
      lockLimit: limits.lockLimit,
    },
  );

  // one job per claim (unique on the claim): scheduling again brings it forward, never doubles it
  const enqueue = async (claim: Claim) => {
    if (undeliveredNotices(claim).length === 0) return;
    const data: NotifyJobData = { claimId: claim.id };
    await agenda.create(NOTIFY_JOB, data).unique({ 'data.claimId': claim.id }).schedule(new Date()).save();
  };

  agenda.define(NOTIFY_SWEEP_JOB, async () => {
    const ids = await claims.listNotifyPending(new Date(now().getTime() - (options.graceMs ?? 30_000)), 100);
    for (const id of ids) {
      const claim = await claims.findById(id);
      if (!claim) continue;
      if (undeliveredNotices(claim).length === 0) await claims.clearNotifyPending(id, claim.version);
      else await enqueue(claim);
    }
  });
  await agenda.every(options.sweepEvery ?? '1 minute', NOTIFY_SWEEP_JOB);
  return { enqueue };
}
