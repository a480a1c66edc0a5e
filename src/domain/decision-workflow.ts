import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { CustomerIdentity } from './claim.js';
import { Decision, isAcceptance } from './decision.js';
import type { DeskConfig, Severity, StaffMember } from './desk.js';
import { refusal, type Refusal } from './errors.js';
import { canApply, DisputeText, type Actor, type Claim, type ClaimCommand, type ClaimEvent } from './lifecycle.js';
import { coversDepartment, hasRight } from './staff.js';

/**
 * What happens to a decision after staff make it (#25): a head's **approval** of decisions over
 * the desk's amount and of rejections of high or critical claims (the customer hears nothing
 * until then; a refusal returns the draft to its author), the **fulfilment** of the remedy by a
 * due date (marked done, overdue alerts the assignee then the heads), and the customer's
 * **dispute** of a decision (once per decision, until the claim closes). Pure: `plan` in
 * claim-changes.ts calls the plan… functions and applies their parts.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The longest time for carrying out a remedy, in days. */
export const FULFILMENT_DAYS_MAX = 365;

/** Days for carrying out a remedy: a whole number from 1 to {@link FULFILMENT_DAYS_MAX}. */
export const FulfilmentDays = z.number().int('expected whole days').min(1, 'expected at least 1 day').max(FULFILMENT_DAYS_MAX, `expected at most ${FULFILMENT_DAYS_MAX} days`);

/** Why a decision waits for a head: its amount is over the desk's, or it rejects a high or critical claim. */
export type ApprovalReason = 'amount' | 'severity';

/** A decision waiting for a head's approval, as stored on the claim. */
export interface PendingDecision {
  /** The draft's id: an approval or a return names it, so a head never acts on a draft they did not see. */
  readonly id: string;
  /** The decision as the customer will receive it (its author in `decidedBy`). */
  readonly decision: Decision;
  /** Days for carrying out the remedy, counted from the approval. */
  readonly fulfilmentDays?: number;
  readonly reasons: readonly ApprovalReason[];
  /** Who drafted it, and when. */
  readonly by: string;
  readonly at: Date;
}

/** Carrying out the remedy of a decision, as stored on the claim. */
export interface Fulfilment {
  /** The resolution it belongs to (its history event). */
  readonly decisionEventId: string;
  readonly dueAt: Date;
  /** When the assignee was told it is overdue, and when the heads were. */
  readonly overdueAt?: Date;
  readonly escalatedAt?: Date;
  /** When staff marked it done, and who. */
  readonly doneAt?: Date;
  readonly doneBy?: string;
}

/** The desk's decision rules as the plans read them. */
export interface DecisionRules {
  /** Acceptances granting more than this (in hundredths of the desk's currency) wait for approval. */
  readonly approvalOverMinor?: number;
  /** Rejections of claims of these severities wait for approval. */
  readonly rejectionsOf: readonly Severity[];
  /** Hours after the due date an unfulfilled remedy goes to the heads. */
  readonly escalateAfterHours: number;
  /** The staff, to know who may approve (holds `approve_decision` in the claim's department). */
  readonly staff: readonly Pick<StaffMember, 'id' | 'roles' | 'departments'>[];
}

/** The decision rules of a desk configuration. */
export function decisionRules(desk: Pick<DeskConfig, 'decisions' | 'staff'>): DecisionRules {
  const { approvalOver, approveRejectionsOf, fulfilmentEscalateAfterHours } = desk.decisions;
  return {
    ...(approvalOver !== undefined ? { approvalOverMinor: Math.round(approvalOver * 100) } : {}),
    rejectionsOf: approveRejectionsOf,
    escalateAfterHours: fulfilmentEscalateAfterHours,
    staff: desk.staff,
  };
}

/**
 * Why a decision must wait for a head's approval; empty when it need not. An acceptance (full or
 * partial) with an amount over the desk's threshold: `amount`; a rejection of a claim whose
 * severity is on the desk's list: `severity`.
 * @example approvalReasons({ outcome: 'rejected', … }, 'critical', rules) // ['severity']
 */
export function approvalReasons(decision: Decision, severity: Severity, rules: Pick<DecisionRules, 'approvalOverMinor' | 'rejectionsOf'>): ApprovalReason[] {
  if (decision.outcome === 'rejected') return rules.rejectionsOf.includes(severity) ? ['severity'] : [];
  const over = rules.approvalOverMinor;
  return over !== undefined && decision.amount !== undefined && decision.amount.minor > over ? ['amount'] : [];
}

/** Whether a staff member may approve decisions on a claim of a department (and so decide without approval). */
export function mayApprove(rules: Pick<DecisionRules, 'staff'>, staffId: string, department: string): boolean {
  const member = rules.staff.find((candidate) => candidate.id === staffId);
  return member !== undefined && hasRight(member, 'approve_decision') && coversDepartment(member, department);
}

// ---------------------------------------------------------------- the commands

const StaffId = z.string().min(1).max(128);
const DraftId = z.string().min(1).max(64);
/** A head's note when returning a draft. */
export const ReturnNote = z.string().trim().min(1, 'expected why the draft is returned').max(2000);
/** Staff's note on marking a remedy done, or on closing a claim. */
export const StaffNote = z.string().trim().min(1, 'expected a note').max(2000);

/** The change commands of this module (members of `ChangeCommand` in claim-changes.ts). */
export const DecisionCommands = [
  /** Staff decide: the resolution, or a draft waiting for a head when the rules say so. */
  z.object({ type: z.literal('decide'), staffId: StaffId, decision: Decision, fulfilmentDays: FulfilmentDays.optional() }).strict(),
  /** A head approves the draft: the decision reaches the customer. */
  z.object({ type: z.literal('approve_decision'), staffId: StaffId, draftId: DraftId }).strict(),
  /** A head returns the draft to its author with a note. */
  z.object({ type: z.literal('return_decision'), staffId: StaffId, draftId: DraftId, note: ReturnNote }).strict(),
  /** Staff mark the remedy carried out. */
  z.object({ type: z.literal('fulfil'), staffId: StaffId, note: StaffNote.optional() }).strict(),
  /** The fulfilment sweep records an overdue remedy (the assignee) and its escalation (the heads). */
  z.object({ type: z.literal('fulfilment_checks') }).strict(),
  /** The customer disputes the decision (the one of `decisionEventId`, when given). */
  z.object({ type: z.literal('dispute'), customer: CustomerIdentity, text: DisputeText, decisionEventId: z.string().min(1).max(64).optional() }).strict(),
] as const;
type DecisionCommand = z.infer<(typeof DecisionCommands)[number]>;
type Command<T extends DecisionCommand['type']> = Extract<DecisionCommand, { type: T }>;

/** What a plan of this module does to a claim: the parts of a ClaimChange (claim-changes.ts makes it one). */
export interface DecisionPlan {
  readonly set: Partial<Pick<Claim, 'pendingDecision' | 'fulfilment' | 'decision'>> & Record<string, unknown>;
  readonly unset: readonly ('pendingDecision' | 'fulfilment')[];
  readonly events: readonly ClaimEvent[];
  readonly schedule: { readonly fulfilmentNextAt?: Date | null };
}

/** A lifecycle move as claim-changes.ts plans it (with the sweeps' clocks), handed in to avoid a cycle. */
export type Move = (command: ClaimCommand, actor: Actor) => { readonly set: Record<string, unknown>; readonly unset: readonly string[]; readonly events: readonly ClaimEvent[]; readonly schedule: Record<string, Date | null | undefined> };

/** A lifecycle move with this module's parts added: what claim-changes.ts turns into one change. */
export interface MovePlan {
  readonly set: Record<string, unknown>;
  readonly unset: readonly string[];
  readonly events: readonly ClaimEvent[];
  readonly schedule: Record<string, Date | null | undefined>;
}

const staffActor = (staffId: string): Actor => ({ kind: 'staff', staffId });

function noDraft(claim: Claim, draftId: string): Refusal | undefined {
  if (claim.pendingDecision?.id === draftId) return undefined;
  return refusal('INVALID_TRANSITION', claim.pendingDecision ? 'the decision waiting for approval has changed' : 'no decision waits for approval', { number: claim.number, from: claim.status, action: 'approve' });
}

/**
 * Staff decide a claim. While a draft waits for approval no other decision is taken. A decision the
 * rules send to a head ({@link approvalReasons}) — unless its author may approve it — is stored
 * as a draft (`decision_drafted`; the heads are alerted; the customer hears nothing); any other
 * resolves the claim at once, with the fulfilment's due date when days are given.
 */
export function planDecide(claim: Claim, command: Command<'decide'>, rules: DecisionRules, move: Move, now: Date): MovePlan | Refusal {
  if (claim.pendingDecision) return refusal('INVALID_TRANSITION', 'a decision waits for approval', { number: claim.number, from: claim.status, action: 'resolve' });
  if (!canApply(claim.status, 'resolve')) return refusal('INVALID_TRANSITION', `cannot resolve a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'resolve' });
  const days = isAcceptance(command.decision) ? command.fulfilmentDays : undefined;
  const reasons = approvalReasons(command.decision, claim.severity, rules);
  if (reasons.length === 0 || mayApprove(rules, command.staffId, claim.department)) return resolveWith(claim, command.decision, command.staffId, days, move, now);
  const { approvedBy: _approved, ...rest } = command.decision;
  const decision: Decision = { ...rest, decidedBy: command.staffId };
  const id = randomUUID();
  const pending: PendingDecision = { id, decision, reasons, by: command.staffId, at: now, ...(days !== undefined ? { fulfilmentDays: days } : {}) };
  const event: ClaimEvent = { id, at: now, actor: staffActor(command.staffId), type: 'decision_drafted', decision, notifyCustomer: false };
  return { set: { pendingDecision: pending }, unset: [], events: [event], schedule: {} };
}

/** A head approves the draft: `decision_approved`, then the resolution as its author made it (who approved recorded on it). */
export function planApproveDecision(claim: Claim, command: Command<'approve_decision'>, move: Move, now: Date): MovePlan | Refusal {
  const stale = noDraft(claim, command.draftId);
  const pending = claim.pendingDecision;
  if (stale || !pending) return stale ?? refusal('INVALID_TRANSITION', 'no decision waits for approval');
  const approved: ClaimEvent = { id: randomUUID(), at: now, actor: staffActor(command.staffId), type: 'decision_approved', decision: pending.decision, notifyCustomer: false };
  return resolveWith(claim, pending.decision, pending.by, pending.fulfilmentDays, move, now, { approvedBy: command.staffId, before: approved });
}

/** A head returns the draft to its author with a note (`decision_returned`; the author is alerted). */
export function planReturnDecision(claim: Claim, command: Command<'return_decision'>, now: Date): DecisionPlan | Refusal {
  const stale = noDraft(claim, command.draftId);
  const pending = claim.pendingDecision;
  if (stale || !pending) return stale ?? refusal('INVALID_TRANSITION', 'no decision waits for approval');
  const event: ClaimEvent = { id: randomUUID(), at: now, actor: staffActor(command.staffId), type: 'decision_returned', decision: pending.decision, note: command.note, notifyCustomer: false };
  return { set: {}, unset: ['pendingDecision'], events: [event], schedule: {} };
}

/**
 * The resolution with a decision: the lifecycle's move by its author, who approved it (if anyone),
 * the fulfilment's due date (days from now) for a remedy to carry out — or none, dropping one a
 * previous decision had — and the draft gone.
 */
function resolveWith(claim: Claim, decision: Decision, author: string, days: number | undefined, move: Move, now: Date, approval?: { readonly approvedBy: string; readonly before: ClaimEvent }): MovePlan {
  const moved = move({ action: 'resolve', decision }, staffActor(author));
  const [resolved, ...rest] = moved.events;
  if (!resolved?.decision) throw new Error('a resolution records its decision');
  const final: Decision = approval ? { ...resolved.decision, approvedBy: approval.approvedBy } : resolved.decision;
  const dueAt = days !== undefined && isAcceptance(decision) ? new Date(now.getTime() + days * DAY) : undefined;
  const event: ClaimEvent = { ...resolved, decision: final, ...(dueAt ? { fulfilmentDueAt: dueAt } : {}) };
  const set: Record<string, unknown> = { ...moved.set, decision: final };
  const unset = [...moved.unset];
  if (dueAt) set.fulfilment = { decisionEventId: event.id, dueAt } satisfies Fulfilment;
  else if (claim.fulfilment) unset.push('fulfilment');
  if (claim.pendingDecision) unset.push('pendingDecision');
  return {
    set,
    unset,
    events: [...(approval ? [approval.before] : []), event, ...rest],
    schedule: { ...moved.schedule, fulfilmentNextAt: dueAt ?? null },
  };
}

/**
 * Staff mark the remedy carried out: the customer is told (`fulfilled`). Only for a decision with a
 * remedy to carry out; marked once (again changes nothing).
 */
export function planFulfil(claim: Claim, command: Command<'fulfil'>, now: Date): DecisionPlan | Refusal {
  const fulfilment = claim.fulfilment;
  if (!fulfilment || (claim.status !== 'resolved' && claim.status !== 'closed')) {
    return refusal('INVALID_TRANSITION', 'this claim has no remedy to carry out', { number: claim.number, from: claim.status, action: 'fulfil' });
  }
  if (fulfilment.doneAt) return { set: {}, unset: [], events: [], schedule: {} };
  const event: ClaimEvent = {
    id: randomUUID(),
    at: now,
    actor: staffActor(command.staffId),
    type: 'fulfilled',
    fulfilmentDueAt: fulfilment.dueAt,
    notifyCustomer: true,
    ...(command.note !== undefined ? { note: command.note } : {}),
  };
  return { set: { fulfilment: { ...fulfilment, doneAt: now, doneBy: command.staffId } }, unset: [], events: [event], schedule: { fulfilmentNextAt: null } };
}

/**
 * The fulfilment sweep's step: a remedy not carried out by its due date is recorded overdue (the
 * assignee is alerted), and {@link DecisionRules.escalateAfterHours} later escalated (the heads) —
 * each once per fulfilment, as the fulfilment itself records; the next look moves on.
 */
export function planFulfilmentChecks(claim: Claim, rules: Pick<DecisionRules, 'escalateAfterHours'>, now: Date): DecisionPlan {
  const fulfilment = claim.fulfilment;
  if (!fulfilment || fulfilment.doneAt) return { set: {}, unset: [], events: [], schedule: { fulfilmentNextAt: null } };
  const escalateAt = new Date(fulfilment.dueAt.getTime() + rules.escalateAfterHours * HOUR);
  const events: ClaimEvent[] = [];
  let next: Fulfilment = fulfilment;
  const event = (type: 'fulfilment_overdue' | 'fulfilment_escalated'): ClaimEvent => ({ id: randomUUID(), at: now, actor: { kind: 'system', reason: 'fulfilment' }, type, fulfilmentDueAt: fulfilment.dueAt, notifyCustomer: false });
  if (!next.overdueAt && now.getTime() >= fulfilment.dueAt.getTime()) {
    events.push(event('fulfilment_overdue'));
    next = { ...next, overdueAt: now };
  }
  if (!next.escalatedAt && now.getTime() >= escalateAt.getTime()) {
    events.push(event('fulfilment_escalated'));
    next = { ...next, escalatedAt: now };
  }
  const nextAt = !next.overdueAt ? fulfilment.dueAt : !next.escalatedAt ? escalateAt : null;
  return { set: events.length > 0 ? { fulfilment: next } : {}, unset: [], events, schedule: { fulfilmentNextAt: nextAt } };
}

/** Whether the customer may dispute a claim's decision now, and if not, why. */
export type DisputeState = 'open' | 'already_disputed' | 'closed' | 'no_decision';

/** The resolution the claim's current (or last) decision came with, if any. */
function lastResolution(claim: Pick<Claim, 'history'>): ClaimEvent | undefined {
  return [...claim.history].reverse().find((event) => event.type === 'status_changed' && event.action === 'resolve');
}

/**
 * Whether the customer may dispute the decision: only a resolved claim (until it closes), and each
 * decision once — a decision already disputed stays refused (the claim is back in review, or a
 * later decision is the one to dispute).
 * @example disputeState(resolvedClaim) // 'open'
 */
export function disputeState(claim: Pick<Claim, 'status' | 'history'>): DisputeState {
  const resolution = lastResolution(claim);
  if (!resolution) return 'no_decision';
  const disputed = claim.history.some((event) => event.action === 'dispute' && event.aboutEventId === resolution.id);
  if (disputed) return 'already_disputed';
  if (claim.status === 'closed') return 'closed';
  return claim.status === 'resolved' ? 'open' : 'no_decision';
}

/** The id of the decision the customer would dispute now (its resolution event), when they may. */
export function disputableDecision(claim: Pick<Claim, 'status' | 'history'>): string | undefined {
  return disputeState(claim) === 'open' ? lastResolution(claim)?.id : undefined;
}

/**
 * The customer disputes the decision (the caller checked it is their claim): the claim returns to
 * review without the decision, with their text (the assignee and the heads are alerted). Refused
 * when {@link disputeState} is not `open`, or when `decisionEventId` names another decision than
 * the current one.
 */
export function planDispute(claim: Claim, command: Command<'dispute'>, move: Move): MovePlan | Refusal {
  const state = disputeState(claim);
  const resolution = lastResolution(claim);
  if (state !== 'open' || !resolution || (command.decisionEventId !== undefined && command.decisionEventId !== resolution.id)) {
    return refusal('INVALID_TRANSITION', `the decision cannot be disputed (${state})`, { number: claim.number, from: claim.status, action: 'dispute' });
  }
  const moved = move({ action: 'dispute', reason: command.text }, { kind: 'customer' });
  return { ...moved, events: moved.events.map((event) => (event.action === 'dispute' ? { ...event, aboutEventId: resolution.id } : event)) };
}
