import type { Agenda } from 'agenda';

/** The daily retention run (#26): personal data of claims closed past the desk's period is erased. */
export const RETENTION_JOB = 'privacy.retention';
/** The sweep that tells staff of customers' data requests (`/mydata`). */
export const DATA_REQUESTS_JOB = 'privacy.requests';

export interface PrivacyJobPorts {
  /** Erases what the retention says is due (and finishes unfinished erasures); the counts. */
  readonly retention: () => Promise<{ readonly claims: number; readonly erasures: number }>;
  /** Tells staff of new data requests; how many were told. Absent: staff see them in the console only. */
  readonly tellStaff?: () => Promise<number>;
}

export interface PrivacyJobOptions {
  readonly retentionEvery?: string | number;
  readonly requestsEvery?: string | number;
  /** Counts only (never who): the retention's run and the requests told. */
  readonly onRun?: (what: 'retention' | 'requests', counts: Readonly<Record<string, number>>) => void;
}

/**
 * Schedules the retention (daily by default) and, when staff can be reached, the data-request
 * sweep (every minute). Both are idempotent: a run repeated or cut short leaves nothing half done
 * that the next run does not finish.
 * @example await schedulePrivacyJobs(agenda, { retention: () => customers.eraseByRetention() }, { onRun: (what, counts) => log.info('jobs', what, counts) });
 */
export async function schedulePrivacyJobs(agenda: Agenda, ports: PrivacyJobPorts, options: PrivacyJobOptions = {}): Promise<void> {
  agenda.define(RETENTION_JOB, async () => {
    const counts = await ports.retention();
    options.onRun?.('retention', counts);
  });
  await agenda.every(options.retentionEvery ?? '1 day', RETENTION_JOB);
  const tell = ports.tellStaff;
  if (tell) {
    agenda.define(DATA_REQUESTS_JOB, async () => {
      const told = await tell();
      if (told > 0) options.onRun?.('requests', { told });
    });
    await agenda.every(options.requestsEvery ?? '1 minute', DATA_REQUESTS_JOB);
  }
}
