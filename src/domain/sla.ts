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
export function slaDue(desk: DeskConfig, category: string, severity: Severity, receivedAt: Date): SlaDue {
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
