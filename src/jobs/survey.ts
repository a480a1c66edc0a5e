import type { Agenda } from 'agenda';
import type { ClaimEvent } from '../domain/lifecycle.js';

/** The sweep that runs the satisfaction surveys of resolved claims: send, remind, close. */
export const SURVEY_SWEEP_JOB = 'survey.sweep';

/** What the sweep needs (the ClaimRegistry). */
export interface SurveyPort {
  listSurveyDue(now: Date, limit?: number): Promise<string[]>;
  /** One step of one claim's survey; the customer is told through its history (the notification job). */
  advanceSurvey(claimId: string): Promise<readonly ClaimEvent[]>;
}

export interface SurveySweepOptions {
  /** How often the sweep runs (default every minute). */
  readonly every?: string | number;
  readonly onError?: (claimId: string, error: unknown) => void;
  readonly now?: () => Date;
}

const BATCH = 100;

/**
 * Defines the survey sweep and schedules it to repeat. A resolved claim carries the time of its
 * next survey step (`surveyNextAt`): the survey after the configured delay (none for spam or
 * duplicates, none within a customer's cooldown), one reminder, and the close when the window
 * ends. Each step is a compare-and-swap write of the claim with a history event, so two workers
 * never take the same step twice; the survey message itself goes out through the notification job
 * (one job per event). The job carries no data.
 * @example await scheduleSurveySweep(agenda, registry);
 */
export async function scheduleSurveySweep(agenda: Agenda, port: SurveyPort, options: SurveySweepOptions = {}): Promise<void> {
  const now = options.now ?? (() => new Date());
  agenda.define(SURVEY_SWEEP_JOB, async () => {
    for (;;) {
      const ids = await port.listSurveyDue(now(), BATCH);
      for (const id of ids) {
        try {
          await port.advanceSurvey(id);
        } catch (error) {
          options.onError?.(id, error);
        }
      }
      if (ids.length < BATCH) return;
    }
  });
  await agenda.every(options.every ?? '1 minute', SURVEY_SWEEP_JOB);
}
