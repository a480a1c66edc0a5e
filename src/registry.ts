import type { ClaimDraftInput } from './domain/claim.js';
import type { DeskConfig } from './domain/desk.js';
import type { Actor, Claim, ClaimCommand } from './domain/lifecycle.js';
import { prepareRegistration } from './domain/registration.js';
import type { ClaimRepository, RegisterResult } from './store/claims.js';

/**
 * The claim registry service: the desk's rules (validation, routing, SLA) in front of the
 * repository. Flows and adapters call this, never the repository's queries directly.
 * @example
 * const registry = new ClaimRegistry(desk, new ClaimRepository(db));
 * const { claim } = await registry.submit(draft, 'telegram:42:submit:7');
 */
export class ClaimRegistry {
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
}
