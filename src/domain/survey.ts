import type { SurveyConfig } from './desk.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** The satisfaction scores a customer can give: 1 (very bad) to 5 (excellent). */
export const SURVEY_SCORES = [1, 2, 3, 4, 5] as const;
export type SurveyScore = (typeof SURVEY_SCORES)[number];

/** Scores that alert the department and the assignee. */
export const LOW_SCORE_MAX = 2;

/** Why no survey was sent for a resolved claim. */
export type SurveySkip = 'spam_or_duplicate' | 'cooldown';

/** The survey of a resolved claim, as stored on the claim. */
export interface SurveyRecord {
  readonly sentAt?: Date;
  readonly remindedAt?: Date;
  readonly skipped?: SurveySkip;
  /** When the survey window ends and the claim closes, answered or not. */
  readonly closeAt: Date;
  readonly score?: SurveyScore;
  readonly answeredAt?: Date;
  readonly comment?: string;
}

/** What the survey rules read of a claim. */
export interface SurveySubject {
  readonly status: string;
  readonly decision?: { readonly outcome: string; readonly reason?: string };
  readonly survey?: SurveyRecord;
}

/** The next thing to do about a claim's survey. */
export type SurveyStep =
  | { readonly kind: 'send'; readonly record: SurveyRecord; readonly nextAt: Date }
  | { readonly kind: 'skip'; readonly record: SurveyRecord; readonly nextAt: Date }
  | { readonly kind: 'remind'; readonly record: SurveyRecord; readonly nextAt: Date }
  | { readonly kind: 'close' }
  | { readonly kind: 'wait'; readonly nextAt: Date }
  /** The claim is no longer resolved (reopened, closed): nothing left to do. */
  | { readonly kind: 'none' };

/** When the survey of a claim resolved at `resolvedAt` is first looked at. */
export function surveyStartAt(resolvedAt: Date, config: SurveyConfig): Date {
  return new Date(resolvedAt.getTime() + config.delayMinutes * MINUTE);
}

/**
 * The survey rules, as one pure step: a resolved claim gets the survey after the configured delay
 * — unless it was rejected as spam or a duplicate, or the customer had a survey within the
 * cooldown — then one reminder if unanswered, and the claim closes when the window ends,
 * answered or not (a skipped survey closes after the same window).
 * @example nextSurveyStep(claim, desk.survey, new Date(), false) // { kind: 'send', record, nextAt }
 */
export function nextSurveyStep(claim: SurveySubject, config: SurveyConfig, now: Date, surveyedRecently: boolean): SurveyStep {
  // a claim staff closed early (#25) keeps its survey: the sweep looks at it only while it is scheduled
  if (claim.status !== 'resolved' && claim.status !== 'closed') return { kind: 'none' };
  const window = config.windowHours * HOUR;
  const survey = claim.survey;
  if (!survey) {
    const closeAt = new Date(now.getTime() + window);
    const exempt = claim.decision?.outcome === 'rejected' && (claim.decision.reason === 'spam' || claim.decision.reason === 'duplicate');
    if (exempt || surveyedRecently) return { kind: 'skip', record: { skipped: exempt ? 'spam_or_duplicate' : 'cooldown', closeAt }, nextAt: closeAt };
    const remindAt = new Date(now.getTime() + config.reminderAfterHours * HOUR);
    return { kind: 'send', record: { sentAt: now, closeAt }, nextAt: remindAt < closeAt ? remindAt : closeAt };
  }
  if (now.getTime() >= survey.closeAt.getTime()) return { kind: 'close' };
  if (survey.sentAt && survey.score === undefined && survey.remindedAt === undefined) {
    const remindAt = new Date(survey.sentAt.getTime() + config.reminderAfterHours * HOUR);
    if (now.getTime() >= remindAt.getTime()) return { kind: 'remind', record: { ...survey, remindedAt: now }, nextAt: survey.closeAt };
    return { kind: 'wait', nextAt: remindAt };
  }
  return { kind: 'wait', nextAt: survey.closeAt };
}

/** Whether a score is one of 1–5. */
export function isSurveyScore(value: number): value is SurveyScore {
  return (SURVEY_SCORES as readonly number[]).includes(value);
}
