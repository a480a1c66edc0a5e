import type { Attachment, ClaimDraftInput, CustomerIdentity } from './domain/claim.js';
import type { DeskConfig } from './domain/desk.js';
import { DomainError, refusalError } from './domain/errors.js';
import type { Actor, Claim, ClaimCommand, ClaimEvent, DeliveryFailure, Decision } from './domain/lifecycle.js';
import { prepareRegistration } from './domain/registration.js';
import {
  changePolicy,
  isEmptyChange,
  isNewVersion,
  isRefusal,
  plan,
  surveyCooldownSince,
  type ChangeCommandInput,
  type ChangePolicy,
  type ClaimChange,
  type CustomerInfo,
  type SurveyAnswer,
} from './domain/claim-changes.js';
import type { AssessmentInput } from './domain/assessment.js';
import type { InvestigationInputRaw } from './domain/investigation.js';
import type { StaffMessageCommand } from './domain/staff-message.js';
import type { CustomerToldCommand } from './domain/customer-told.js';
import type { ClaimOutbox, ClaimReads, ClaimStore, ClaimSweeps, RegisterResult } from './domain/claim-ports.js';

/** Told about a changed claim and the events the change recorded (a registration: the whole history); must not throw. */
export type ClaimListener = (claim: Claim, events: readonly ClaimEvent[]) => void;

/** How often a change is planned again after another one won the compare-and-swap. */
const ATTEMPTS = 10;

/**
 * The claim registry service: every change of a claim goes through here. It validates and routes
 * registrations, plans each change in the domain (`plan` in src/domain/claim-changes.ts — its only
 * caller), has the store apply it by compare-and-swap on `version` (planning again from the fresh
 * claim when another change won), turns a refusal into a coded DomainError, and tells the
 * listeners about every new version. Reads go to the store's ports directly (see {@link deskClaims}).
 * @example
 * const registry = new ClaimRegistry(desk, new ClaimRepository(db));
 * const { claim } = await registry.submit(draft, 'telegram:42:submit:7');
 * await registry.take(claim.id, 'anna');
 */
export class ClaimRegistry {
  private readonly listeners = new Set<ClaimListener>();
  private readonly policy: ChangePolicy;

  constructor(
    readonly desk: DeskConfig,
    private readonly store: ClaimStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.policy = changePolicy(desk);
  }

  /**
   * Calls `listener` after every change of a claim (registration included), e.g. to update the
   * staff's Slack post at once. Listeners must not throw; a missed call is caught up by a sweeper.
   * Returns a function that removes the listener.
   */
  onChange(listener: ClaimListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(claim: Claim, events: readonly ClaimEvent[]): void {
    for (const listener of this.listeners) listener(claim, events);
  }

  /** Validates and registers a claim; idempotent on the key (a retried submit gets the same claim). */
  async submit(draft: ClaimDraftInput, idempotencyKey: string): Promise<RegisterResult> {
    const result = await this.store.register(prepareRegistration(draft, this.desk, this.now()), idempotencyKey);
    if (result.created) this.changed(result.claim, result.claim.history);
    return result;
  }

  /**
   * Plans a command on a claim and applies it. With `expectedVersion` a claim changed since that
   * version is `CONCURRENT_UPDATE`; without, a lost compare-and-swap plans again on the fresh claim
   * (and is refused if no longer allowed). `known`: the claim as just read, to save the first read.
   */
  private async change(claimId: string, command: ChangeCommandInput, options: { readonly expectedVersion?: number } = {}, known?: Claim): Promise<{ readonly claim: Claim; readonly change: ClaimChange }> {
    const { expectedVersion } = options;
    let current = known;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      current = attempt === 0 && current ? current : await this.store.findById(claimId);
      if (!current) throw new DomainError('CLAIM_NOT_FOUND', 'no such claim', {});
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new DomainError('CONCURRENT_UPDATE', 'the claim was changed by someone else', { number: current.number, version: current.version });
      }
      const planned = plan(current, command, this.policy, this.now());
      if (isRefusal(planned)) throw refusalError(planned);
      if (isEmptyChange(planned)) return { claim: current, change: planned };
      const applied = await this.store.apply(current, planned);
      if (applied) {
        if (isNewVersion(planned)) this.changed(applied, planned.events);
        return { claim: applied, change: planned };
      }
      if (expectedVersion !== undefined) throw new DomainError('CONCURRENT_UPDATE', 'the claim was changed by someone else', { number: current.number });
    }
    throw new DomainError('CONCURRENT_UPDATE', 'the claim keeps changing; try again', {});
  }

  /** Applies a lifecycle command (see the transition table in src/domain/lifecycle.ts). */
  async apply(claimId: string, command: ClaimCommand, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'move', command, actor }, options)).claim;
  }

  /** Take: the review starts and the taker becomes the assignee, in one write. */
  async take(claimId: string, staffId: string, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'take', staffId }, options)).claim;
  }

  /** Assigns a claim to a staff member (any status but closed; the current assignee again changes nothing). */
  async assign(claimId: string, assigneeId: string, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'assign', assigneeId, actor }, options)).claim;
  }

  /** Records the initial assessment of a claim (src/domain/assessment.ts): severity may move the due times. */
  async assess(claimId: string, staffId: string, assessment: AssessmentInput, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'assess', staffId, assessment }, options)).claim;
  }

  /** Records an edit of a claim's investigation (src/domain/investigation.ts); only while it is investigating. */
  async recordInvestigation(claimId: string, staffId: string, investigation: InvestigationInputRaw, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'record_investigation', staffId, investigation }, options)).claim;
  }

  /** Records what the customer added; a claim waiting for them returns to the staff. Idempotent on `eventId`. */
  async addCustomerInfo(claimId: string, customer: CustomerIdentity, info: CustomerInfo, eventId: string): Promise<Claim> {
    return (await this.change(claimId, { type: 'add_info', customer, info, eventId })).claim;
  }

  /** A customer's survey answer: a score (1–5) or a comment, on their own resolved claim. */
  async answerSurvey(customer: CustomerIdentity, number: string, answer: SurveyAnswer): Promise<Claim> {
    const found = await this.store.findForCustomer(customer, number);
    if (!found) throw new DomainError('CLAIM_NOT_FOUND', 'no such claim', {});
    return (await this.change(found.id, { type: 'answer_survey', customer, answer }, {}, found)).claim;
  }

  /**
   * A staff reply to the customer or an internal note (src/domain/staff-message.ts): no status
   * change; idempotent on `eventId` when given.
   */
  async staffMessage(claimId: string, message: Omit<StaffMessageCommand, 'type'>, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'staff_message', ...message }, options)).claim;
  }

  /**
   * Moves a claim to another category (its department follows) and/or department, with a reason
   * (src/domain/relocation.ts): the due times by the new category's policy, never later than promised.
   */
  async relocate(claimId: string, staffId: string, target: { readonly category?: string; readonly department?: string }, reason: string, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'relocate', staffId, ...target, reason }, options)).claim;
  }

  /**
   * Closes a claim as a duplicate of `original` (as the caller just read it; src/domain/duplicates.ts):
   * the duplicate first (its customer is told the number to follow), then the original lists it.
   * Running it again completes a link half done.
   */
  async linkDuplicate(claimId: string, staffId: string, original: Pick<Claim, 'id' | 'number' | 'status' | 'duplicateOf'>, note: string | undefined, options: { expectedVersion?: number } = {}): Promise<Claim> {
    const { claim } = await this.change(claimId, { type: 'link_duplicate', staffId, original: { number: original.number, status: original.status, ...(original.duplicateOf !== undefined ? { duplicateOf: original.duplicateOf } : {}) }, ...(note !== undefined ? { note } : {}) }, options);
    await this.change(original.id, { type: 'add_duplicate', staffId, duplicate: claim.number });
    return claim;
  }

  /** Records that the customer was told about an event (the claim itself does not change). */
  async recordDelivered(claimId: string, eventId: string, at: Date): Promise<void> {
    const found = await this.store.findById(claimId);
    if (found) await this.change(claimId, { type: 'delivered', eventId, at }, {}, found);
  }

  /** Records how many parts of a notice in several reached the customer (a retry sends the rest). */
  async recordDeliveryProgress(claimId: string, eventId: string, parts: number): Promise<void> {
    await this.change(claimId, { type: 'delivery_progress', eventId, parts });
  }

  /** Records that an event could not be delivered for good; staff are told through the claim's history. */
  async recordDeliveryFailed(claimId: string, eventId: string, failure: DeliveryFailure): Promise<Claim> {
    return (await this.change(claimId, { type: 'delivery_failed', eventId, failure })).claim;
  }

  /**
   * Staff decide a claim (src/domain/decision-workflow.ts): resolved at once, or kept as a draft for
   * a head's approval when the desk's rules say so; `fulfilmentDays` for carrying out the remedy.
   */
  async decide(claimId: string, staffId: string, decision: Decision, fulfilmentDays: number | undefined, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'decide', staffId, decision, ...(fulfilmentDays !== undefined ? { fulfilmentDays } : {}) }, options)).claim;
  }

  /** A head approves the draft decision `draftId` (the customer is told) or, with a note, returns it to its author. */
  async reviewDecision(claimId: string, staffId: string, review: { readonly draftId: string; readonly approve: true } | { readonly draftId: string; readonly approve: false; readonly note: string }, options: { expectedVersion?: number } = {}): Promise<Claim> {
    const command: ChangeCommandInput = review.approve ? { type: 'approve_decision', staffId, draftId: review.draftId } : { type: 'return_decision', staffId, draftId: review.draftId, note: review.note };
    return (await this.change(claimId, command, options)).claim;
  }

  /** Staff mark the decision's remedy carried out (the customer is told). */
  async fulfil(claimId: string, staffId: string, note: string | undefined, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'fulfil', staffId, ...(note !== undefined ? { note } : {}) }, options)).claim;
  }

  /** Records a remedy overdue and its escalation when due (each once per fulfilment); returns the events recorded. */
  async runFulfilmentChecks(claimId: string): Promise<readonly ClaimEvent[]> {
    return (await this.change(claimId, { type: 'fulfilment_checks' })).change.events;
  }

  /** The customer disputes the decision on their own claim (`decisionEventId`: the one they saw); the claim returns to review. */
  async disputeDecision(claimId: string, customer: CustomerIdentity, text: string, decisionEventId?: string): Promise<Claim> {
    return (await this.change(claimId, { type: 'dispute', customer, text, ...(decisionEventId !== undefined ? { decisionEventId } : {}) })).claim;
  }

  /**
   * Records that staff told a customer without messenger or e-mail these notices themselves, how,
   * with an optional note (#25, src/domain/customer-told.ts); notices told already change nothing.
   */
  async recordCustomerTold(claimId: string, told: Omit<CustomerToldCommand, 'type'>, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return (await this.change(claimId, { type: 'customer_told', ...told }, options)).claim;
  }

  /** Records a file staff attached to the investigation (#24); an empty change when the claim holds it already. */
  async attachInvestigationFile(claimId: string, staffId: string, file: Attachment): Promise<Claim> {
    return (await this.change(claimId, { type: 'attach_investigation_file', staffId, file })).claim;
  }

  /** Records the SLA warnings and breaches due now (each once per claim and deadline); returns them. */
  async runSlaChecks(claimId: string): Promise<readonly ClaimEvent[]> {
    return (await this.change(claimId, { type: 'sla_checks' })).change.events;
  }

  /** Takes a resolved claim's survey one step on: send, skip, remind or close (src/domain/survey.ts); returns the events recorded. */
  async advanceSurvey(claimId: string): Promise<readonly ClaimEvent[]> {
    const found = await this.store.findById(claimId);
    if (!found) return [];
    const since = surveyCooldownSince(found, this.policy, this.now());
    const surveyedRecently = since !== undefined && (await this.store.surveyedSince(found.customer, since, found.id));
    return (await this.change(claimId, { type: 'survey_step', surveyedRecently }, {}, found)).change.events;
  }
}

/** The registry's changes, as a port. */
export type ClaimChanges = Pick<
  ClaimRegistry,
  | 'submit'
  | 'apply'
  | 'take'
  | 'assign'
  | 'assess'
  | 'recordInvestigation'
  | 'staffMessage'
  | 'addCustomerInfo'
  | 'answerSurvey'
  | 'recordDelivered'
  | 'recordDeliveryFailed'
  | 'recordDeliveryProgress'
  | 'runSlaChecks'
  | 'advanceSurvey'
  | 'decide'
  | 'reviewDecision'
  | 'fulfil'
  | 'runFulfilmentChecks'
  | 'disputeDecision'
  | 'relocate'
  | 'linkDuplicate'
  | 'recordCustomerTold'
>;

/** Every claim port in one object: what main.ts hands the flows, jobs and adapters (each takes its narrow part). */
export type DeskClaims = ClaimReads & ClaimSweeps & ClaimOutbox & ClaimChanges;

/**
 * The claims as the flows, jobs and adapters see them: the registry's changes beside the store's
 * reads, sweep queries and outbox marks, bound into one object that satisfies each consumer's
 * narrow port (the conversation runner's ClaimsPort, the notifier's, the sweeps', the staff desk's,
 * the Slack sync's). Wiring only: nothing here decides anything, and nothing but the registry writes.
 * @example const claims = deskClaims(registry, repository); new ConversationRunner({ desk, store, claims, senders });
 */
export function deskClaims(registry: ClaimRegistry, store: ClaimReads & ClaimSweeps & ClaimOutbox): DeskClaims {
  return {
    // reads
    findById: (id) => store.findById(id),
    findByNumber: (number) => store.findByNumber(number),
    findForCustomer: (customer, number) => store.findForCustomer(customer, number),
    listForCustomer: (customer, limit) => store.listForCustomer(customer, limit),
    listOpenForAssignee: (staffId, limit) => store.listOpenForAssignee(staffId, limit),
    departmentStats: (department, since, now) => store.departmentStats(department, since, now),
    listSlaDue: (now, limit) => store.listSlaDue(now, limit),
    listSurveyDue: (now, limit) => store.listSurveyDue(now, limit),
    listFulfilmentDue: (now, limit) => store.listFulfilmentDue(now, limit),
    listNotifyPending: (before, limit) => store.listNotifyPending(before, limit),
    listStaffSyncPending: (before, limit) => store.listStaffSyncPending(before, limit),
    markStaffSynced: (id, version) => store.markStaffSynced(id, version),
    deferStaffSync: (id, until) => store.deferStaffSync(id, until),
    clearNotifyPending: (id, version) => store.clearNotifyPending(id, version),
    // changes
    submit: (draft, key) => registry.submit(draft, key),
    apply: (id, command, actor, options) => registry.apply(id, command, actor, options),
    take: (id, staffId, options) => registry.take(id, staffId, options),
    assign: (id, assigneeId, actor, options) => registry.assign(id, assigneeId, actor, options),
    assess: (id, staffId, assessment, options) => registry.assess(id, staffId, assessment, options),
    recordInvestigation: (id, staffId, investigation, options) => registry.recordInvestigation(id, staffId, investigation, options),
    staffMessage: (id, message, options) => registry.staffMessage(id, message, options),
    relocate: (id, staffId, target, reason, options) => registry.relocate(id, staffId, target, reason, options),
    linkDuplicate: (id, staffId, original, note, options) => registry.linkDuplicate(id, staffId, original, note, options),
    recordCustomerTold: (id, told, options) => registry.recordCustomerTold(id, told, options),
    addCustomerInfo: (id, customer, info, eventId) => registry.addCustomerInfo(id, customer, info, eventId),
    answerSurvey: (customer, number, answer) => registry.answerSurvey(customer, number, answer),
    recordDelivered: (id, eventId, at) => registry.recordDelivered(id, eventId, at),
    recordDeliveryFailed: (id, eventId, failure) => registry.recordDeliveryFailed(id, eventId, failure),
    recordDeliveryProgress: (id, eventId, parts) => registry.recordDeliveryProgress(id, eventId, parts),
    runSlaChecks: (id) => registry.runSlaChecks(id),
    advanceSurvey: (id) => registry.advanceSurvey(id),
    decide: (id, staffId, decision, days, options) => registry.decide(id, staffId, decision, days, options),
    reviewDecision: (id, staffId, review, options) => registry.reviewDecision(id, staffId, review, options),
    fulfil: (id, staffId, note, options) => registry.fulfil(id, staffId, note, options),
    runFulfilmentChecks: (id) => registry.runFulfilmentChecks(id),
    disputeDecision: (id, customer, text, decisionEventId) => registry.disputeDecision(id, customer, text, decisionEventId),
  };
}
