import { z } from 'zod';
import { CustomerQuestion, Decision, ReopenReason } from './lifecycle.js';
import { AssessmentInput } from './assessment.js';
import { InvestigationInput } from './investigation.js';
import type { StaffAction } from './staff.js';

/** The longest staff id the desk config allows (its id rule). */
const StaffId = z.string().min(1, 'expected a staff member').max(40);

/**
 * What a staff member asks to do with a claim, with its limits: one schema for the Slack modals
 * and the web console, so both accept and refuse the same input.
 * @example StaffRequest.parse({ action: 'reopen', reason: 'The customer called again' })
 */
export const StaffRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('take') }).strict(),
  z.object({ action: z.literal('assign'), assigneeId: StaffId }).strict(),
  z.object({ action: z.literal('request_info'), question: CustomerQuestion }).strict(),
  z.object({ action: z.literal('resolve'), decision: Decision }).strict(),
  z.object({ action: z.literal('reopen'), reason: ReopenReason }).strict(),
  AssessmentInput.extend({ action: z.literal('assess') }).strict(),
  z.object({ action: z.literal('investigate') }).strict(),
  InvestigationInput.extend({ action: z.literal('record_investigation') }).strict(),
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
 * field left empty or a choice not made — the only other ways its values can fail).
 */
export type FieldProblem = { readonly problem: 'required' } | { readonly problem: 'text_too_long'; readonly max: number };

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
    problems[path] = issue.code === 'too_big' && typeof issue.maximum === 'number' ? { problem: 'text_too_long', max: issue.maximum } : { problem: 'required' };
  }
  return problems;
}
