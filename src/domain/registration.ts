import { ClaimDraft, type ClaimDraftInput } from './claim.js';
import { findCategory, offersKind, type DeskConfig } from './desk.js';
import { DomainError } from './errors.js';
import { registrationEvent, type Claim, type ClaimEvent } from './lifecycle.js';
import { slaDue, warningAt, type SlaDue } from './sla.js';
import { formatClaimNumber, yearIn } from './numbering.js';
import { formatIssues } from './zod-issues.js';

/** A validated claim, ready for the registry to give it a number and store it. */
export interface PreparedRegistration {
  readonly draft: ClaimDraft;
  readonly department: string;
  readonly sla: SlaDue;
  /** The numbering year: the year of receipt in the desk's time zone. */
  readonly year: number;
  readonly receivedAt: Date;
  readonly event: ClaimEvent;
  /** When the first SLA check falls due (the first-response warning). */
  readonly slaNextCheckAt: Date;
}

/**
 * Validates a draft against the claim schema and the desk configuration (the category must exist
 * and be offered for the kind), routes it to its department and computes its SLA deadlines.
 * Throws `INVALID_CLAIM` naming each bad field, or `UNKNOWN_CATEGORY`.
 * @example const prepared = prepareRegistration(draft, desk, new Date());
 */
export function prepareRegistration(input: ClaimDraftInput, desk: DeskConfig, receivedAt: Date): PreparedRegistration {
  const parsed = ClaimDraft.safeParse(input);
  if (!parsed.success) {
    throw new DomainError('INVALID_CLAIM', `invalid claim: ${formatIssues(parsed.error).join('; ')}`);
  }
  const draft = parsed.data;
  const category = findCategory(desk, draft.category);
  if (!category) {
    throw new DomainError('UNKNOWN_CATEGORY', `unknown category "${draft.category}"`, { category: draft.category });
  }
  if (!offersKind(category, draft.kind)) {
    throw new DomainError('UNKNOWN_CATEGORY', `category "${category.id}" is not offered for ${draft.kind}`, { category: category.id, kind: draft.kind });
  }
  const sla = slaDue(desk, category.id, draft.severity, receivedAt);
  return {
    draft,
    department: category.department,
    sla,
    year: yearIn(receivedAt, desk.desk.timezone),
    receivedAt,
    event: registrationEvent(receivedAt, draft.registeredBy),
    slaNextCheckAt: warningAt(receivedAt, sla.firstResponseDueAt, desk.sla.warnAtShare),
  };
}

/**
 * The claim a registration creates under its number: status `new`, version 1, the registration
 * event as its history (what the store's `register` inserts; also the registry benchmark's generator).
 * @example const claim = registeredClaim(prepareRegistration(draft, desk, now), id, 123); // claim.number === '2026-000123'
 */
export function registeredClaim(prepared: PreparedRegistration, id: string, seq: number): Claim {
  return {
    id,
    number: formatClaimNumber(prepared.year, seq),
    ...prepared.draft,
    status: 'new',
    version: 1,
    department: prepared.department,
    createdAt: prepared.receivedAt,
    updatedAt: prepared.receivedAt,
    sla: prepared.sla,
    reopenCount: 0,
    history: [prepared.event],
  };
}
