import { z } from 'zod';
import { Attachment, CustomerIdentity } from './claim.js';
import type { DeskConfig, SurveyConfig } from './desk.js';
import { DomainError, refusal, type Refusal } from './errors.js';
import {
  Actor,
  ClaimCommand,
  CUSTOMER_INFO_TEXT_MAX,
  OPEN_STATUSES,
  assignmentEvent,
  customerInfoEvent,
  deliveryFailedEvent,
  planTransition,
  slaEvent,
  surveyEvent,
  type Claim,
  type ClaimEvent,
  type DeliveryFailure,
} from './lifecycle.js';
import { dueSlaChecks, nextSlaCheckAt } from './sla.js';
import { AssessmentInput, claimsWorkPolicy, planAssessment, type ClaimsWorkPolicy } from './assessment.js';
import { InvestigationInput, planInvestigation } from './investigation.js';
import { AttachInvestigationFileCommand, planInvestigationFile } from './investigation-files.js';
import { nextSurveyStep, surveyStartAt, SURVEY_SCORES } from './survey.js';
import { formatIssues } from './zod-issues.js';
import { planStaffMessage, StaffMessageCommand } from './staff-message.js';
import {
  DecisionCommands,
  decisionRules,
  planApproveDecision,
  planDecide,
  planDispute,
  planFulfil,
  planFulfilmentChecks,
  planReturnDecision,
  type DecisionPlan,
  type DecisionRules,
  type Move,
  type MovePlan,
} from './decision-workflow.js';
import { planRelocation, RelocateCommand, routingPolicy, type RoutingPolicy } from './relocation.js';
import { AddDuplicateCommand, LinkDuplicateCommand, planAddDuplicate, planLinkDuplicate } from './duplicates.js';
import { CustomerToldCommand, planCustomerTold } from './customer-told.js';

/**
 * The planning of every claim change: `plan(claim, command, policy, now)` says what a command
 * does to a claim — the fields to set and remove, the history events to append, when the sweeps
 * next look at it — or refuses it. Pure: no I/O, no clock of its own. The registry service
 * (src/registry.ts) is its only caller; the repository applies the change by compare-and-swap on
 * the claim's `version` and, on a conflict, the registry plans again from the fresh claim.
 *
 * To add a command: a member of {@link ChangeCommand}, a `plan…` function, and its case in
 * {@link plan} (the compiler insists on the last).
 */

// ---------------------------------------------------------------- the change

/** The claim's own fields a change may set (everything but its identity, version, history and times). */
export type ClaimFields = Omit<Claim, 'id' | 'number' | 'version' | 'history' | 'createdAt' | 'updatedAt'>;

/** The fields a change may remove: the optional ones. */
export type RemovableField = { [K in keyof ClaimFields]-?: undefined extends ClaimFields[K] ? K : never }[keyof ClaimFields];

/**
 * When the sweeps next look at a claim: stored beside it, not part of the claim. `null` means
 * never again (until a change sets it).
 */
export interface ClaimSchedule {
  /** The SLA sweep (src/jobs/sla.ts). */
  readonly slaNextCheckAt?: Date | null;
  /** The survey sweep (src/jobs/survey.ts). */
  readonly surveyNextAt?: Date | null;
  /** The fulfilment sweep (src/jobs/fulfilment.ts): a remedy's due date and its escalation (#25). */
  readonly fulfilmentNextAt?: Date | null;
}

/** A mark on an event already in the history: the customer was told, or could not be for good. */
export interface EventMark {
  readonly eventId: string;
  readonly deliveredAt?: Date;
  readonly deliveryFailure?: DeliveryFailure;
  /** How many parts of a notice in several (a long text's pieces, a reply's files) reached the customer so far. */
  readonly deliveredParts?: number;
}

/**
 * What a command does to a claim. A change with `events` is a new version of the claim (`version`
 * + 1, `updatedAt` = `at`): every change of the claim itself (`set`, `unset`) records at least one
 * event. `schedule` and `marks` alone are bookkeeping of the same version. Nothing at all: the
 * command changes nothing (a repeated message, an answer given twice).
 */
export interface ClaimChange {
  readonly at: Date;
  readonly set: Partial<ClaimFields>;
  readonly unset: readonly RemovableField[];
  readonly events: readonly ClaimEvent[];
  readonly schedule: ClaimSchedule;
  readonly marks: readonly EventMark[];
}

/** What {@link plan} answers: a change (maybe empty) or a refusal. */
export type PlanResult = ClaimChange | Refusal;

/** Whether a plan was refused. */
export function isRefusal(result: PlanResult): result is Refusal {
  return 'refusal' in result;
}

/** Whether a change makes a new version of the claim (it records events). */
export function isNewVersion(change: ClaimChange): boolean {
  return change.events.length > 0;
}

/** Whether a change changes nothing at all. */
export function isEmptyChange(change: ClaimChange): boolean {
  return change.events.length === 0 && change.marks.length === 0 && Object.keys(change.schedule).length === 0;
}

function change(at: Date, parts: Partial<Omit<ClaimChange, 'at'>> = {}): ClaimChange {
  const { set = {}, unset = [], events = [], schedule = {}, marks = [] } = parts;
  if (events.length === 0 && (Object.keys(set).length > 0 || unset.length > 0)) {
    // a rule of this module, not of its callers: the history tells every change of the claim
    throw new Error('a change of the claim must record an event');
  }
  return { at, set, unset, events, schedule, marks };
}

/**
 * The claim after a change, as the repository stores it: fields set and removed, events
 * appended, marks put on their events and, for a new version, `version` + 1 and `updatedAt`.
 * The schedule is not part of the claim. Pure; the store derives the new state from the version it
 * swapped with this (no second read).
 * @example const next = changedClaim(claim, change); // next.version === claim.version + 1
 */
export function changedClaim(claim: Claim, planned: ClaimChange): Claim {
  const marked = planned.marks.length === 0 ? claim.history : claim.history.map((event) => markEvent(event, planned.marks));
  const next: Record<string, unknown> = { ...claim, ...planned.set, history: [...marked, ...planned.events] };
  for (const field of planned.unset) Reflect.deleteProperty(next, field);
  if (isNewVersion(planned)) {
    next.version = claim.version + 1;
    next.updatedAt = planned.at;
  }
  return next as unknown as Claim;
}

function markEvent(event: ClaimEvent, marks: readonly EventMark[]): ClaimEvent {
  const mark = marks.find((candidate) => candidate.eventId === event.id);
  if (!mark) return event;
  return {
    ...event,
    ...(mark.deliveredAt ? { deliveredAt: mark.deliveredAt } : {}),
    ...(mark.deliveryFailure ? { deliveryFailure: mark.deliveryFailure } : {}),
    ...(mark.deliveredParts !== undefined ? { deliveredParts: mark.deliveredParts } : {}),
  };
}

// ---------------------------------------------------------------- the policy

/** The desk settings the rules read. */
export interface ChangePolicy {
  /** Survey timing: delay after resolution, reminder, window, cooldown. */
  readonly survey: SurveyConfig;
  /** The share of an SLA window at which the assignee is warned. */
  readonly slaWarnAtShare: number;
  /** SLA targets, warranty periods and cause categories: the assessment and the investigation (#24). */
  readonly claimsWork: ClaimsWorkPolicy;
  /** Approval, fulfilment and dispute of decisions (#25). */
  readonly decisions: DecisionRules;
  /** The departments and categories a claim may be moved to (#25, src/domain/relocation.ts); none when absent. */
  readonly routing?: RoutingPolicy;
}

/** The change policy of a desk configuration. */
export function changePolicy(desk: Pick<DeskConfig, 'survey' | 'sla' | 'desk' | 'categories' | 'causeCategories' | 'decisions' | 'staff' | 'departments'>): ChangePolicy {
  return { survey: desk.survey, slaWarnAtShare: desk.sla.warnAtShare, claimsWork: claimsWorkPolicy(desk), decisions: decisionRules(desk), routing: routingPolicy(desk) };
}

// ---------------------------------------------------------------- the commands

const DeliveryFailureSchema = z.enum(['unreachable', 'gave_up', 'no_channel']) satisfies z.ZodType<DeliveryFailure>;

/** Text and files a customer adds to their claim (the limits are checked by the plan). */
export const CustomerInfo = z.object({ text: z.string().optional(), attachments: z.array(Attachment).readonly() }).strict().readonly();
export type CustomerInfo = z.infer<typeof CustomerInfo>;

/** A customer's survey answer: a score, or a comment. */
export const SurveyAnswer = z.union([
  z.object({ score: z.literal(SURVEY_SCORES) }).strict().readonly(),
  z.object({ comment: z.string() }).strict().readonly(),
]);
export type SurveyAnswer = z.infer<typeof SurveyAnswer>;

/**
 * Everything that can change a claim, one member per command.
 * - `move`: a lifecycle move by the transition table (src/domain/lifecycle.ts);
 * - `take`: a staff member takes a new claim: the review starts and they become the assignee;
 * - `assign`: a claim gets an assignee;
 * - `add_info`: the customer adds text or files (idempotent on `eventId`);
 * - `answer_survey`: the customer scores or comments on the survey;
 * - `survey_step`: the survey sweep's next step (send, skip, remind, close, or wait);
 * - `sla_checks`: the SLA sweep records the warnings and breaches due;
 * - `delivered` / `delivery_failed`: the notification job's outcome for one event;
 * - `assess`: staff record the initial assessment (src/domain/assessment.ts);
 * - `record_investigation`: staff edit the investigation record (src/domain/investigation.ts).
 * - `staff_message`: staff reply to the customer or leave an internal note (src/domain/staff-message.ts).
 * - `decide`, `approve_decision`, `return_decision`, `fulfil`, `fulfilment_checks`, `dispute`: a
 *   decision's approval, fulfilment and dispute (src/domain/decision-workflow.ts).
 * - `relocate`: staff move the claim to another department or category (src/domain/relocation.ts).
 * - `link_duplicate` / `add_duplicate`: the claim is closed as a duplicate / lists a duplicate (src/domain/duplicates.ts).
 * - `customer_told`: staff told a customer without messenger or e-mail some notices themselves (src/domain/customer-told.ts).
 */
export const ChangeCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('move'), command: ClaimCommand, actor: Actor }).strict(),
  z.object({ type: z.literal('take'), staffId: z.string().min(1).max(128), note: z.string().max(2000).optional() }).strict(),
  z.object({ type: z.literal('assign'), assigneeId: z.string().min(1).max(128), actor: Actor }).strict(),
  z.object({ type: z.literal('add_info'), customer: CustomerIdentity, info: CustomerInfo, eventId: z.string().min(1).max(200) }).strict(),
  z.object({ type: z.literal('answer_survey'), customer: CustomerIdentity, answer: SurveyAnswer }).strict(),
  z.object({ type: z.literal('survey_step'), surveyedRecently: z.boolean() }).strict(),
  z.object({ type: z.literal('sla_checks') }).strict(),
  z.object({ type: z.literal('delivered'), eventId: z.string().min(1), at: z.date() }).strict(),
  z.object({ type: z.literal('delivery_failed'), eventId: z.string().min(1), failure: DeliveryFailureSchema }).strict(),
  z.object({ type: z.literal('delivery_progress'), eventId: z.string().min(1), parts: z.number().int().min(1).max(100) }).strict(),
  z.object({ type: z.literal('assess'), staffId: z.string().min(1).max(128), assessment: AssessmentInput }).strict(),
  z.object({ type: z.literal('record_investigation'), staffId: z.string().min(1).max(128), investigation: InvestigationInput }).strict(),
  StaffMessageCommand,
  ...DecisionCommands,
  AttachInvestigationFileCommand,
  RelocateCommand,
  LinkDuplicateCommand,
  AddDuplicateCommand,
  CustomerToldCommand,
]);
export type ChangeCommand = z.infer<typeof ChangeCommand>;
export type ChangeCommandInput = z.input<typeof ChangeCommand>;
type Command<T extends ChangeCommand['type']> = Extract<ChangeCommand, { type: T }>;

// ---------------------------------------------------------------- the plan

/**
 * Plans a command on a claim: pure. Refuses (as data) what the rules do not allow — a move the
 * transition table forbids or a malformed command (`INVALID_TRANSITION`, `INVALID_CLAIM`), a claim
 * of another customer (`CLAIM_NOT_FOUND`) — and answers an empty change for what changes nothing.
 * @example
 * const result = plan(claim, { type: 'move', command: { action: 'close' }, actor: { kind: 'system', reason: 'survey window over' } }, changePolicy(desk), new Date());
 * if (isRefusal(result)) throw refusalError(result);
 */
export function plan(claim: Claim, input: ChangeCommandInput, policy: ChangePolicy, now: Date): PlanResult {
  const parsed = ChangeCommand.safeParse(input);
  if (!parsed.success) return refusal('INVALID_CLAIM', `invalid command: ${formatIssues(parsed.error).join('; ')}`);
  const command = parsed.data;
  try {
    switch (command.type) {
      case 'move':
        // a draft waiting for a head's approval holds every other decision (src/domain/decision-workflow.ts)
        if (command.command.action === 'resolve' && claim.pendingDecision) return refusal('INVALID_TRANSITION', 'a decision waits for approval', { number: claim.number, from: claim.status, action: 'resolve' });
        return planMove(claim, command.command, command.actor, policy, now);
      case 'take':
        return planTake(claim, command, policy, now);
      case 'assign':
        return planAssign(claim, command, now);
      case 'add_info':
        return planAddInfo(claim, command, policy, now);
      case 'answer_survey':
        return planSurveyAnswer(claim, command, now);
      case 'survey_step':
        return planSurveyStep(claim, command, policy, now);
      case 'sla_checks':
        return planSlaChecks(claim, policy, now);
      case 'delivered':
        return planDelivered(claim, command, now);
      case 'delivery_failed':
        return planDeliveryFailed(claim, command, now);
      case 'delivery_progress':
        return planDeliveryProgress(claim, command, now);
      case 'assess':
        return planAssess(claim, command, policy, now);
      case 'record_investigation':
        return planRecordInvestigation(claim, command, policy, now);
      case 'staff_message': {
        const planned = planStaffMessage(claim, command, now);
        return 'refusal' in planned ? planned : change(now, planned);
      }
      case 'decide':
        return fromDecision(now, planDecide(claim, command, policy.decisions, mover(claim, policy, now), now));
      case 'approve_decision':
        return fromDecision(now, planApproveDecision(claim, command, mover(claim, policy, now), now));
      case 'return_decision':
        return fromDecision(now, planReturnDecision(claim, command, now));
      case 'fulfil':
        return fromDecision(now, planFulfil(claim, command, now));
      case 'fulfilment_checks':
        return fromDecision(now, planFulfilmentChecks(claim, policy.decisions, now));
      case 'dispute':
        if (!isCustomerOf(claim, command.customer)) return notFound();
        return fromDecision(now, planDispute(claim, command, mover(claim, policy, now)));
      case 'attach_investigation_file': {
        const planned = planInvestigationFile(claim, command, now);
        if (planned === undefined) return change(now);
        return 'refusal' in planned ? planned : change(now, planned);
      }
      case 'relocate':
        return planRelocate(claim, command, policy, now);
      case 'link_duplicate': {
        const planned = planLinkDuplicate(claim, command, now);
        if (planned === undefined) return change(now);
        // closed: no SLA checks, no survey
        return 'refusal' in planned ? planned : change(now, { ...planned, schedule: { slaNextCheckAt: null, surveyNextAt: null } });
      }
      case 'add_duplicate':
        return change(now, planAddDuplicate(claim, command, now) ?? {});
      case 'customer_told': {
        const planned = planCustomerTold(claim, command, now);
        if (planned === undefined) return change(now);
        return 'refusal' in planned ? planned : change(now, planned);
      }
    }
  } catch (error) {
    // the lifecycle's own checks (planTransition, customerInfoEvent) throw their refusals
    if (error instanceof DomainError) return refusal(error.code, error.message, error.details);
    throw error;
  }
}

/** A lifecycle move as decision-workflow.ts asks for it. */
function mover(claim: Claim, policy: ChangePolicy, now: Date): Move {
  return (command, actor) => planMove(claim, command, actor, policy, now) as unknown as ReturnType<Move>;
}

/** A plan of decision-workflow.ts as a change (or its refusal). */
function fromDecision(now: Date, planned: DecisionPlan | MovePlan | Refusal): PlanResult {
  if ('refusal' in planned) return planned;
  return change(now, { set: planned.set, unset: planned.unset as RemovableField[], events: planned.events, schedule: planned.schedule });
}

/**
 * A lifecycle move, and what it does to the sweeps' clocks: a resolution starts the survey clock
 * (and a claim resolved again gets a new survey); a reopened claim is looked at by the SLA checks
 * at once (a deadline passed meanwhile is a breach); leaving `resolved` or closing stops the survey.
 */
function planMove(claim: Claim, command: ClaimCommand, actor: Actor, policy: ChangePolicy, now: Date): ClaimChange {
  const moved = planTransition(claim, command, actor, now);
  const events = [moved.event];
  if (moved.to === 'resolved') {
    return change(now, { set: moved.set, unset: [...moved.unset, 'survey'], events, schedule: { surveyNextAt: surveyStartAt(now, policy.survey) } });
  }
  if (command.action === 'reopen' || command.action === 'dispute') {
    // back to work: the decision's remedy is no longer due (#25)
    const unset: RemovableField[] = [...moved.unset, ...(claim.fulfilment ? (['fulfilment'] as const) : [])];
    return change(now, { set: moved.set, unset, events, schedule: { slaNextCheckAt: now, surveyNextAt: null, fulfilmentNextAt: null } });
  }
  // staff closing a resolved claim (the customer confirmed by phone) leave the survey to its rules (#25)
  if (command.action === 'close' && actor.kind === 'staff') return change(now, { set: moved.set, unset: moved.unset, events });
  if (moved.from === 'resolved' || moved.to === 'closed') return change(now, { set: moved.set, unset: moved.unset, events, schedule: { surveyNextAt: null } });
  return change(now, { set: moved.set, unset: moved.unset, events });
}

/** Take: the review starts and the taker becomes the assignee, in one change (the history never disagrees). */
function planTake(claim: Claim, command: Command<'take'>, policy: ChangePolicy, now: Date): ClaimChange {
  const actor: Actor = { kind: 'staff', staffId: command.staffId };
  const moved = planMove(claim, { action: 'take', ...(command.note !== undefined ? { note: command.note } : {}) }, actor, policy, now);
  const events = claim.assigneeId === command.staffId ? moved.events : [...moved.events, assignmentEvent(command.staffId, actor, now)];
  return change(now, { ...moved, set: { ...moved.set, assigneeId: command.staffId }, events });
}

/** Assign: any status but closed; to the current assignee it changes nothing. */
function planAssign(claim: Claim, command: Command<'assign'>, now: Date): PlanResult {
  if (claim.status === 'closed') return refusal('INVALID_TRANSITION', 'cannot assign a closed claim', { number: claim.number, from: claim.status, action: 'assign' });
  if (claim.assigneeId === command.assigneeId) return change(now);
  return change(now, { set: { assigneeId: command.assigneeId }, events: [assignmentEvent(command.assigneeId, command.actor, now)] });
}

/** Whether `customer` is the customer of the claim (channel, user and, for Slack, workspace). */
export function isCustomerOf(claim: Pick<Claim, 'customer'>, customer: CustomerIdentity): boolean {
  return claim.customer.channel === customer.channel && claim.customer.userId === customer.userId && claim.customer.teamId === customer.teamId;
}

const notFound = () => refusal('CLAIM_NOT_FOUND', 'no such claim');

/**
 * Information the customer adds: only on their own claim (another's is not found, exactly like a
 * missing one), once per `eventId`, and only while the claim is open; a claim waiting for the
 * customer moves back to where it was in the same change.
 */
function planAddInfo(claim: Claim, command: Command<'add_info'>, policy: ChangePolicy, now: Date): PlanResult {
  if (!isCustomerOf(claim, command.customer)) return notFound();
  if (claim.history.some((event) => event.id === command.eventId)) return change(now);
  if (!OPEN_STATUSES.includes(claim.status)) {
    return refusal('INVALID_TRANSITION', `cannot add information to a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'add_info' });
  }
  const event = customerInfoEvent(command.eventId, command.info, now);
  if (claim.status !== 'awaiting_customer') return change(now, { events: [event] });
  const replied = planMove(claim, { action: 'customer_replied' }, { kind: 'customer' }, policy, now);
  return change(now, { ...replied, events: [event, ...replied.events] });
}

/**
 * A survey answer: on the customer's own resolved claim while its survey is open (sent, window not
 * over). The same score twice, or an empty or repeated comment, changes nothing; a comment is
 * trimmed and cut to the customer-information limit.
 */
function planSurveyAnswer(claim: Claim, command: Command<'answer_survey'>, now: Date): PlanResult {
  if (!isCustomerOf(claim, command.customer)) return notFound();
  const survey = claim.survey;
  // a claim staff closed early still takes the answers of its open survey (#25)
  if ((claim.status !== 'resolved' && claim.status !== 'closed') || !survey?.sentAt || now.getTime() >= survey.closeAt.getTime()) {
    return refusal('INVALID_TRANSITION', 'the survey of this claim is not open', { number: claim.number, from: claim.status, action: 'survey' });
  }
  const { answer } = command;
  if ('score' in answer) {
    if (survey.score === answer.score) return change(now);
    return change(now, { set: { survey: { ...survey, score: answer.score, answeredAt: now } }, events: [surveyEvent('survey_answered', now, { score: answer.score })] });
  }
  const comment = answer.comment.trim().slice(0, CUSTOMER_INFO_TEXT_MAX);
  if (comment === '' || survey.comment === comment) return change(now);
  return change(now, { set: { survey: { ...survey, comment } }, events: [surveyEvent('survey_commented', now, { note: comment })] });
}

/**
 * Since when another survey of the same customer counts against sending this claim's (the
 * cooldown), or undefined when the next survey step does not depend on it. The registry asks the
 * store and passes the answer as `surveyedRecently`.
 * @example const since = surveyCooldownSince(claim, policy, now); // 24 h before now, for a resolved claim with no survey yet
 */
export function surveyCooldownSince(claim: Pick<Claim, 'status' | 'survey'>, policy: ChangePolicy, now: Date): Date | undefined {
  if ((claim.status !== 'resolved' && claim.status !== 'closed') || claim.survey !== undefined) return undefined;
  return new Date(now.getTime() - policy.survey.cooldownHours * 3_600_000);
}

/** The survey sweep's step (src/domain/survey.ts): send, skip, remind or close; else only the next look moves. */
function planSurveyStep(claim: Claim, command: Command<'survey_step'>, policy: ChangePolicy, now: Date): ClaimChange {
  const step = nextSurveyStep(claim, policy.survey, now, command.surveyedRecently);
  switch (step.kind) {
    case 'none':
      return change(now, { schedule: { surveyNextAt: null } });
    case 'wait':
      return change(now, { schedule: { surveyNextAt: step.nextAt } });
    case 'send':
    case 'skip':
    case 'remind': {
      const type = step.kind === 'send' ? 'survey_sent' : step.kind === 'skip' ? 'survey_skipped' : 'survey_reminder';
      const event = surveyEvent(type, now, step.kind === 'skip' && step.record.skipped ? { note: step.record.skipped } : {});
      return change(now, { set: { survey: step.record }, events: [event], schedule: { surveyNextAt: step.nextAt } });
    }
    case 'close':
      // a claim staff closed already (#25): the survey's window is over, nothing more to do
      if (claim.status === 'closed') return change(now, { schedule: { surveyNextAt: null } });
      return planMove(claim, { action: 'close' }, { kind: 'system', reason: 'survey window over' }, policy, now);
  }
}

/**
 * The SLA sweep's step: the warnings and breaches due now become history events (each once per
 * claim and deadline: the history says what was recorded), and the next check moves on.
 */
function planSlaChecks(claim: Claim, policy: ChangePolicy, now: Date): ClaimChange {
  const events = dueSlaChecks(claim, policy.slaWarnAtShare, now).map((check) => slaEvent(check, now));
  const next = nextSlaCheckAt({ ...claim, history: [...claim.history, ...events] }, policy.slaWarnAtShare);
  return change(now, { events, schedule: { slaNextCheckAt: next ?? null } });
}

/** The customer was told about an event: marked once (an event already delivered keeps its first time). */
function planDelivered(claim: Claim, command: Command<'delivered'>, now: Date): ClaimChange {
  const event = claim.history.find((candidate) => candidate.id === command.eventId);
  if (!event || event.deliveredAt !== undefined) return change(now);
  return change(now, { marks: [{ eventId: event.id, deliveredAt: command.at }] });
}

/**
 * Parts of a notice in several reached the customer (a long text's pieces, a reply's files, #25):
 * marked, so a retry sends only the rest; only forward, and only while the notice is not settled.
 */
function planDeliveryProgress(claim: Claim, command: Command<'delivery_progress'>, now: Date): ClaimChange {
  const event = claim.history.find((candidate) => candidate.id === command.eventId);
  if (!event || event.deliveredAt !== undefined || event.deliveryFailure !== undefined || command.parts <= (event.deliveredParts ?? 0)) return change(now);
  return change(now, { marks: [{ eventId: event.id, deliveredParts: command.parts }] });
}

/**
 * An event could not be delivered for good: staff are told by a `delivery_failed` event (once per
 * event), and the failure is marked on the event itself.
 */
function planDeliveryFailed(claim: Claim, command: Command<'delivery_failed'>, now: Date): ClaimChange {
  const about = claim.history.find((event) => event.id === command.eventId);
  if (!about) return change(now);
  const told = claim.history.some((event) => event.type === 'delivery_failed' && event.aboutEventId === about.id);
  const marks = about.deliveryFailure === command.failure ? [] : [{ eventId: about.id, deliveryFailure: command.failure }];
  return change(now, { events: told ? [] : [deliveryFailedEvent(about, command.failure, now)], marks });
}

/** An assessment (src/domain/assessment.ts); when the due times move, the SLA sweep's next look moves with them. */
function planAssess(claim: Claim, command: Command<'assess'>, policy: ChangePolicy, now: Date): PlanResult {
  const planned = planAssessment(claim, command.assessment, { kind: 'staff', staffId: command.staffId }, policy.claimsWork, now);
  if (planned === undefined) return change(now);
  if ('refusal' in planned) return planned;
  if (!planned.slaChanged || !planned.set.sla) return change(now, { set: planned.set, events: planned.events });
  const next = nextSlaCheckAt({ ...claim, sla: planned.set.sla, history: [...claim.history, ...planned.events] }, policy.slaWarnAtShare);
  return change(now, { set: planned.set, events: planned.events, schedule: { slaNextCheckAt: next ?? null } });
}

/** An edit of the investigation record (src/domain/investigation.ts). */
function planRecordInvestigation(claim: Claim, command: Command<'record_investigation'>, policy: ChangePolicy, now: Date): PlanResult {
  const planned = planInvestigation(claim, command.investigation, { kind: 'staff', staffId: command.staffId }, policy.claimsWork, now);
  if (planned === undefined) return change(now);
  if ('refusal' in planned) return planned;
  return change(now, { set: planned.set, events: planned.events });
}

/** A move to another department or category (src/domain/relocation.ts); new due times move the SLA sweep's next look. */
function planRelocate(claim: Claim, command: Command<'relocate'>, policy: ChangePolicy, now: Date): PlanResult {
  const planned = planRelocation(claim, command, policy.routing ?? { departments: [], categories: [] }, policy.claimsWork, now);
  if (planned === undefined) return change(now);
  if ('refusal' in planned) return planned;
  if (!planned.slaChanged || !planned.set.sla) return change(now, { set: planned.set, unset: planned.unset, events: planned.events });
  const next = nextSlaCheckAt({ ...claim, sla: planned.set.sla, history: [...claim.history, ...planned.events] }, policy.slaWarnAtShare);
  return change(now, { set: planned.set, unset: planned.unset, events: planned.events, schedule: { slaNextCheckAt: next ?? null } });
}
