import type { Agenda } from 'agenda';
import type { CustomerIdentity } from '../domain/claim.js';
import type { ConversationKey } from '../../flows/state.js';
import type { WebVisitorRecords } from '../web-chat-ports.js';
import type { Claim } from '../domain/lifecycle.js';
import { replyFilesOf } from '../domain/staff-message.js';

/** The hourly cleanup. */
export const HOUSEKEEPING_JOB = 'housekeeping.prune';

export interface HousekeepingPort {
  /** Deletes one-off jobs of these kinds finished before `before`; returns how many. */
  pruneFinishedJobs(names: readonly string[], before: Date): Promise<number>;
  /** Deletes ended console sessions; returns how many. */
  pruneConsoleSessions?(): Promise<number>;
  /** Deletes abandoned web chats (no claim, nothing written for the retention period); returns how many. */
  pruneWebChats?(): Promise<number>;
  /** Deletes web chat uploads that no claim holds after a few hours; returns how many. */
  pruneUploads?(): Promise<number>;
  /** Deletes the files of replies that were never recorded (#25), an hour on; returns how many. */
  pruneReplyFiles?(): Promise<number>;
  /** Deletes the shared Telegram budget's slots of chats idle for a day; returns how many. */
  pruneTelegramChatSlots?(): Promise<number>;
  /** Deletes audit records older than the desk's audit retention (`audit.retentionDays`); returns how many. */
  pruneAudit?(): Promise<number>;
}

export interface HousekeepingOptions {
  /** Job kinds whose finished runs are pruned (the notification job: one per event). */
  readonly names: readonly string[];
  /** How long finished jobs are kept (default 7 days). */
  readonly keepMs?: number;
  readonly every?: string | number;
  readonly now?: () => Date;
  readonly onPruned?: (count: number, what: 'jobs' | 'console_sessions' | 'web_chats' | 'uploads' | 'reply_files' | 'telegram_chat_slots' | 'audit') => void;
}

/**
 * Defines the housekeeping job and schedules it hourly: finished one-off jobs older than a week are
 * deleted, console sessions that have ended, abandoned web chats, uploads no claim holds, the
 * Telegram chat slots of chats idle for a day, and audit records past the desk's audit retention.
 * @example await scheduleHousekeeping(agenda, { pruneFinishedJobs: (names, before) => pruneFinishedJobs(db, names, before) }, { names: [NOTIFY_JOB] });
 */
export async function scheduleHousekeeping(agenda: Agenda, port: HousekeepingPort, options: HousekeepingOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  agenda.define(HOUSEKEEPING_JOB, async () => {
    const pruned = await port.pruneFinishedJobs(options.names, new Date(now().getTime() - (options.keepMs ?? 7 * 24 * 3_600_000)));
    options.onPruned?.(pruned, 'jobs');
    if (port.pruneConsoleSessions) options.onPruned?.(await port.pruneConsoleSessions(), 'console_sessions');
    if (port.pruneWebChats) options.onPruned?.(await port.pruneWebChats(), 'web_chats');
    if (port.pruneUploads) options.onPruned?.(await port.pruneUploads(), 'uploads');
    if (port.pruneReplyFiles) options.onPruned?.(await port.pruneReplyFiles(), 'reply_files');
    if (port.pruneTelegramChatSlots) options.onPruned?.(await port.pruneTelegramChatSlots(), 'telegram_chat_slots');
    if (port.pruneAudit) options.onPruned?.(await port.pruneAudit(), 'audit');
  });
  await agenda.every(options.every ?? '1 hour', HOUSEKEEPING_JOB);
}

/** Hours a reply's stored file waits for its reply to be recorded (it takes seconds), then is deleted. */
export const UNRECORDED_REPLY_FILE_HOURS = 1;

/**
 * The sweep of reply files whose reply was never recorded (#25): a file held by the claim it was
 * stored for is kept (and never looked at again), any other is deleted after an hour.
 * @example housekeeping.pruneReplyFiles = replyFilesCleanup(core.replyFiles, core.repository).pruneReplyFiles;
 */
export function replyFilesCleanup(
  files: { pruneUnheld(heldBy: (target: string) => Promise<ReadonlySet<string> | undefined>, before: Date): Promise<number> },
  claims: { findById(id: string): Promise<Claim | undefined> },
  now: () => Date = () => new Date(),
): Required<Pick<HousekeepingPort, 'pruneReplyFiles'>> {
  const heldBy = async (target: string) => {
    const claim = target.startsWith('claim:') ? await claims.findById(target.slice('claim:'.length)) : undefined;
    return claim ? new Set(replyFilesOf(claim).map((file) => file.fileId)) : undefined;
  };
  return { pruneReplyFiles: () => files.pruneUnheld(heldBy, new Date(now().getTime() - UNRECORDED_REPLY_FILE_HOURS * 3_600_000)) };
}

/** Hours an upload no claim holds is kept (its sender is not in a dialog any more), then deleted. */
export const UNATTACHED_UPLOAD_HOURS = 6;

/** Days an abandoned web chat (no claim, nothing written) is kept, with its uploads (the default of `privacy.retention.abandonedWebChatDays`). */
export const WEB_CHAT_RETENTION_DAYS = 30;

/** Hours a web chat whose visitor never wrote is kept (a flood of new chats leaves such records). */
export const SILENT_WEB_CHAT_RETENTION_HOURS = 24;

/** The web chat's stores as the retention rule needs them, and what the other stores know of its visitors. */
export interface WebChatRetentionPorts {
  readonly chats: { pruneAbandoned(records: WebVisitorRecords, before: Date, limit: number, silentBefore: Date): Promise<{ readonly pruned: readonly string[]; readonly looked: number }> };
  readonly uploads: { deleteOwnedBy(ownerIds: readonly string[]): Promise<number>; pruneUnattached(records: WebVisitorRecords, before: Date): Promise<number> };
  readonly visitors: WebVisitorRecords;
}

/**
 * What the claims' and the conversations' stores know of a web visitor (their customer identity
 * and chat are the visitor id on the `web` channel), for the web chat's housekeeping.
 * @example webChatRetention({ chats, uploads, visitors: webVisitorRecords(repository, conversationStore) });
 */
export function webVisitorRecords(
  claims: { hasClaimsOf(customer: CustomerIdentity): Promise<boolean>; fileIdsHeldBy(customer: CustomerIdentity): Promise<ReadonlySet<string>> },
  conversations: { inDialog(key: ConversationKey): Promise<boolean>; forget(key: ConversationKey): Promise<void> },
): WebVisitorRecords {
  const customer = (visitorId: string): CustomerIdentity => ({ channel: 'web', userId: visitorId });
  const chat = (visitorId: string): ConversationKey => ({ channel: 'web', chatId: visitorId });
  return {
    hasClaims: (visitorId) => claims.hasClaimsOf(customer(visitorId)),
    heldFiles: (visitorId) => claims.fileIdsHeldBy(customer(visitorId)),
    inDialog: (visitorId) => conversations.inDialog(chat(visitorId)),
    forgetConversation: (visitorId) => conversations.forget(chat(visitorId)),
  };
}

/**
 * The web chat's retention rule as housekeeping steps: abandoned chats (and their uploads) after
 * `retentionDays` (the desk's `privacy.retention.abandonedWebChatDays`, default WEB_CHAT_RETENTION_DAYS), silent ones after SILENT_WEB_CHAT_RETENTION_HOURS (up to 10 000
 * visitors looked at a run), and uploads no claim holds after UNATTACHED_UPLOAD_HOURS.
 * @example scheduleHousekeeping(agenda, { pruneFinishedJobs, ...webChatRetention({ chats, uploads, visitors }) }, options);
 */
export function webChatRetention(ports: WebChatRetentionPorts, now: () => Date = () => new Date(), retentionDays: number = WEB_CHAT_RETENTION_DAYS): Pick<HousekeepingPort, 'pruneWebChats' | 'pruneUploads'> {
  return {
    async pruneWebChats() {
      const at = now().getTime();
      const before = new Date(at - retentionDays * 86_400_000);
      const silentBefore = new Date(at - SILENT_WEB_CHAT_RETENTION_HOURS * 3_600_000);
      let pruned = 0;
      for (let round = 0; round < 20; round++) {
        const batch = await ports.chats.pruneAbandoned(ports.visitors, before, 500, silentBefore);
        await ports.uploads.deleteOwnedBy(batch.pruned);
        pruned += batch.pruned.length;
        if (batch.looked < 500) break;
      }
      return pruned;
    },
    pruneUploads: () => ports.uploads.pruneUnattached(ports.visitors, new Date(now().getTime() - UNATTACHED_UPLOAD_HOURS * 3_600_000)),
  };
}
