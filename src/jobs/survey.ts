import type { Agenda } from 'agenda';
import type { ClaimEvent } from '../domain/lifecycle.js';
import { scheduleClaimSweep, type ClaimSweepOptions } from './sweep.js';

/** The sweep that runs the satisfaction surveys of resolved claims: send, remind, close. */
export const SURVEY_SWEEP_JOB = 'survey.sweep';

/** What the sweep needs: the store's due list and the registry's step (bound by `deskClaims` in src/registry.ts). */
export interface SurveyPort {
  listSurveyDue(now: Date, limit?: number): Promise<string[]>;
  /** One step of one claim's survey; the customer is told through its history (the notification job). */
  advanceSurvey(claimId: string): Promise<readonly ClaimEvent[]>;
}

export type SurveySweepOptions = ClaimSweepOptions;

/**
 * Defines the survey sweep and schedules it to repeat. A resolved claim carries the time of its
 * next survey step (`surveyNextAt`): the survey after the configured delay (none for spam or
 * duplicates, none within a customer's cooldown), one reminder, and the close when the window
 * ends. Each step is a compare-and-swap write of the claim with a history event, so two workers
 * never take the same step twice; the survey message itself goes out through the notification job
 * (one job per claim). The job carries no data.
 * @example await scheduleSurveySweep(agenda, deskClaims(registry, repository));
 */
export async function scheduleSurveySweep(agenda: Agenda, port: SurveyPort, options: SurveySweepOptions = {}): Promise<void> {
  await scheduleClaimSweep(agenda, SURVEY_SWEEP_JOB, { list: (now, limit) => port.listSurveyDue(now, limit), step: (claimId) => port.advanceSurvey(claimId) }, { ...options, batch: 100 });
}
