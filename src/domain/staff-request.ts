import { z } from 'zod';
import { AssessmentInput } from './assessment.js';
import { InvestigationInput } from './investigation.js';
import type { StaffAction } from './staff.js';
import { Remedy } from './claim.js';
import { parseAmount, RejectionReason } from './decision.js';
import { CustomerQuestion, ReopenReason } from './lifecycle.js';
import { parseClaimNumber } from './numbering.js';
import { StaffMessageText } from './staff-message.js';
import { FULFILMENT_DAYS_MAX, ReturnNote, StaffNote } from './decision-workflow.js';
import { RelocationReason } from './relocation.js';
import { TellMeans, ToldEventIds, ToldNote } from './customer-told.js';

/** The longest staff id the desk config allows (its id rule). */
const StaffId = z.string().min(1, 'expected a staff member').max(40);

/**
 * An amount as staff type it (`1 299,90`, `1299.90 ₽`, `12`): read into hundredths and the
 * currency it names, if any (src/domain/decision.ts); empty is none.
 */
const AmountText = z
  .string()
  .max(40, 'expected an amount such as 1 299,90')
  .transform((typed, ctx) => {
    if (typed.trim() === '') return undefined;
    const parsed = parseAmount(typed);
    if (parsed.ok) return { minor: parsed.minor, ...(parsed.currency !== undefined ? { currency: parsed.currency } : {}) };
    ctx.addIssue({ code: 'custom', message: `expected a positive amount such as 1 299,90 (${parsed.problem})`, params: { problem: 'invalid_amount' } });
    return z.NEVER;
  });

/** A choice from a form's list: empty is none. */
const OptionalId = z
  .string()
  .max(64)
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** A claim number as staff type it (`2026-123`, `№ 2026-000123`), canonical. */
const ClaimNumberText = z
  .string()
  .max(40)
  .transform((typed, ctx) => {
    const number = parseClaimNumber(typed);
    if (number !== undefined) return number;
    ctx.addIssue({ code: 'custom', message: 'expected a claim number such as 2026-000123' });
    return z.NEVER;
  });

const ReplyText = z.string().trim().min(1, 'expected the text the customer will receive').max(4000);

/**
 * Days for carrying out the remedy (#25), as a number or as typed (`10`); empty is none.
 */
const DaysText = z.union([z.number(), z.string().max(10)]).transform((typed, ctx) => {
  const text = String(typed).trim();
  if (text === '') return undefined;
  const days = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(days) && days >= 1 && days <= FULFILMENT_DAYS_MAX) return days;
  ctx.addIssue({ code: 'custom', message: `expected whole days from 1 to ${FULFILMENT_DAYS_MAX}`, params: { problem: 'invalid_days' } });
  return z.NEVER;
});

/**
 * A decision as staff send it: the outcome, the remedy chosen and the amount as typed (accepted,
 * partially accepted), or the reason (rejected), and the reply, whose template placeholders are
 * filled in when it is recorded (src/decision-text.ts); an acceptance may give the days for
 * carrying out the remedy (#25).
 */
export const DecisionDraft = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('accepted'), remedy: Remedy, amount: AmountText.optional(), responseText: ReplyText, fulfilmentDays: DaysText.optional() }).strict(),
  z.object({ outcome: z.literal('partially_accepted'), remedy: Remedy, amount: AmountText.optional(), responseText: ReplyText, fulfilmentDays: DaysText.optional() }).strict(),
  z.object({ outcome: z.literal('rejected'), reason: RejectionReason, responseText: ReplyText }).strict(),
]);
export type DecisionDraft = z.infer<typeof DecisionDraft>;

/**
 * What a staff member asks to do with a claim, with its limits: one schema for the Slack modals
 * and the web console, so both accept and refuse the same input.
 * @example StaffRequest.parse({ action: 'reopen', reason: 'The customer called again' })
 */
export const StaffRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('take') }).strict(),
  z.object({ action: z.literal('assign'), assigneeId: StaffId }).strict(),
  z.object({ action: z.literal('request_info'), question: CustomerQuestion }).strict(),
  z.object({ action: z.literal('resolve'), decision: DecisionDraft }).strict(),
  z.object({ action: z.literal('reopen'), reason: ReopenReason }).strict(),
  AssessmentInput.extend({ action: z.literal('assess') }).strict(),
  z.object({ action: z.literal('investigate') }).strict(),
  InvestigationInput.extend({ action: z.literal('record_investigation') }).strict(),
  z.object({ action: z.literal('reply'), text: StaffMessageText }).strict(),
  z.object({ action: z.literal('note'), text: StaffMessageText }).strict(),
  // #25: a head's review of a draft decision, the remedy carried out, staff closing a resolved claim
  z.object({ action: z.literal('approve_decision'), draftId: z.string().min(1).max(64) }).strict(),
  z.object({ action: z.literal('return_decision'), draftId: z.string().min(1).max(64), note: ReturnNote }).strict(),
  z.object({ action: z.literal('fulfil'), note: z.string().max(2000).transform((note) => (note.trim() === '' ? undefined : note.trim())).optional() }).strict(),
  z.object({ action: z.literal('close'), note: StaffNote }).strict(),
  // #25: to a category (its department follows) and/or a department; an empty choice is none
  z
    .object({ action: z.literal('move'), category: OptionalId, department: OptionalId, reason: RelocationReason })
    .strict()
    .refine((request) => request.category !== undefined || request.department !== undefined, { message: 'expected a category or a department', path: ['category'] }),
  z.object({ action: z.literal('link_duplicate'), original: ClaimNumberText, note: z.string().trim().max(500).optional() }).strict(),
  // #25: staff told a customer without messenger or e-mail these notices themselves (src/domain/customer-told.ts)
  z.object({ action: z.literal('tell_customer'), eventIds: ToldEventIds, means: TellMeans, note: ToldNote.optional() }).strict(),
]);
export type StaffRequest = z.infer<typeof StaffRequest>;

/**
 * Every staff action a request needs permission for, in the order they are checked: its own, and
 * for an assessment that extends the promised due times also `extend_deadline` (a head's right).
 * @example actionsOf({ action: 'assess', …, extendReason: 'Lab test takes two weeks' }) // ['assess', 'extend_deadline']
 */
export function actionsOf(request: StaffRequest): readonly StaffAction[] {
  if (request.action === 'assess' && request.extendReason !== undefined) return ['assess', 'extend_deadline'];
  return [request.action];
}

/**
 * What is wrong with one field of a request from a form: too long, or not filled in (a form's
 * field left empty or a choice not made), or an amount that is not one.
 */
export type FieldProblem = { readonly problem: 'required' } | { readonly problem: 'invalid_amount' } | { readonly problem: 'invalid_days' } | { readonly problem: 'text_too_long'; readonly max: number };

/**
 * The problems of a request that did not parse, by field path (`question`, `decision.remedy`):
 * what a form shows next to each field.
 * @example fieldProblems(StaffRequest.safeParse({ action: 'reopen', reason: '' }).error) // { reason: { problem: 'required' } }
 */
export function fieldProblems(error: z.ZodError): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.');
    if (problems[path]) continue;
    const custom = issue.code === 'custom' ? (issue.params as { problem?: string } | undefined)?.problem : undefined;
    if (custom === 'invalid_amount' || custom === 'invalid_days') {
      problems[path] = { problem: custom };
      continue;
    }
    problems[path] = issue.code === 'too_big' && typeof issue.maximum === 'number' ? { problem: 'text_too_long', max: issue.maximum } : { problem: 'required' };
  }
  return problems;
}
