import type { Agenda } from 'agenda';
import type { DeskConfig } from '../domain/desk.js';
import type { DepartmentStats } from '../domain/stats.js';

/** The periodic per-department summary for staff. */
export const DIGEST_JOB = 'digest.departments';

/** Where the digest reads its numbers and where it goes (the registry and the Slack console). */
export interface DigestPort {
  departmentStats(department: string, since: Date, now: Date): Promise<DepartmentStats>;
  /** Posts one department's digest (to its Slack channel); false when it has nowhere to go. */
  postDigest(department: string, stats: DepartmentStats, since: Date): Promise<boolean>;
}

export interface DigestOptions {
  /** Overrides the desk's cron (tests: a short interval). */
  readonly every?: string | number;
  readonly now?: () => Date;
  readonly onError?: (department: string, error: unknown) => void;
}

const DAY = 24 * 3_600_000;

/**
 * Defines the digest job and schedules it on the desk's cron (`digest.cron`, in the desk's time
 * zone). Each run covers the time since the previous run (a day the first time): new, open,
 * overdue, resolved and the average satisfaction, one message per department with a channel.
 * The job carries no data; a department that fails is logged and the others still get theirs.
 * @example await scheduleDigest(agenda, desk, { departmentStats, postDigest });
 */
export async function scheduleDigest(agenda: Agenda, desk: DeskConfig, port: DigestPort, options: DigestOptions = {}): Promise<void> {
  const now = options.now ?? (() => new Date());
  agenda.define(DIGEST_JOB, async (job) => {
    const at = now();
    // since the previous run finished (Agenda sets lastRunAt as this run starts), a day the first time
    const since = job.attrs.lastFinishedAt ?? new Date(at.getTime() - DAY);
    for (const department of desk.departments) {
      try {
        await port.postDigest(department.id, await port.departmentStats(department.id, since, at), since);
      } catch (error) {
        options.onError?.(department.id, error);
      }
    }
  });
  if (!desk.digest.enabled) {
    // a digest scheduled while it was enabled must not go on
    await agenda.cancel({ name: DIGEST_JOB });
    return;
  }
  await agenda.every(options.every ?? desk.digest.cron, DIGEST_JOB, undefined, { timezone: desk.desk.timezone });
}
