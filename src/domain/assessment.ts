import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Severity, type DeskConfig, type SlaPolicyConfig } from './desk.js';
import { refusal, type Refusal } from './errors.js';
import { canApply, type Actor, type Claim, type ClaimEvent, type ClaimStatus } from './lifecycle.js';
import { slaDue, type SlaDue } from './sla.js';

/**
 * The initial assessment (DOMAIN.md stage 4, issue #24): is it a customer of ours, is the case
 * within warranty, is the claim justified at first sight, and how severe it is. Setting the
 * severity recomputes the SLA due times from policy, never later than already promised to the
 * customer unless a head extends them with a reason the customer is told. Pure.
 */

/** A three-way answer: yes, no, or not known (yet). */
export const YES_NO_UNKNOWN = ['yes', 'no', 'unknown'] as const;
export const YesNoUnknown = z.enum(YES_NO_UNKNOWN);
export type YesNoUnknown = z.infer<typeof YesNoUnknown>;

/** Whether a claim is justified at first sight. */
export const JUSTIFIED = ['yes', 'no', 'needs_investigation'] as const;
export const Justified = z.enum(JUSTIFIED);
export type Justified = z.infer<typeof Justified>;

/** The longest reason staff give (a warranty override, a deadline extension). */
export const ASSESSMENT_REASON_MAX = 500;
const Reason = z.string().trim().min(1, 'expected a reason').max(ASSESSMENT_REASON_MAX);

/** Statuses in which a claim may be assessed (or its assessment changed). */
export const ASSESSABLE_STATUSES: readonly ClaimStatus[] = ['in_review', 'investigating'];

/**
 * What staff record in an assessment. `warrantyOverride` replaces what the purchase date and the
 * category's warranty period say (with a reason); `extendReason` lets the new severity's due times
 * go later than already promised (a head's right; the customer is told the reason).
 * @example AssessmentInput.parse({ customer: 'yes', justified: 'needs_investigation', severity: 'high' })
 */
export const AssessmentInput = z
  .object({
    customer: YesNoUnknown,
    justified: Justified,
    severity: Severity,
    warrantyOverride: z.object({ within: z.enum(['yes', 'no']), reason: Reason }).strict().optional(),
    extendReason: Reason.optional(),
  })
  .strict();
export type AssessmentInput = z.infer<typeof AssessmentInput>;

/** The values an assessment holds (what an `assessed` event carries too). */
export interface AssessmentValues {
  readonly customer: YesNoUnknown;
  /** Within warranty, as recorded: the override if staff gave one, else what the dates say. */
  readonly warranty: YesNoUnknown;
  /** What the purchase date and the category's warranty period say. */
  readonly warrantyDerived: YesNoUnknown;
  /** Why staff overrode the derived warranty (absent when they did not). */
  readonly warrantyReason?: string;
  readonly justified: Justified;
  readonly severity: Severity;
}

/** A claim's assessment: its values, who recorded them last and when. */
export interface Assessment extends AssessmentValues {
  readonly at: Date;
  readonly by: string;
}

/** The desk settings the assessment and the investigation read. */
export interface ClaimsWorkPolicy {
  readonly sla: SlaPolicyConfig;
  /** The desk's time zone: the day a claim was received in it is compared with the warranty's end. */
  readonly timezone: string;
  /** Warranty months by category id (categories without a period are left out). */
  readonly warrantyMonths: Readonly<Record<string, number>>;
  /** The cause category ids an investigation may name. */
  readonly causeCategories: readonly string[];
}

/** The claims-work policy of a desk configuration. */
export function claimsWorkPolicy(desk: Pick<DeskConfig, 'sla' | 'desk' | 'categories' | 'causeCategories'>): ClaimsWorkPolicy {
  const warrantyMonths: Record<string, number> = {};
  for (const category of desk.categories) if (category.warrantyMonths !== undefined) warrantyMonths[category.id] = category.warrantyMonths;
  return { sla: desk.sla, timezone: desk.desk.timezone, warrantyMonths, causeCategories: desk.causeCategories.map((cause) => cause.id) };
}

/**
 * The calendar day of an instant in a time zone, as YYYY-MM-DD.
 * @example dayIn(new Date('2026-12-03T22:30:00Z'), 'Europe/Moscow') // '2026-12-04'
 */
export function dayIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The last day of a warranty of `months` from `purchased` (YYYY-MM-DD): the same day of the month
 * `months` later, or that month's last day when it is shorter (31 Jan + 1 month → 28/29 Feb).
 * @example warrantyEnd('2026-01-31', 1) // '2026-02-28'
 */
export function warrantyEnd(purchased: string, months: number): string {
  const [year, month, day] = purchased.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const endYear = Math.floor(index / 12);
  const endMonth = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(endYear, endMonth, 0)).getUTCDate();
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(endYear, 4)}-${pad(endMonth, 2)}-${pad(Math.min(day, lastDay), 2)}`;
}

/**
 * Whether a claim is within warranty by its dates: `unknown` without a purchase date or without a
 * warranty period for its category; else whether the day it was received (in the desk's time zone)
 * is on or before the warranty's last day (a purchase dated after receipt counts as within).
 * @example derivedWarranty({ category: 'defect', createdAt, concerns: { purchaseDate: '2026-01-10' } }, policy) // 'yes'
 */
export function derivedWarranty(claim: Pick<Claim, 'category' | 'createdAt' | 'concerns'>, policy: ClaimsWorkPolicy): YesNoUnknown {
  const months = policy.warrantyMonths[claim.category];
  const purchased = claim.concerns.purchaseDate;
  if (months === undefined || purchased === undefined) return 'unknown';
  return dayIn(claim.createdAt, policy.timezone) <= warrantyEnd(purchased, months) ? 'yes' : 'no';
}

const HOUR_MS = 3_600_000;

/** What a new severity does to the due times. */
export interface DueChange {
  readonly sla: SlaDue;
  /** Whether a due time moves later than promised (only with an extension). */
  readonly extended: boolean;
}

/**
 * The due times for a claim at a new severity: the policy's (src/domain/sla.ts, from receipt),
 * each never later than already promised — unless `extend`, when the policy's times stand even
 * where they are later. Undefined when nothing moves.
 * @example dueForSeverity(claim, 'critical', policy, false) // { sla: { resolutionDueAt: … }, extended: false }
 */
export function dueForSeverity(claim: Pick<Claim, 'category' | 'createdAt' | 'sla'>, severity: z.infer<typeof Severity>, policy: ClaimsWorkPolicy, extend: boolean): DueChange | undefined {
  const byPolicy = slaDue(policy, claim.category, severity, claim.createdAt);
  const pick = (policyDue: Date, promised: Date) => (extend || policyDue.getTime() < promised.getTime() ? policyDue : promised);
  const firstResponseDueAt = pick(byPolicy.firstResponseDueAt, claim.sla.firstResponseDueAt);
  const resolutionDueAt = pick(byPolicy.resolutionDueAt, claim.sla.resolutionDueAt);
  if (firstResponseDueAt.getTime() === claim.sla.firstResponseDueAt.getTime() && resolutionDueAt.getTime() === claim.sla.resolutionDueAt.getTime()) return undefined;
  const hours = (due: Date) => (due.getTime() - claim.createdAt.getTime()) / HOUR_MS;
  const extended = firstResponseDueAt.getTime() > claim.sla.firstResponseDueAt.getTime() || resolutionDueAt.getTime() > claim.sla.resolutionDueAt.getTime();
  return { sla: { firstResponseDueAt, resolutionDueAt, firstResponseHours: hours(firstResponseDueAt), resolutionHours: hours(resolutionDueAt) }, extended };
}

/** What an assessment changes on a claim, planned (the claim-changes module wraps it into a change). */
export interface AssessmentPlan {
  readonly set: Partial<Pick<Claim, 'assessment' | 'severity' | 'sla'>>;
  readonly events: readonly ClaimEvent[];
  /** Whether the due times moved (the SLA sweep's next look moves with them). */
  readonly slaChanged: boolean;
}

const VALUE_KEYS = ['customer', 'warranty', 'justified', 'severity'] as const;

/**
 * Plans an assessment: only on a claim in review or under investigation. Records the values (the
 * derived warranty beside any override), what changed against the last assessment, and — when the
 * severity changes — the due times by {@link dueForSeverity}. An `extendReason` that moves nothing
 * later is refused (the customer would be told of an extension that is none); the same values
 * again plan nothing (`undefined`).
 * @example planAssessment(claim, { customer: 'yes', justified: 'no', severity: 'low' }, { kind: 'staff', staffId: 'olga' }, policy, now)
 */
export function planAssessment(claim: Claim, input: AssessmentInput, actor: Extract<Actor, { kind: 'staff' }>, policy: ClaimsWorkPolicy, now: Date): AssessmentPlan | Refusal | undefined {
  if (!ASSESSABLE_STATUSES.includes(claim.status)) {
    return refusal('INVALID_TRANSITION', `cannot assess a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'assess' });
  }
  const warrantyDerived = derivedWarranty(claim, policy);
  const values: AssessmentValues = {
    customer: input.customer,
    warranty: input.warrantyOverride?.within ?? warrantyDerived,
    warrantyDerived,
    ...(input.warrantyOverride ? { warrantyReason: input.warrantyOverride.reason } : {}),
    justified: input.justified,
    severity: input.severity,
  };
  const before = claim.assessment;
  const changed: string[] = VALUE_KEYS.filter((key) => (key === 'severity' ? claim.severity !== values.severity : before?.[key] !== values[key]));
  if (before && before.warrantyReason !== values.warrantyReason && !changed.includes('warranty')) changed.push('warranty');
  if (!before && !changed.includes('severity')) changed.push('severity');
  const due = claim.severity !== values.severity || input.extendReason !== undefined ? dueForSeverity(claim, values.severity, policy, input.extendReason !== undefined) : undefined;
  if (input.extendReason !== undefined && !due?.extended) {
    return refusal('INVALID_CLAIM', 'nothing to extend: the due times of this severity are not later than promised', { number: claim.number });
  }
  if (before && changed.length === 0 && !due) return undefined;
  const events: ClaimEvent[] = [{ id: randomUUID(), at: now, actor, type: 'assessed', assessment: values, changed, notifyCustomer: false }];
  if (due) {
    events.push({
      id: randomUUID(),
      at: now,
      actor,
      type: 'deadline_changed',
      due: { firstResponseDueAt: due.sla.firstResponseDueAt, resolutionDueAt: due.sla.resolutionDueAt },
      // a later time than promised is the customer's news, with the reason
      notifyCustomer: due.extended,
      ...(due.extended && input.extendReason !== undefined ? { note: input.extendReason } : {}),
    });
  }
  return {
    set: { assessment: { ...values, at: now, by: actor.staffId }, severity: values.severity, ...(due ? { sla: due.sla } : {}) },
    events,
    slaChanged: due !== undefined,
  };
}

/** The step a claim's assessment points to: assess it, investigate it, or decide it (reject). */
export type NextStep = 'assess' | 'investigate' | 'reject';

/**
 * What a claim should have done next by its assessment: a claim in review without one is to be
 * assessed; "needs investigation" → investigate (while the transition table allows it); "not
 * justified" → the decision, a rejection (while a decision is possible). Otherwise nothing.
 * @example nextStep({ status: 'in_review', assessment: { justified: 'no', … } }) // 'reject'
 */
export function nextStep(claim: Pick<Claim, 'status' | 'assessment'>): NextStep | undefined {
  const justified = claim.assessment?.justified;
  if (justified === undefined) return claim.status === 'in_review' ? 'assess' : undefined;
  if (justified === 'no' && canApply(claim.status, 'resolve')) return 'reject';
  if (justified === 'needs_investigation' && canApply(claim.status, 'investigate')) return 'investigate';
  return undefined;
}
