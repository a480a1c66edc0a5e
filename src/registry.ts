import type { Attachment, ClaimDraftInput, CustomerIdentity } from './domain/claim.js';
import type { DeskConfig } from './domain/desk.js';
import type { Actor, Claim, ClaimCommand } from './domain/lifecycle.js';
import { prepareRegistration } from './domain/registration.js';
import type { ClaimRepository, RegisterResult } from './store/claims.js';
import type { ClaimsPort } from '../flows/runner.js';

/**
 * The claim registry service: the desk's rules (validation, routing, SLA) in front of the
 * repository. Flows and adapters call this, never the repository's queries directly.
 * @example
 * const registry = new ClaimRegistry(desk, new ClaimRepository(db));
 * const { claim } = await registry.submit(draft, 'telegram:42:submit:7');
 */
export class ClaimRegistry implements ClaimsPort {
  constructor(
    readonly desk: DeskConfig,
    private readonly claims: ClaimRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Validates and registers a claim; idempotent on the key (a retried submit gets the same claim). */
  submit(draft: ClaimDraftInput, idempotencyKey: string): Promise<RegisterResult> {
    return this.claims.register(prepareRegistration(draft, this.desk, this.now()), idempotencyKey);
  }

  /** Applies a lifecycle command (see the transition table in src/domain/lifecycle.ts). */
  apply(claimId: string, command: ClaimCommand, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.claims.apply(claimId, command, actor, options);
  }

  /** Assigns a claim to a staff member listed in the desk config. */
  assign(claimId: string, staffId: string, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.claims.assign(claimId, staffId, actor, options);
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
  addCustomerInfo(claimId: string, customer: CustomerIdentity, info: { readonly text?: string; readonly attachments: readonly Attachment[] }, eventId: string): Promise<Claim> {
    return this.claims.addCustomerInfo(claimId, customer, info, eventId);
  }
}
