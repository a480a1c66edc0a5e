import type { CustomerIdentity } from './claim.js';
import type { ClaimChange } from './claim-changes.js';
import type { Claim } from './lifecycle.js';
import type { PreparedRegistration } from './registration.js';
import type { DepartmentStats } from './stats.js';

/**
 * The claim store as the rest of the desk sees it, in narrow ports: what it finds, which claims
 * the sweeps are due for, its outbox marks, and the two writes (register, apply a planned change).
 * `src/store/claims.ts` (ClaimRepository) implements them all; the registry service alone writes.
 */

/** A registration's outcome. */
export interface RegisterResult {
  readonly claim: Claim;
  /** false when the idempotency key had been used: the earlier claim is returned, no number burned. */
  readonly created: boolean;
}

/** Finding claims. */
export interface ClaimReads {
  /** A claim by id, or undefined (also for a malformed id). */
  findById(id: string): Promise<Claim | undefined>;
  /** A claim by its canonical number (`2026-000123`), or undefined (staff lookups). */
  findByNumber(number: string): Promise<Claim | undefined>;
  /** A customer's own claim by number; someone else's number is not found, exactly like a missing one. */
  findForCustomer(customer: CustomerIdentity, number: string): Promise<Claim | undefined>;
  /** A customer's claims, newest first. */
  listForCustomer(customer: CustomerIdentity, limit?: number): Promise<Claim[]>;
  /** A staff member's open claims, newest first. */
  listOpenForAssignee(staffId: string, limit?: number): Promise<Claim[]>;
  /** A department's numbers for the digest (received and resolved since `since`, open and overdue at `now`, CSAT). */
  departmentStats(department: string, since: Date, now: Date): Promise<DepartmentStats>;
}

/** Which claims each sweep is due for (ids, oldest or most overdue first). */
export interface ClaimSweeps {
  /** Claims whose next SLA check is due at `now`. */
  listSlaDue(now: Date, limit?: number): Promise<string[]>;
  /** Resolved claims whose survey step is due at `now`. */
  listSurveyDue(now: Date, limit?: number): Promise<string[]>;
  /** Claims whose fulfilment check (a remedy's due date or its escalation) is due at `now` (#25). */
  listFulfilmentDue(now: Date, limit?: number): Promise<string[]>;
  /** Claims with events the customer may not have been told about, changed before `before`. */
  listNotifyPending(before: Date, limit?: number): Promise<string[]>;
  /** Claims changed before `before` whose latest change the staff's view may not show yet. */
  listStaffSyncPending(before: Date, limit?: number): Promise<string[]>;
}

/**
 * The store's outbox marks: which version of a claim the staff's view and the customer
 * notifications have caught up with. Bookkeeping only — they never change the claim.
 */
export interface ClaimOutbox {
  /** Marks that the staff's view shows this version; a change made meanwhile keeps the mark pending. */
  markStaffSynced(id: string, version: number): Promise<void>;
  /** Puts a claim whose staff sync failed back in the queue, not before `until`. */
  deferStaffSync(id: string, until: Date): Promise<void>;
  /** Clears the notify mark, unless the claim changed since `version` was read. */
  clearNotifyPending(id: string, version: number): Promise<void>;
}

/** What the registry service needs of the store: finds, the cooldown's question, and the two writes. */
export interface ClaimStore extends Pick<ClaimReads, 'findById' | 'findForCustomer'> {
  /** Registers a claim under the next number of its year, idempotently on `idempotencyKey`. */
  register(prepared: PreparedRegistration, idempotencyKey: string): Promise<RegisterResult>;
  /**
   * Applies a planned change to the version of the claim it was planned on (compare-and-swap on
   * `version`). Returns the claim after the change, or undefined when the claim changed meanwhile
   * (plan again from the fresh claim).
   */
  apply(claim: Claim, change: ClaimChange): Promise<Claim | undefined>;
  /** Whether the customer was sent a survey since `since` for another claim than `exceptId`. */
  surveyedSince(customer: CustomerIdentity, since: Date, exceptId: string): Promise<boolean>;
}
