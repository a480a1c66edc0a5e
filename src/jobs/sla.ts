import type { Agenda } from 'agenda';
import type { ClaimEvent } from '../domain/lifecycle.js';

/** The sweep that records SLA warnings and breaches as they fall due. */
export const SLA_SWEEP_JOB = 'sla.sweep';

/** What the sweep needs (the ClaimRegistry). */
export interface SlaPort {
  listSlaDue(now: Date, limit?: number): Promise<string[]>;
  /** Records what is due for one claim; staff are told through its history (the Slack sync). */
  runSlaChecks(claimId: string): Promise<readonly ClaimEvent[]>;
}

export interface SlaSweepOptions {
  /** How often the sweep runs (default every minute). */
  readonly every?: string | number;
  readonly onError?: (claimId: string, error: unknown) => void;
  readonly now?: () => Date;
}

const BATCH = 100;

/**
 * Defines the SLA sweep and schedules it to repeat. Each claim carries the time of its next check
 * (`slaNextCheckAt`, indexed); the sweep records the warnings and breaches due then as history
 * events — each exactly once per claim and deadline, whatever the number of workers, since the
 * events are written compare-and-swap and checked before writing — and staff hear of them from
 * the claim's history (a warning to the assignee, a breach escalated to the department's heads).
 * The job carries no data.
 * @example await scheduleSlaSweep(agenda, registry);
 */
export async function scheduleSlaSweep(agenda: Agenda, port: SlaPort, options: SlaSweepOptions = {}): Promise<void> {
  const now = options.now ?? (() => new Date());
  agenda.define(SLA_SWEEP_JOB, async () => {
    for (;;) {
      const ids = await port.listSlaDue(now(), BATCH);
      for (const id of ids) {
        try {
          await port.runSlaChecks(id);
        } catch (error) {
          options.onError?.(id, error);
        }
      }
      if (ids.length < BATCH) return;
    }
  });
  await agenda.every(options.every ?? '1 minute', SLA_SWEEP_JOB);
}
