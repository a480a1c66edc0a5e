import type { Agenda } from 'agenda';
import type { ClaimEvent } from '../domain/lifecycle.js';
import { scheduleClaimSweep, type ClaimSweepOptions } from './sweep.js';

/** The sweep that records decisions' remedies overdue and escalated (#25). */
export const FULFILMENT_SWEEP_JOB = 'fulfilment.sweep';

/** What the sweep needs: the store's due list and the registry's step (bound by `deskClaims` in src/registry.ts). */
export interface FulfilmentPort {
  listFulfilmentDue(now: Date, limit?: number): Promise<string[]>;
  /** Records what is due for one claim; staff are told through its history (alertsFor). */
  runFulfilmentChecks(claimId: string): Promise<readonly ClaimEvent[]>;
}

/**
 * Defines the fulfilment sweep and schedules it to repeat. Each claim whose decision has a remedy
 * to carry out by a date holds the time of its next look (`fulfilmentNextAt`, indexed): the due
 * date, then the escalation. A remedy not done by then is recorded overdue (the assignee is
 * alerted), later escalated (the heads) — each exactly once per fulfilment, whatever the number of
 * workers, since the fulfilment records both and is written compare-and-swap
 * (src/domain/decision-workflow.ts planFulfilmentChecks).
 * @example await scheduleFulfilmentSweep(agenda, deskClaims(registry, repository), { every: '1 minute' });
 */
export async function scheduleFulfilmentSweep(agenda: Agenda, port: FulfilmentPort, options: ClaimSweepOptions = {}): Promise<void> {
  await scheduleClaimSweep(agenda, FULFILMENT_SWEEP_JOB, { list: (now, limit) => port.listFulfilmentDue(now, limit), step: (claimId) => port.runFulfilmentChecks(claimId) }, { ...options, batch: 100 });
}
