import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ClaimStatus, OPEN_STATUSES, type Claim, type ClaimEvent } from './lifecycle.js';
import { refusal, type Refusal } from './errors.js';

/**
 * Linking a duplicate to its original claim (#25). The duplicate is closed with the link and its
 * customer is told the number to follow; the original lists its duplicates. Two changes, one per
 * claim, each idempotent: the duplicate first (what the customer is told), then the original.
 * Pure.
 */

const Number_ = z.string().regex(/^\d{4}-\d{6,}$/, 'expected a claim number such as 2026-000123');

/** The change command on the duplicate: closed as a duplicate of `original` (as the registry read it). */
export const LinkDuplicateCommand = z
  .object({
    type: z.literal('link_duplicate'),
    staffId: z.string().min(1).max(128),
    original: z.object({ number: Number_, status: ClaimStatus, duplicateOf: Number_.optional() }).strict(),
    note: z.string().trim().max(500, 'expected a note of at most 500 characters').optional(),
  })
  .strict();
export type LinkDuplicateCommand = z.infer<typeof LinkDuplicateCommand>;

/** The change command on the original: `duplicate` was linked to it. */
export const AddDuplicateCommand = z.object({ type: z.literal('add_duplicate'), staffId: z.string().min(1).max(128), duplicate: Number_ }).strict();
export type AddDuplicateCommand = z.infer<typeof AddDuplicateCommand>;

/** What a link changes on one claim, planned. */
export interface LinkPlan {
  readonly set: Partial<Pick<Claim, 'status' | 'closedAt' | 'duplicateOf' | 'duplicates'>>;
  readonly unset: readonly 'resumeStatus'[];
  readonly events: readonly ClaimEvent[];
}

/**
 * Plans closing an open claim as a duplicate. Refused: a claim linked to itself, a claim not open
 * (resolved, closed) or already a duplicate of another, an original that is closed (the customer could not follow it)
 * or is itself a duplicate (link to its original instead). Linked to the same original again:
 * nothing (`undefined`). The customer is told the number to follow.
 * @example planLinkDuplicate(claim, { type: 'link_duplicate', staffId: 'olga', original: { number: '2026-000007', status: 'in_review' } }, now)
 */
export function planLinkDuplicate(claim: Claim, command: LinkDuplicateCommand, now: Date): LinkPlan | Refusal | undefined {
  const { original } = command;
  const details = { number: claim.number, original: original.number, from: claim.status, action: 'link_duplicate' };
  if (claim.duplicateOf === original.number) return undefined;
  if (original.number === claim.number) return refusal('INVALID_CLAIM', 'original: a claim cannot be a duplicate of itself', details);
  if (claim.duplicateOf !== undefined) return refusal('INVALID_TRANSITION', `already a duplicate of ${claim.duplicateOf}`, details);
  if (!OPEN_STATUSES.includes(claim.status)) return refusal('INVALID_TRANSITION', `cannot link a claim that is ${claim.status} as a duplicate`, details);
  if (original.duplicateOf !== undefined) return refusal('INVALID_CLAIM', `original: ${original.number} is itself a duplicate of ${original.duplicateOf}`, details);
  if (original.status === 'closed') return refusal('INVALID_CLAIM', `original: ${original.number} is closed`, details);
  const event: ClaimEvent = {
    id: randomUUID(),
    at: now,
    actor: { kind: 'staff', staffId: command.staffId },
    type: 'duplicate_linked',
    linkedNumber: original.number,
    from: claim.status,
    to: 'closed',
    notifyCustomer: true,
    ...(command.note !== undefined && command.note !== '' ? { note: command.note } : {}),
  };
  return { set: { status: 'closed', closedAt: now, duplicateOf: original.number }, unset: claim.resumeStatus !== undefined ? ['resumeStatus'] : [], events: [event] };
}

/** Plans listing a duplicate on its original; once per duplicate (again: nothing). */
export function planAddDuplicate(claim: Claim, command: AddDuplicateCommand, now: Date): LinkPlan | undefined {
  if (claim.duplicates?.includes(command.duplicate) === true) return undefined;
  const event: ClaimEvent = { id: randomUUID(), at: now, actor: { kind: 'staff', staffId: command.staffId }, type: 'duplicate_added', linkedNumber: command.duplicate, notifyCustomer: false };
  return { set: { duplicates: [...(claim.duplicates ?? []), command.duplicate] }, unset: [], events: [event] };
}

/** The claims linked to one, both ways: its original, and its duplicates. */
export function linkedClaims(claim: Pick<Claim, 'duplicateOf' | 'duplicates'>): { readonly duplicateOf: string | null; readonly duplicates: readonly string[] } {
  return { duplicateOf: claim.duplicateOf ?? null, duplicates: claim.duplicates ?? [] };
}
