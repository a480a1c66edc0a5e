import type { Attachment, ClaimDraftInput, CustomerIdentity } from './domain/claim.js';
import type { DeskConfig } from './domain/desk.js';
import type { SurveyScore } from './domain/survey.js';
import type { Actor, Claim, ClaimCommand, ClaimEvent, DeliveryFailure } from './domain/lifecycle.js';
import { prepareRegistration } from './domain/registration.js';
import type { ClaimRepository, RegisterResult } from './store/claims.js';
import type { DepartmentStats } from './domain/stats.js';
import type { ClaimsPort } from '../flows/runner.js';

/** Told about a changed claim; must not throw. */
export type ClaimListener = (claim: Claim) => void;

/**
 * The claim registry service: the desk's rules (validation, routing, SLA) in front of the
 * repository. Flows and adapters call this, never the repository's queries directly.
 * @example
 * const registry = new ClaimRegistry(desk, new ClaimRepository(db));
 * const { claim } = await registry.submit(draft, 'telegram:42:submit:7');
 */
export class ClaimRegistry implements ClaimsPort {
  private readonly listeners = new Set<ClaimListener>();

  constructor(
    readonly desk: DeskConfig,
    private readonly claims: ClaimRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Calls `listener` after every change of a claim (registration included), e.g. to update the
   * staff's Slack post at once. Listeners must not throw; a missed call is caught up by a sweeper.
   * Returns a function that removes the listener.
   */
  onChange(listener: ClaimListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(claim: Claim): Claim {
    for (const listener of this.listeners) listener(claim);
    return claim;
  }

  /** Validates and registers a claim; idempotent on the key (a retried submit gets the same claim). */
  async submit(draft: ClaimDraftInput, idempotencyKey: string): Promise<RegisterResult> {
    const result = await this.claims.register(prepareRegistration(draft, this.desk, this.now()), idempotencyKey);
    if (result.created) this.changed(result.claim);
    return result;
  }

  /** Applies a lifecycle command (see the transition table in src/domain/lifecycle.ts). */
  async apply(claimId: string, command: ClaimCommand, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.changed(await this.claims.apply(claimId, command, actor, options));
  }

  /** Take: the review starts and the taker becomes the assignee, in one write. */
  async take(claimId: string, staffId: string, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.changed(await this.claims.take(claimId, staffId, options));
  }

  /** Assigns a claim to a staff member listed in the desk config. */
  async assign(claimId: string, staffId: string, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.changed(await this.claims.assign(claimId, staffId, actor, options));
  }

  /** A claim by id, or undefined. */
  findById(claimId: string): Promise<Claim | undefined> {
    return this.claims.findById(claimId);
  }

  /** A claim by its canonical number, or undefined (staff lookups; customers use findForCustomer). */
  findByNumber(number: string): Promise<Claim | undefined> {
    return this.claims.findByNumber(number);
  }

  /** A staff member's open claims, newest first. */
  listOpenForAssignee(staffId: string, limit?: number): Promise<Claim[]> {
    return this.claims.listOpenForAssignee(staffId, limit);
  }

  /** Records that the customer was told about an event (the claim itself does not change). */
  recordDelivered(claimId: string, eventId: string, at: Date): Promise<void> {
    return this.claims.recordDelivered(claimId, eventId, at);
  }

  /** Records that an event could not be delivered for good; staff are told through the claim's history. */
  async recordDeliveryFailed(claimId: string, eventId: string, failure: DeliveryFailure): Promise<Claim> {
    return this.changed(await this.claims.recordDeliveryFailed(claimId, eventId, failure));
  }

  /** Claims with events the customer may not have been told about, changed before `before`. */
  listNotifyPending(before: Date, limit?: number): Promise<string[]> {
    return this.claims.listNotifyPending(before, limit);
  }

  /** Clears the notify mark, unless the claim changed since `version` was read. */
  clearNotifyPending(claimId: string, version: number): Promise<void> {
    return this.claims.clearNotifyPending(claimId, version);
  }

  /** Claims whose next SLA check is due. */
  listSlaDue(now: Date, limit?: number): Promise<string[]> {
    return this.claims.listSlaDue(now, limit);
  }

  /** Records the SLA warnings and breaches due now (each once per claim and deadline). */
  async runSlaChecks(claimId: string): Promise<readonly ClaimEvent[]> {
    const { claim, recorded } = await this.claims.runSlaChecks(claimId, this.desk.sla.warnAtShare);
    if (recorded.length > 0) this.changed(claim);
    return recorded;
  }

  /** Resolved claims whose survey step is due. */
  listSurveyDue(now: Date, limit?: number): Promise<string[]> {
    return this.claims.listSurveyDue(now, limit);
  }

  /** Takes a resolved claim's survey one step on: send, skip, remind or close (src/domain/survey.ts). */
  async advanceSurvey(claimId: string): Promise<readonly ClaimEvent[]> {
    const result = await this.claims.advanceSurvey(claimId);
    if (!result) return [];
    if (result.recorded.length > 0) this.changed(result.claim);
    return result.recorded;
  }

  /** A customer's survey answer: a score (1–5) or a comment, on their own resolved claim. */
  async answerSurvey(customer: CustomerIdentity, number: string, answer: { readonly score: SurveyScore } | { readonly comment: string }): Promise<Claim> {
    return this.changed(await this.claims.recordSurveyAnswer(customer, number, answer));
  }

  /** A department's numbers for the digest (received and resolved since `since`, open and overdue now, CSAT). */
  departmentStats(department: string, since: Date, now: Date = this.now()): Promise<DepartmentStats> {
    return this.claims.departmentStats(department, since, now);
  }

  /** Marks that the staff's view (the Slack post) shows this version of the claim. */
  markStaffSynced(claimId: string, version: number): Promise<void> {
    return this.claims.markStaffSynced(claimId, version);
  }

  /** Puts a claim whose staff sync failed back in the queue, not before `until`. */
  deferStaffSync(claimId: string, until: Date): Promise<void> {
    return this.claims.deferStaffSync(claimId, until);
  }

  /** Claims changed before `before` whose latest change the staff's view may not show yet. */
  listStaffSyncPending(before: Date, limit?: number): Promise<string[]> {
    return this.claims.listStaffSyncPending(before, limit);
  }

  /** A customer's claims, newest first. */
  listForCustomer(customer: CustomerIdentity, limit?: number): Promise<Claim[]> {
    return this.claims.listForCustomer(customer, limit);
  }

  /** A customer's own claim by number; someone else's number is not found, exactly like a missing one. */
  findForCustomer(customer: CustomerIdentity, number: string): Promise<Claim | undefined> {
    return this.claims.findForCustomer(customer, number);
  }

  /** Records what the customer added; a claim waiting for them returns to the staff. Idempotent on `eventId`. */
  async addCustomerInfo(claimId: string, customer: CustomerIdentity, info: { readonly text?: string; readonly attachments: readonly Attachment[] }, eventId: string): Promise<Claim> {
    return this.changed(await this.claims.addCustomerInfo(claimId, customer, info, eventId));
  }
}
