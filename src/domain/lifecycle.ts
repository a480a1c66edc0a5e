import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Attachment, ClaimDraft } from './claim.js';
import { Decision } from './decision.js';
import { DomainError } from './errors.js';
import type { SlaCheck, SlaDeadline, SlaDue } from './sla.js';
import type { SurveyRecord } from './survey.js';
import type { Assessment, AssessmentValues } from './assessment.js';
import type { Investigation } from './investigation.js';
import type { Fulfilment, PendingDecision } from './decision-workflow.js';
import type { TellMeans } from './customer-told.js';
import { formatIssues } from './zod-issues.js';

/** The ISO 10002 stages a claim moves through. */
export const CLAIM_STATUSES = ['new', 'in_review', 'investigating', 'awaiting_customer', 'resolved', 'closed'] as const;
export const ClaimStatus = z.enum(CLAIM_STATUSES);
export type ClaimStatus = z.infer<typeof ClaimStatus>;

/** Statuses in which the desk still owes the customer something. */
export const OPEN_STATUSES: readonly ClaimStatus[] = ['new', 'in_review', 'investigating', 'awaiting_customer'];

// the decision lives in decision.ts (#25); these names stay importable from here
export { Decision, REJECTION_REASONS, RejectionReason } from './decision.js';

/** A question for the customer, as staff write it. */
export const CustomerQuestion = z.string().trim().min(1, 'expected the question for the customer').max(2000);
/** Why a claim is reopened. */
export const ReopenReason = z.string().trim().min(1, 'expected why the claim is reopened').max(2000);
/** Why the customer disputes a decision, in their words (#25). */
export const DisputeText = z.string().trim().min(1, 'expected why the decision is disputed').max(4000);

/** What somebody asks to do with a claim. */
export const ClaimCommand = z.discriminatedUnion('action', [
  z.object({ action: z.literal('take'), note: z.string().max(2000).optional() }).strict(),
  z.object({ action: z.literal('investigate'), note: z.string().max(2000).optional() }).strict(),
  z.object({ action: z.literal('request_info'), question: CustomerQuestion }).strict(),
  z.object({ action: z.literal('customer_replied') }).strict(),
  z.object({ action: z.literal('resolve'), decision: Decision }).strict(),
  z.object({ action: z.literal('close'), note: z.string().max(2000).optional() }).strict(),
  z.object({ action: z.literal('reopen'), reason: ReopenReason }).strict(),
  z.object({ action: z.literal('dispute'), reason: DisputeText }).strict(),
]);
export type ClaimCommand = z.infer<typeof ClaimCommand>;
export type ClaimAction = ClaimCommand['action'];

/** `resume` returns to the status the claim had before it waited for the customer. */
type Target = ClaimStatus | 'resume';

/**
 * The one transition table. A claim may be resolved straight from `new` (spam, an obvious case)
 * and while it waits for the customer (the customer never answered).
 */
export const TRANSITIONS: Readonly<Record<ClaimAction, { readonly from: readonly ClaimStatus[]; readonly to: Target; readonly notifyCustomer: boolean }>> = {
  take: { from: ['new'], to: 'in_review', notifyCustomer: true },
  investigate: { from: ['in_review'], to: 'investigating', notifyCustomer: true },
  request_info: { from: ['in_review', 'investigating'], to: 'awaiting_customer', notifyCustomer: true },
  customer_replied: { from: ['awaiting_customer'], to: 'resume', notifyCustomer: false },
  resolve: { from: ['new', 'in_review', 'investigating', 'awaiting_customer'], to: 'resolved', notifyCustomer: true },
  close: { from: ['resolved'], to: 'closed', notifyCustomer: true },
  reopen: { from: ['resolved', 'closed'], to: 'in_review', notifyCustomer: true },
  // #25: the customer disputes the decision (until the claim closes); the dialog tells them
  dispute: { from: ['resolved'], to: 'in_review', notifyCustomer: false },
};

/** Who did something. Staff are named by their desk-config id; customers and the system are not named. */
export const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('staff'), staffId: z.string().min(1).max(128) }).strict().readonly(),
  z.object({ kind: z.literal('customer') }).strict().readonly(),
  z.object({ kind: z.literal('system'), reason: z.string().min(1).max(200) }).strict().readonly(),
]);
export type Actor = z.infer<typeof Actor>;

/** One entry of a claim's history. */
export interface ClaimEvent {
  readonly id: string;
  readonly at: Date;
  readonly actor: Actor;
  /**
   * `customer_info`: the customer added text or files to the claim (staff are told).
   * `delivery_failed`: a message to the customer could not be delivered (staff are told).
   * `sla_warning` / `sla_breach`: a deadline is near / passed (staff are told; a breach escalates).
   * `survey_*`: the satisfaction survey was sent, reminded of, skipped (spam, cooldown), answered
   * (a score) or commented on.
   * `assessed`: the initial assessment was recorded or changed (`assessment`, `changed`).
   * `deadline_changed`: the SLA due times moved (`due`); extended past the promise: the customer
   * is told (`notifyCustomer`, the reason in `note`).
   * `investigation_recorded`: the investigation record was edited (`changed`; the cause category
   * and the root-cause summary when they changed).
   * `staff_reply`: staff wrote to the customer (the text in `note`, files in `replyFiles`; the customer is told).
   * `staff_note`: an internal note for colleagues (the text in `note`; never sent to the customer).
   * `decision_drafted`: a decision waits for a head's approval (the draft in `decision`; the
   * customer is told nothing). `decision_approved`: a head approved it (the resolution follows).
   * `decision_returned`: a head returned the draft to its author (`decision`, the head's `note`).
   * `fulfilled`: staff carried out the remedy (the customer is told). `fulfilment_overdue` /
   * `fulfilment_escalated`: the remedy's due date passed (the assignee, then the heads are told).
   * `investigation_file_added`: staff attached a file to the investigation's facts (`investigationFile`).
   * `moved`: the claim went to another department or category (`moved`, the reason in `note`; src/domain/relocation.ts).
   * `duplicate_linked`: the claim was closed as a duplicate of `linkedNumber` (the customer is told which number to follow).
   * `duplicate_added`: the claim `linkedNumber` was linked to this one as its duplicate (staff only).
   * `customer_told`: staff told the customer the notices `toldEventIds` themselves, by `toldMeans`
   * (an optional note in `note`; never sent to the customer; src/domain/customer-told.ts).
   */
  readonly type:
    | 'registered'
    | 'status_changed'
    | 'assigned'
    | 'customer_info'
    | 'delivery_failed'
    | 'sla_warning'
    | 'sla_breach'
    | 'survey_sent'
    | 'survey_reminder'
    | 'survey_skipped'
    | 'survey_answered'
    | 'survey_commented'
    | 'assessed'
    | 'deadline_changed'
    | 'investigation_recorded'
    | 'staff_reply'
    | 'staff_note'
    | 'decision_drafted'
    | 'decision_approved'
    | 'decision_returned'
    | 'fulfilled'
    | 'fulfilment_overdue'
    | 'fulfilment_escalated'
    | 'investigation_file_added'
    | 'moved'
    | 'duplicate_linked'
    | 'duplicate_added'
    | 'customer_told';
  /** On `assessed`: the assessment's values after the change. */
  readonly assessment?: AssessmentValues;
  /** On `assessed` and `investigation_recorded`: which parts changed (not their text). */
  readonly changed?: readonly string[];
  /** On `deadline_changed`: the new due times. */
  readonly due?: { readonly firstResponseDueAt: Date; readonly resolutionDueAt: Date };
  /** On `investigation_recorded`: the cause category, when it changed. */
  readonly causeCategory?: string;
  /** On `moved`: where the claim was and where it went. */
  readonly moved?: { readonly fromDepartment: string; readonly toDepartment: string; readonly fromCategory: string; readonly toCategory: string };
  /** On `duplicate_linked` / `duplicate_added`: the number of the other claim. */
  readonly linkedNumber?: string;
  /** On `survey_answered`: the score, 1–5. */
  readonly score?: number;
  /** On `sla_warning` / `sla_breach`: which deadline. */
  readonly slaDeadline?: SlaDeadline;
  readonly action?: ClaimAction;
  readonly from?: ClaimStatus;
  readonly to?: ClaimStatus;
  readonly note?: string;
  readonly decision?: Decision;
  readonly assigneeId?: string;
  /** On `staff_reply`: the files staff sent with the reply from the console (stored by the desk; #25). */
  readonly replyFiles?: readonly Attachment[];
  /** On `investigation_file_added`: the file staff attached (stored by the desk). */
  readonly investigationFile?: Attachment;
  /** Files the customer added with a `customer_info` event. */
  readonly attachments?: readonly Attachment[];
  /** Whether the customer must be told; the notification job records delivery on the event. */
  readonly notifyCustomer: boolean;
  /** When the customer was told (or, for the registration, when the dialog confirmed it). */
  readonly deliveredAt?: Date;
  /** Of a notice sent in several parts (a long text's pieces, a reply's files), how many the customer got so far: a retry sends the rest. */
  readonly deliveredParts?: number;
  /** Why telling the customer failed for good (`unreachable`, `gave_up`, `no_channel`). */
  readonly deliveryFailure?: DeliveryFailure;
  /** On a `delivery_failed` event: the event that could not be delivered. */
  readonly aboutEventId?: string;
  /** On `staff_reply` / `staff_note`: written as a message in the claim's Slack thread (Slack shows it already). */
  readonly source?: 'slack_thread';
  /** On a resolution with a remedy to carry out, and on `fulfilment_*`: when it is due (#25). */
  readonly fulfilmentDueAt?: Date;
  /** On `customer_told`: the notices staff told the customer (their event ids, #25). */
  readonly toldEventIds?: readonly string[];
  /** On `customer_told`: how staff told them. */
  readonly toldMeans?: TellMeans;
}

/** Why a message to the customer could not be delivered. */
export type DeliveryFailure = 'unreachable' | 'gave_up' | 'no_channel';

/** Events the customer must still be told about, oldest first. */
export function undeliveredNotices(claim: Pick<Claim, 'history'>): ClaimEvent[] {
  return claim.history.filter((event) => event.notifyCustomer && event.deliveredAt === undefined && event.deliveryFailure === undefined);
}

/** The history event of an SLA warning or breach (staff are told; escalation on a breach). */
export function slaEvent(check: SlaCheck, now: Date): ClaimEvent {
  return { id: randomUUID(), at: now, actor: { kind: 'system', reason: 'sla' }, type: check.stage === 'warning' ? 'sla_warning' : 'sla_breach', slaDeadline: check.deadline, notifyCustomer: false };
}

/** A survey event; `survey_sent` and `survey_reminder` are for the customer (the notification job sends them). */
export function surveyEvent(type: 'survey_sent' | 'survey_reminder' | 'survey_skipped' | 'survey_answered' | 'survey_commented', now: Date, extra: { score?: number; note?: string } = {}): ClaimEvent {
  const actor: Actor = type === 'survey_answered' || type === 'survey_commented' ? { kind: 'customer' } : { kind: 'system', reason: 'survey' };
  return { id: randomUUID(), at: now, actor, type, notifyCustomer: type === 'survey_sent' || type === 'survey_reminder', ...extra };
}

/** The history event that tells staff a message to the customer failed for good. */
export function deliveryFailedEvent(about: ClaimEvent, failure: DeliveryFailure, now: Date): ClaimEvent {
  return { id: randomUUID(), at: now, actor: { kind: 'system', reason: 'delivery' }, type: 'delivery_failed', aboutEventId: about.id, deliveryFailure: failure, notifyCustomer: false };
}

/** A registered claim, as the rest of the application sees it. */
export interface Claim extends ClaimDraft {
  readonly id: string;
  readonly number: string;
  readonly status: ClaimStatus;
  /** Incremented by every change; updates compare-and-swap on it. */
  readonly version: number;
  readonly department: string;
  readonly assigneeId?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly sla: SlaDue;
  readonly firstResponseAt?: Date;
  readonly firstResponseMs?: number;
  readonly firstResponseWithinSla?: boolean;
  readonly resolvedAt?: Date;
  readonly resolutionMs?: number;
  readonly resolvedWithinSla?: boolean;
  readonly closedAt?: Date;
  readonly decision?: Decision;
  /** While `awaiting_customer`: the status to return to. */
  readonly resumeStatus?: ClaimStatus;
  readonly reopenCount: number;
  /** The satisfaction survey after resolution. */
  readonly survey?: SurveyRecord;
  /** The initial assessment (#24); absent until staff record it. */
  readonly assessment?: Assessment;
  /** The investigation record (#24); absent until staff record it. */
  readonly investigation?: Investigation;
  /** A decision waiting for a head's approval (#25; src/domain/decision-workflow.ts). */
  readonly pendingDecision?: PendingDecision;
  /** Carrying out the remedy of the decision (#25; src/domain/decision-workflow.ts). */
  readonly fulfilment?: Fulfilment;
  /** Closed as a duplicate of this claim (its number, #25). */
  readonly duplicateOf?: string;
  /** The numbers of the claims closed as duplicates of this one (#25). */
  readonly duplicates?: readonly string[];
  readonly history: readonly ClaimEvent[];
  /** When the customer's personal data on the claim was erased (#26, src/domain/erasure.ts); absent while it is kept. */
  readonly erasedAt?: Date;
}

/** The part of a claim a transition reads. */
export type ClaimLifecycleState = Pick<
  Claim,
  'status' | 'resumeStatus' | 'createdAt' | 'firstResponseAt' | 'sla' | 'reopenCount' | 'number'
>;

/** Field changes a transition makes; `unset` lists fields to remove. */
export interface TransitionPlan {
  readonly from: ClaimStatus;
  readonly to: ClaimStatus;
  readonly set: Partial<Pick<Claim, 'status' | 'resumeStatus' | 'firstResponseAt' | 'firstResponseMs' | 'firstResponseWithinSla' | 'resolvedAt' | 'resolutionMs' | 'resolvedWithinSla' | 'closedAt' | 'decision' | 'reopenCount'>>;
  readonly unset: readonly ('resumeStatus' | 'decision' | 'resolvedAt' | 'resolutionMs' | 'resolvedWithinSla' | 'closedAt')[];
  readonly event: ClaimEvent;
}

/** Whether an action is allowed from a status, by the table. */
export function canApply(status: ClaimStatus, action: ClaimAction): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/**
 * Plans a lifecycle transition: pure, no I/O. Refuses a move the table does not allow with
 * `INVALID_TRANSITION`, and a malformed command (e.g. a rejection without reasons) with
 * `INVALID_CLAIM`. Also records the first-response and resolution times the reports need.
 * @example
 * const plan = planTransition(claim, { action: 'take' }, { kind: 'staff', staffId: 'anna' }, new Date());
 * // plan.to === 'in_review', plan.event.notifyCustomer === true
 */
export function planTransition(claim: ClaimLifecycleState, input: ClaimCommand, actor: Actor, now: Date): TransitionPlan {
  const parsed = ClaimCommand.safeParse(input);
  if (!parsed.success) {
    throw new DomainError('INVALID_CLAIM', `invalid command: ${formatIssues(parsed.error).join('; ')}`);
  }
  const command = parsed.data;
  const rule = TRANSITIONS[command.action];
  if (!canApply(claim.status, command.action)) {
    throw new DomainError('INVALID_TRANSITION', `cannot ${command.action} a claim that is ${claim.status}`, {
      number: claim.number,
      from: claim.status,
      action: command.action,
    });
  }
  const to: ClaimStatus = rule.to === 'resume' ? (claim.resumeStatus ?? 'in_review') : rule.to;
  const set: { -readonly [K in keyof TransitionPlan['set']]: TransitionPlan['set'][K] } = { status: to };
  const unset: TransitionPlan['unset'][number][] = [];

  Object.assign(set, firstResponseFields(claim, actor, now));

  let note: string | undefined;
  let decision: Decision | undefined;
  switch (command.action) {
    case 'request_info':
      set.resumeStatus = claim.status;
      note = command.question;
      break;
    case 'customer_replied':
      unset.push('resumeStatus');
      break;
    case 'resolve':
      decision = decidedBy(command.decision, actor);
      set.decision = decision;
      set.resolvedAt = now;
      set.resolutionMs = now.getTime() - claim.createdAt.getTime();
      set.resolvedWithinSla = now.getTime() <= claim.sla.resolutionDueAt.getTime();
      if (claim.status === 'awaiting_customer') unset.push('resumeStatus');
      break;
    case 'close':
      set.closedAt = now;
      note = command.note;
      break;
    case 'reopen':
      set.reopenCount = claim.reopenCount + 1;
      unset.push('decision', 'resolvedAt', 'resolutionMs', 'resolvedWithinSla', 'closedAt');
      note = command.reason;
      break;
    case 'dispute':
      // back to review without the decision; the dispute is counted by its own event, not as a reopening
      unset.push('decision', 'resolvedAt', 'resolutionMs', 'resolvedWithinSla');
      note = command.reason;
      break;
    case 'take':
    case 'investigate':
      note = command.note;
      break;
  }

  const event: ClaimEvent = {
    id: randomUUID(),
    at: now,
    actor,
    type: 'status_changed',
    action: command.action,
    from: claim.status,
    to,
    notifyCustomer: rule.notifyCustomer,
    ...(note !== undefined && note !== '' ? { note } : {}),
    ...(decision ? { decision } : {}),
  };
  return { from: claim.status, to, set, unset, event };
}

/**
 * The first-response fields a staff action records on a claim not yet answered (the SLA's first
 * clock and the reports' speed of first response); nothing for other actors or once recorded.
 */
export function firstResponseFields(claim: Pick<Claim, 'firstResponseAt' | 'createdAt' | 'sla'>, actor: Actor, now: Date): Pick<Claim, 'firstResponseAt' | 'firstResponseMs' | 'firstResponseWithinSla'> {
  if (claim.firstResponseAt !== undefined || actor.kind !== 'staff') return {};
  return { firstResponseAt: now, firstResponseMs: now.getTime() - claim.createdAt.getTime(), firstResponseWithinSla: now.getTime() <= claim.sla.firstResponseDueAt.getTime() };
}

/** A decision as recorded: who decided is the staff member acting, never what a request claims. */
function decidedBy(decision: Decision, actor: Actor): Decision {
  // who approved is set by the approval (src/domain/decision-workflow.ts), never by a request
  const { decidedBy: _claimed, approvedBy: _approved, ...rest } = decision;
  return actor.kind === 'staff' ? { ...rest, decidedBy: actor.staffId } : rest;
}

/**
 * The history event a registration starts with. The customer is told of it in the dialog that
 * registers the claim (the number in the same turn), so it is delivered as it happens: no
 * notification job runs for a new claim. A claim staff registered (`registeredBy`, #25) is the
 * staff member's act, and the customer is still to be told (by e-mail, or by staff).
 */
export function registrationEvent(now: Date, registeredBy?: string): ClaimEvent {
  // registered by staff (a claim by phone, e-mail, letter): nobody told the customer yet (#25)
  if (registeredBy !== undefined) return { id: randomUUID(), at: now, actor: { kind: 'staff', staffId: registeredBy }, type: 'registered', to: 'new', notifyCustomer: true };
  return { id: randomUUID(), at: now, actor: { kind: 'customer' }, type: 'registered', to: 'new', notifyCustomer: true, deliveredAt: now };
}

/** The history event of an assignment (no status change; the customer is not told). */
export function assignmentEvent(assigneeId: string, actor: Actor, now: Date): ClaimEvent {
  return { id: randomUUID(), at: now, actor, type: 'assigned', assigneeId, notifyCustomer: false };
}

/** The most text and files one `customer_info` event holds. */
export const CUSTOMER_INFO_TEXT_MAX = 4000;
export const CUSTOMER_INFO_FILES_MAX = 20;

/**
 * The history event of information the customer added. Its id is chosen by the caller (derived
 * from the inbound update) so that adding the same message twice is recognised and ignored.
 */
export function customerInfoEvent(id: string, info: { readonly text?: string; readonly attachments: readonly Attachment[] }, now: Date): ClaimEvent {
  const text = info.text?.trim();
  if ((text === undefined || text === '') && info.attachments.length === 0) {
    throw new DomainError('INVALID_CLAIM', 'expected a text or at least one file', {});
  }
  if (text !== undefined && text.length > CUSTOMER_INFO_TEXT_MAX) {
    throw new DomainError('INVALID_CLAIM', `expected a text of at most ${CUSTOMER_INFO_TEXT_MAX} characters`, {});
  }
  if (info.attachments.length > CUSTOMER_INFO_FILES_MAX) {
    throw new DomainError('INVALID_CLAIM', `expected at most ${CUSTOMER_INFO_FILES_MAX} files`, {});
  }
  return {
    id,
    at: now,
    actor: { kind: 'customer' },
    type: 'customer_info',
    notifyCustomer: false,
    ...(text ? { note: text } : {}),
    ...(info.attachments.length > 0 ? { attachments: [...info.attachments] } : {}),
  };
}
