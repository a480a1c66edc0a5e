import type { Agenda } from 'agenda';
import type { Channel } from '../domain/claim.js';
import type { DeskConfig } from '../domain/desk.js';
import { watchJobRuns } from './agenda.js';
import type { Claim } from '../domain/lifecycle.js';
import type { DepartmentStats } from '../domain/stats.js';
import { errorName, type Logger } from '../log.js';
import type { ConversationRunner } from '../../flows/runner.js';
import type { ConversationStore } from '../../flows/state.js';
import { scheduleIdleSweep } from './conversation-idle.js';
import { CustomerNotifier, NOTIFY_JOB, scheduleCustomerNotifications, type CustomerNotificationOptions, type EmailNoticePort, type LeasePort, type NoticeFilesPort, type NotificationScheduler, type NotifyJobLimits, type NotifyClaimsPort } from './customer-notification.js';
import { scheduleSlaSweep, type SlaPort } from './sla.js';
import { scheduleFulfilmentSweep, type FulfilmentPort } from './fulfilment.js';
import { scheduleSurveySweep, type SurveyPort } from './survey.js';
import { scheduleHousekeeping, type HousekeepingPort } from './housekeeping.js';
import { scheduleDigest } from './digest.js';
import { scheduleStaffSyncSweep } from './staff-sync.js';
import { scheduleCapaJobs, type CapaJobPorts } from './capa.js';
import type { ActionAlertSender } from '../capa-desk.js';
import { schedulePrivacyJobs, type PrivacyJobPorts } from './privacy.js';
import { allActionAlerts, scheduleStaffNoticeSweep, type ConsoleNotices, type StaffNoticePorts } from './staff-notices.js';

/** What the jobs work on: the desk's ports, built once by the composition root. */
export interface JobPorts {
  readonly desk: DeskConfig;
  readonly claims: NotifyClaimsPort &
    SlaPort &
    FulfilmentPort &
    SurveyPort & {
      listStaffSyncPending(before: Date, limit: number): Promise<string[]>;
      deferStaffSync(claimId: string, until: Date): Promise<void>;
      departmentStats(department: string, since: Date, now: Date): Promise<DepartmentStats>;
    };
  /** Every claim change, so its notification job is scheduled at once (the sweep catches what a crash missed). */
  readonly onClaimChange: (listener: (claim: Claim) => void) => void;
  readonly conversations: ConversationRunner;
  readonly conversationStore: Pick<ConversationStore, 'load' | 'setUnreachable'>;
  readonly notifyLeases: LeasePort;
  /** E-mail notices for claims without a messenger (#25), when SMTP_URL is set. */
  readonly email?: EmailNoticePort;
  /** The files staff send with replies (#25), read by the notification job to send them. */
  readonly replyFiles?: NoticeFilesPort;
  readonly housekeeping: HousekeepingPort;
  /** The customer's rights (#26): the daily retention and the data-request sweep. */
  readonly privacy?: PrivacyJobPorts;
  /** Corrective actions: their desk and store, for the reminder and alert sweeps. */
  readonly capa?: Omit<CapaJobPorts, 'send'>;
  /** The console's notifications (#25): stored at once after a change, their sweep, and corrective actions' alerts. */
  readonly notices?: { readonly console: ConsoleNotices; readonly claims: StaffNoticePorts['claims'] };
  /** When Slack runs: the post sync for its sweep, and the digest poster. */
  readonly slack?: {
    /** Corrective actions' alerts as direct messages. */
    readonly actionAlert?: ActionAlertSender;
    readonly sync: (claimId: string) => Promise<unknown>;
    readonly postDigest: (department: string, numbers: DepartmentStats, since: Date) => Promise<boolean>;
    /** A Slack failure's code for the log. */
    readonly failure: (error: unknown) => string;
  };
  readonly log: Logger;
  /** Told of every job run and notification (the app's metrics). */
  readonly observer?: JobObserver;
}

/** What the jobs tell for metrics: each run (name, outcome, seconds) and each notification's result by channel. */
export interface JobObserver {
  ran(job: string, outcome: 'success' | 'failure', seconds: number): void;
  notification(channel: Channel, result: 'sent' | 'retried' | 'failed'): void;
}

/** How often the sweeps run: the desk's `jobs` settings, which a caller (a test) may override. */
export interface JobCadence {
  readonly notifyLimits: NotifyJobLimits;
  readonly notifications?: CustomerNotificationOptions;
  readonly surveyEvery?: string | number;
  readonly slaEvery?: string | number;
  readonly fulfilmentEvery?: string | number;
  readonly digestEvery?: string | number | false;
  readonly staffSync?: { readonly every?: string | number; readonly graceMs?: number; readonly retryAfterMs?: number };
  /** How often the retention runs (default daily; a test runs it often). */
  readonly retentionEvery?: string | number;
}

/**
 * Defines and schedules every job of the desk on `agenda`: the idle-dialog sweep, customer
 * notifications (at once after a change, and their sweep), SLA and survey sweeps, housekeeping,
 * and with Slack the digest and the post-sync sweep. Failures are logged by id and error name.
 * @example const { notifications } = await scheduleJobs(agenda, ports, { notifyLimits });
 */
export async function scheduleJobs(agenda: Agenda, ports: JobPorts, cadence: JobCadence): Promise<{ readonly notifications: NotificationScheduler }> {
  const { desk, claims, log } = ports;
  const every = desk.jobs;
  const { observer } = ports;
  if (observer) watchJobRuns(agenda, (name, outcome, seconds) => observer.ran(name, outcome, seconds));
  await scheduleIdleSweep(agenda, ports.conversations, every.idleSweepEvery);
  const notifier = new CustomerNotifier({
    desk,
    leases: ports.notifyLeases,
    ...(cadence.notifications?.giveUpAfterMs !== undefined ? { giveUpAfterMs: cadence.notifications.giveUpAfterMs } : {}),
    ...(cadence.notifications?.leaseMs !== undefined ? { leaseMs: cadence.notifications.leaseMs } : {}),
    claims,
    senders: ports.conversations,
    ...(ports.email ? { email: ports.email } : {}),
    ...(ports.replyFiles ? { files: ports.replyFiles } : {}),
    reachability: {
      isUnreachable: async (to) => (await ports.conversationStore.load({ channel: to.channel, chatId: to.chatId })).unreachableSince !== undefined,
      markUnreachable: (to) => ports.conversationStore.setUnreachable({ channel: to.channel, chatId: to.chatId }, new Date()),
    },
    ...(observer ? { onDelivery: (channel: Channel, result: 'sent' | 'retried' | 'failed') => observer.notification(channel, result) } : {}),
  });
  const notifications = await scheduleCustomerNotifications(agenda, notifier, claims, {
    limits: cadence.notifyLimits,
    sweepEvery: every.notifySweepEvery,
    ...cadence.notifications,
    onError: (what, fields) => log.warn('jobs', `${what} failed`, fields),
  });
  ports.onClaimChange((claim) => {
    notifications.enqueue(claim).catch((error: unknown) => log.warn('jobs', 'scheduling a notification failed; the sweep will', { claimId: claim.id, error: errorName(error) }));
  });
  await scheduleSlaSweep(agenda, claims, {
    every: cadence.slaEvery ?? every.slaSweepEvery,
    onError: (claimId, error) => log.warn('jobs', 'SLA check failed; the next sweep retries', { claimId, error: errorName(error) }),
  });
  await scheduleFulfilmentSweep(agenda, claims, {
    every: cadence.fulfilmentEvery ?? every.fulfilmentSweepEvery,
    onError: (claimId, error) => log.warn('jobs', 'fulfilment check failed; the next sweep retries', { claimId, error: errorName(error) }),
  });
  await scheduleSurveySweep(agenda, claims, {
    every: cadence.surveyEvery ?? every.surveySweepEvery,
    onError: (claimId, error) => log.warn('jobs', 'survey step failed; the next sweep retries', { claimId, error: errorName(error) }),
  });
  await scheduleHousekeeping(agenda, ports.housekeeping, {
    names: [NOTIFY_JOB],
    every: every.housekeepingEvery,
    onPruned: (count, what) => log.info('jobs', `pruned ${{ jobs: 'finished jobs', console_sessions: 'ended console sessions', web_chats: 'abandoned web chats', uploads: 'uploads no claim holds', reply_files: 'files of replies never recorded', telegram_chat_slots: 'idle Telegram chat slots', audit: 'audit records past their retention' }[what]}`, { count }),
  });
  if (ports.privacy) {
    await schedulePrivacyJobs(agenda, ports.privacy, {
      ...(cadence.retentionEvery !== undefined ? { retentionEvery: cadence.retentionEvery } : {}),
      onRun: (what, counts) => log.info('jobs', what === 'retention' ? 'retention: personal data of closed claims erased' : 'staff told of data requests', counts),
    });
  }
  const slack = ports.slack;
  const notices = ports.notices;
  if (notices) {
    ports.onClaimChange((claim) => {
      notices.console.deliverClaim(claim).catch((error: unknown) => log.warn('jobs', 'storing console notifications failed; the sweep will', { claimId: claim.id, error: errorName(error) }));
    });
    await scheduleStaffNoticeSweep(agenda, notices.console, notices.claims, {
      every: every.staffSyncSweepEvery,
      onError: (claimId, error) => log.warn('jobs', 'console notifications failed; the next sweep retries', { claimId, error: errorName(error) }),
    });
  }
  if (ports.capa) {
    // the console's notices first (stored once by their key), then Slack's direct messages
    const send = allActionAlerts([notices?.console.actionAlert, slack?.actionAlert]);
    await scheduleCapaJobs(agenda, { ...ports.capa, ...(send ? { send } : {}) }, {
      every: every.capaSweepEvery,
      onError: (actionId, error) => log.warn('jobs', 'corrective action sweep failed; the next sweep retries', { actionId, error: errorName(error) }),
    });
  }
  if (slack) {
    if (cadence.digestEvery !== false) {
      await scheduleDigest(
        agenda,
        desk,
        { departmentStats: (department, since, now) => claims.departmentStats(department, since, now), postDigest: slack.postDigest },
        { ...(cadence.digestEvery !== undefined ? { every: cadence.digestEvery } : {}), onError: (department, error) => log.warn('slack', 'digest not posted', { department, failure: slack.failure(error) }) },
      );
    }
    await scheduleStaffSyncSweep(
      agenda,
      { listPending: (before, limit) => claims.listStaffSyncPending(before, limit), sync: slack.sync, defer: (claimId, until) => claims.deferStaffSync(claimId, until) },
      { every: every.staffSyncSweepEvery, ...cadence.staffSync, onError: (claimId, error) => log.warn('slack', 'claim post sync failed; will retry', { claimId, failure: slack.failure(error) }) },
    );
  }
  return { notifications };
}
