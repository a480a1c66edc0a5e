import type { DeskConfig, Severity } from './desk.js';

const HOUR_MS = 3_600_000;

/** The two deadlines every claim gets at registration. */
export interface SlaDue {
  readonly firstResponseDueAt: Date;
  readonly resolutionDueAt: Date;
  readonly firstResponseHours: number;
  readonly resolutionHours: number;
}

/**
 * Computes the SLA deadlines of a claim. The category's targets (or the desk defaults) apply,
 * and a severity target, where the desk sets one, caps them: a critical claim never waits longer
 * than its severity allows, whatever its category.
 * @example slaDue(desk, 'delivery', 'normal', new Date()) // { firstResponseDueAt, resolutionDueAt, … }
 */
export function slaDue(desk: Pick<DeskConfig, 'sla'>, category: string, severity: Severity, receivedAt: Date): SlaDue {
  const base = desk.sla;
  const byCategory = base.categories[category] ?? {};
  const bySeverity = base.severities[severity] ?? {};
  const pick = (categoryValue: number | undefined, defaultValue: number, severityValue: number | undefined): number =>
    Math.min(categoryValue ?? defaultValue, severityValue ?? Number.POSITIVE_INFINITY);
  const firstResponseHours = pick(byCategory.firstResponseHours, base.firstResponseHours, bySeverity.firstResponseHours);
  const resolutionHours = Math.max(firstResponseHours, pick(byCategory.resolutionHours, base.resolutionHours, bySeverity.resolutionHours));
  return {
    firstResponseHours,
    resolutionHours,
    firstResponseDueAt: new Date(receivedAt.getTime() + firstResponseHours * HOUR_MS),
    resolutionDueAt: new Date(receivedAt.getTime() + resolutionHours * HOUR_MS),
  };
}

/** When to warn before a deadline: at `share` of the window from `start` to `due`. */
export function warningAt(start: Date, due: Date, share: number): Date {
  return new Date(start.getTime() + (due.getTime() - start.getTime()) * share);
}

/** The two deadlines of a claim. */
export type SlaDeadline = 'first_response' | 'resolution';
/** A warning before a deadline, or its breach. */
export type SlaStage = 'warning' | 'breach';

/** One SLA check of a claim: when it falls due. */
export interface SlaCheck {
  readonly deadline: SlaDeadline;
  readonly stage: SlaStage;
  readonly at: Date;
}

/** What the SLA checks read of a claim. */
export interface SlaSubject {
  readonly createdAt: Date;
  readonly sla: SlaDue;
  readonly status: string;
  readonly firstResponseAt?: Date;
  readonly history: readonly { readonly type: string; readonly slaDeadline?: SlaDeadline }[];
}

const OPEN = new Set(['new', 'in_review', 'investigating', 'awaiting_customer']);
const EVENT_OF: Record<SlaStage, string> = { warning: 'sla_warning', breach: 'sla_breach' };

/**
 * The checks still ahead for a claim, in time order: for each deadline that still matters (the
 * first response until staff first act, the resolution while the claim is open) a warning at
 * `share` of its window and the breach at its due time, leaving out those already recorded in
 * the history — so each is recorded exactly once per claim and deadline.
 * @example pendingSlaChecks(claim, 0.75) // [{ deadline: 'first_response', stage: 'warning', at }, …]
 */
export function pendingSlaChecks(claim: SlaSubject, share: number): SlaCheck[] {
  if (!OPEN.has(claim.status)) return [];
  const recorded = (deadline: SlaDeadline, stage: SlaStage) => claim.history.some((event) => event.type === EVENT_OF[stage] && event.slaDeadline === deadline);
  const checks: SlaCheck[] = [];
  const add = (deadline: SlaDeadline, due: Date) => {
    if (recorded(deadline, 'breach')) return;
    if (!recorded(deadline, 'warning')) checks.push({ deadline, stage: 'warning', at: warningAt(claim.createdAt, due, share) });
    checks.push({ deadline, stage: 'breach', at: due });
  };
  if (claim.firstResponseAt === undefined) add('first_response', claim.sla.firstResponseDueAt);
  add('resolution', claim.sla.resolutionDueAt);
  return checks.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The checks due at `now`. A warning whose deadline is already breached is dropped: the breach
 * says more, and nobody needs a warning after the fact.
 */
export function dueSlaChecks(claim: SlaSubject, share: number, now: Date): SlaCheck[] {
  const due = pendingSlaChecks(claim, share).filter((check) => check.at.getTime() <= now.getTime());
  return due.filter((check) => check.stage === 'breach' || !due.some((other) => other.deadline === check.deadline && other.stage === 'breach'));
}

/** When the next check of a claim falls due, or undefined when none is left. */
export function nextSlaCheckAt(claim: SlaSubject, share: number): Date | undefined {
  return pendingSlaChecks(claim, share)[0]?.at;
}
