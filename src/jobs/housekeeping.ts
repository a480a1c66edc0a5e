import type { Agenda } from 'agenda';

/** The daily cleanup. */
export const HOUSEKEEPING_JOB = 'housekeeping.prune';

export interface HousekeepingPort {
  /** Deletes one-off jobs of these kinds finished before `before`; returns how many. */
  pruneFinishedJobs(names: readonly string[], before: Date): Promise<number>;
  /** Deletes ended console sessions; returns how many. */
  pruneConsoleSessions?(): Promise<number>;
  /** Deletes abandoned web chats (no claim, nothing written for the retention period); returns how many. */
  pruneWebChats?(): Promise<number>;
  /** Deletes the shared Telegram budget's slots of chats idle for a day; returns how many. */
  pruneTelegramChatSlots?(): Promise<number>;
}

export interface HousekeepingOptions {
  /** Job kinds whose finished runs are pruned (the notification job: one per event). */
  readonly names: readonly string[];
  /** How long finished jobs are kept (default 7 days). */
  readonly keepMs?: number;
  readonly every?: string | number;
  readonly now?: () => Date;
  readonly onPruned?: (count: number, what: 'jobs' | 'console_sessions' | 'web_chats' | 'telegram_chat_slots') => void;
}

/**
 * Defines the housekeeping job and schedules it daily: finished one-off jobs older than a week are
 * deleted, console sessions that have ended, abandoned web chats, and the Telegram chat slots of chats idle for a day. (Processed update ids need no pruning: each conversation keeps a sliding window of them.)
 * @example await scheduleHousekeeping(agenda, { pruneFinishedJobs: (names, before) => pruneFinishedJobs(db, names, before) }, { names: [NOTIFY_JOB] });
 */
export async function scheduleHousekeeping(agenda: Agenda, port: HousekeepingPort, options: HousekeepingOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  agenda.define(HOUSEKEEPING_JOB, async () => {
    const pruned = await port.pruneFinishedJobs(options.names, new Date(now().getTime() - (options.keepMs ?? 7 * 24 * 3_600_000)));
    options.onPruned?.(pruned, 'jobs');
    if (port.pruneConsoleSessions) options.onPruned?.(await port.pruneConsoleSessions(), 'console_sessions');
    if (port.pruneWebChats) options.onPruned?.(await port.pruneWebChats(), 'web_chats');
    if (port.pruneTelegramChatSlots) options.onPruned?.(await port.pruneTelegramChatSlots(), 'telegram_chat_slots');
  });
  await agenda.every(options.every ?? '1 day', HOUSEKEEPING_JOB);
}
