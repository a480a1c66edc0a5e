import type { Agenda } from 'agenda';
import { scheduleClaimSweep } from './sweep.js';

/** The job that catches up the staff's view (the Slack posts) with claims changed meanwhile. */
export const STAFF_SYNC_SWEEP_JOB = 'staff.sync-sweep';

/** What the sweep needs: the claims whose latest change is not shown yet, and the sync itself. */
export interface StaffSyncPort {
  /** Claim ids changed before `before` and not yet shown to staff. */
  listPending(before: Date, limit: number): Promise<string[]>;
  /** Brings the staff's view of one claim up to date; throws when the channel fails. */
  sync(claimId: string): Promise<unknown>;
  /** Puts a claim whose sync failed back, not before `until`. */
  defer(claimId: string, until: Date): Promise<void>;
}

export interface StaffSyncSweepOptions {
  /** How often the sweep runs (default every minute). */
  readonly every?: string | number;
  /** A change younger than this is left to the immediate sync (default 30 s). */
  readonly graceMs?: number;
  /** How long a claim whose sync failed waits before the next try (default 5 minutes). */
  readonly retryAfterMs?: number;
  /** Failures, by claim id and code only. */
  readonly onError?: (claimId: string, error: unknown) => void;
  readonly now?: () => Date;
}

const BATCH = 50;

/**
 * Defines the staff sync sweep and schedules it to repeat. A claim registered or changed while
 * Slack was unreachable, or while the app crashed between the change and its post, is posted and
 * updated here. The job carries no data; every sync is idempotent (effects already done are
 * recorded), so at-least-once is safe. A claim whose sync fails stays pending and waits a while
 * before the next try, so a few claims Slack keeps refusing never hold back the others.
 * @example await scheduleStaffSyncSweep(agenda, { listPending, sync: (id) => slackSync.sync(id) });
 */
export async function scheduleStaffSyncSweep(agenda: Agenda, port: StaffSyncPort, options: StaffSyncSweepOptions = {}): Promise<void> {
  await scheduleClaimSweep(
    agenda,
    STAFF_SYNC_SWEEP_JOB,
    {
      list: (now, limit) => port.listPending(new Date(now.getTime() - (options.graceMs ?? 30_000)), limit),
      step: (claimId) => port.sync(claimId),
      failed: (claimId, now) => port.defer(claimId, new Date(now.getTime() + (options.retryAfterMs ?? 5 * 60_000))),
    },
    { ...options, batch: BATCH, maxRounds: 1 },
  );
}
