import { exponential, type Agenda } from 'agenda';
import type { Channel, ConversationReference } from '../domain/claim.js';
import type { DeskConfig } from '../domain/desk.js';
import { undeliveredNotices, type Claim, type DeliveryFailure } from '../domain/lifecycle.js';
import { customerNotice } from '../../flows/notices.js';
import { RecipientUnreachableError, type MessageSender } from '../../flows/runner.js';

/** One notification: the job that tells the customer about one history event. */
export const NOTIFY_JOB = 'customer.notify';
/** The sweep that finds events nobody scheduled a notification for (a crash, an outage). */
export const NOTIFY_SWEEP_JOB = 'customer.notify-sweep';

/** Job data: ids only, never names, contacts or text. */
export interface NotifyJobData {
  readonly claimId: string;
  readonly eventId: string;
}

/** The claim reads and writes the notifications need (the ClaimRegistry). */
export interface NotifyClaimsPort {
  findById(claimId: string): Promise<Claim | undefined>;
  recordDelivered(claimId: string, eventId: string, at: Date): Promise<void>;
  recordDeliveryFailed(claimId: string, eventId: string, failure: DeliveryFailure): Promise<unknown>;
  listNotifyPending(before: Date, limit?: number): Promise<string[]>;
  clearNotifyPending(claimId: string, version: number): Promise<void>;
}

/** Whether the channel still takes messages to a chat (the conversation store keeps it). */
export interface ReachabilityPort {
  isUnreachable(to: ConversationReference): Promise<boolean>;
  markUnreachable(to: ConversationReference): Promise<void>;
}

export interface CustomerNotifierOptions {
  readonly desk: DeskConfig;
  readonly claims: NotifyClaimsPort;
  readonly senders: { senderFor(channel: Channel): MessageSender | undefined };
  readonly reachability: ReachabilityPort;
  /** An event older than this is not sent any more (default 3 days). */
  readonly maxAgeMs?: number;
  readonly now?: () => Date;
}

export type DeliveryOutcome = 'sent' | 'confirmed_in_dialog' | 'already_done' | 'not_for_customer' | 'failed' | 'missing';

/**
 * Tells customers about their claims' events, in their language, through the channel the claim
 * came from. Idempotent: an event already delivered (or failed for good) is skipped, so a job run
 * twice sends once. The event is the outbox: delivery is recorded on it. A chat the channel
 * refuses for good (a blocked bot) fails at once and staff are told; any other error is thrown,
 * so the job is retried with backoff.
 * @example await notifier.deliver(claim.id, event.id);
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
    if (this.now().getTime() - event.at.getTime() > (this.options.maxAgeMs ?? 3 * 24 * 3_600_000)) return this.fail(claimId, eventId, 'gave_up');
    const sender = senders.senderFor(claim.conversation.channel);
    if (!sender) return this.fail(claimId, eventId, 'no_channel');
    if (await reachability.isUnreachable(claim.conversation)) return this.fail(claimId, eventId, 'unreachable');
    try {
      await sender.send(claim.conversation, notice);
    } catch (error) {
      if (!(error instanceof RecipientUnreachableError)) throw error;
      await reachability.markUnreachable(claim.conversation);
      return this.fail(claimId, eventId, 'unreachable');
    }
    await claims.recordDelivered(claimId, eventId, this.now());
    return 'sent';
  }

  /** Gives up on an event after the retries ran out; staff are told. */
  async giveUp(claimId: string, eventId: string): Promise<void> {
    const claim = await this.options.claims.findById(claimId);
    const event = claim?.history.find((candidate) => candidate.id === eventId);
    if (!event || event.deliveredAt !== undefined || event.deliveryFailure !== undefined) return;
    await this.fail(claimId, eventId, 'gave_up');
  }

  private async fail(claimId: string, eventId: string, failure: DeliveryFailure): Promise<'failed'> {
    await this.options.claims.recordDeliveryFailed(claimId, eventId, failure);
    return 'failed';
  }
}

export interface CustomerNotificationOptions {
  /** How often the sweep runs (default every minute). */
  readonly sweepEvery?: string | number;
  /** A change younger than this is left to the job scheduled with it (default 30 s). */
  readonly graceMs?: number;
  /** Retries of a failing send: the first delay, the longest delay and how many (default 5 s, 10 min, 8). */
  readonly retry?: { readonly delayMs?: number; readonly maxDelayMs?: number; readonly maxRetries?: number };
  /** Failures, by ids and codes only. */
  readonly onError?: (what: string, fields: Readonly<Record<string, string>>) => void;
  readonly now?: () => Date;
}

/** Schedules notifications; returned by {@link scheduleCustomerNotifications}. */
export interface NotificationScheduler {
  /** Schedules a notification job for every undelivered event of the claim; the same event twice is one job. */
  enqueue(claim: Claim): Promise<void>;
}

/**
 * Defines the notification job (one per event, retried with exponential backoff and a cap; when
 * the retries run out staff are told) and the sweep that schedules what a crash between a change
 * and its job left behind. Scheduling is idempotent: the job is unique on the event id.
 * @example const notifications = await scheduleCustomerNotifications(agenda, notifier, registry);
 * registry.onChange((claim) => void notifications.enqueue(claim));
 */
export async function scheduleCustomerNotifications(agenda: Agenda, notifier: CustomerNotifier, claims: NotifyClaimsPort, options: CustomerNotificationOptions = {}): Promise<NotificationScheduler> {
  const now = options.now ?? (() => new Date());
  const retry = options.retry ?? {};
  const maxRetries = retry.maxRetries ?? 8;
  agenda.define<NotifyJobData>(
    NOTIFY_JOB,
    async (job) => {
      const { claimId, eventId } = job.attrs.data;
      try {
        await notifier.deliver(claimId, eventId);
      } catch (error) {
        // the last attempt failed too: give up within the job itself (so a lost event listener or
        // a crash cannot leave the event neither delivered nor failed), and staff are told
        if ((job.attrs.failCount ?? 0) < maxRetries) throw error;
        options.onError?.('a notification, after its retries,', { claimId, error: error instanceof Error ? error.name : 'unknown' });
        await notifier.giveUp(claimId, eventId);
      }
    },
    { backoff: exponential({ delay: retry.delayMs ?? 5_000, maxDelay: retry.maxDelayMs ?? 10 * 60_000, maxRetries, jitter: 0.1 }) },
  );

  const enqueue = async (claim: Claim) => {
    for (const event of undeliveredNotices(claim)) {
      const data: NotifyJobData = { claimId: claim.id, eventId: event.id };
      await agenda.create(NOTIFY_JOB, data).unique({ 'data.eventId': event.id }, { insertOnly: true }).schedule(new Date()).save();
    }
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
