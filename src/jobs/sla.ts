import type { Agenda } from 'agenda';
import type { ClaimEvent } from '../domain/lifecycle.js';
import { scheduleClaimSweep, type ClaimSweepOptions } from './sweep.js';

/** The sweep that records SLA warnings and breaches as they fall due. */
export const SLA_SWEEP_JOB = 'sla.sweep';

/** What the sweep needs: the store's due list and the registry's step (bound by `deskClaims` in src/registry.ts). */
export interface SlaPort {
  listSlaDue(now: Date, limit?: number): Promise<string[]>;
  /** Records what is due for one claim; staff are told through its history (the Slack sync). */
  runSlaChecks(claimId: string): Promise<readonly ClaimEvent[]>;
}

export type SlaSweepOptions = ClaimSweepOptions;

/**
 * Defines the SLA sweep and schedules it to repeat. Each claim carries the time of its next check
 * (`slaNextCheckAt`, indexed); the sweep records the warnings and breaches due then as history
 * events — each exactly once per claim and deadline, whatever the number of workers, since the
 * events are written compare-and-swap and checked before writing — and staff hear of them from
 * the claim's history (a warning to the assignee, a breach escalated to the department's heads).
 * @example await scheduleSlaSweep(agenda, deskClaims(registry, repository));
 */
export async function scheduleSlaSweep(agenda: Agenda, port: SlaPort, options: SlaSweepOptions = {}): Promise<void> {
  await scheduleClaimSweep(agenda, SLA_SWEEP_JOB, { list: (now, limit) => port.listSlaDue(now, limit), step: (claimId) => port.runSlaChecks(claimId) }, { ...options, batch: 100 });
}
