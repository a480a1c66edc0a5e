import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { refusal, type Refusal } from './errors.js';
import { firstResponseFields, OPEN_STATUSES, type Claim, type ClaimEvent } from './lifecycle.js';

/**
 * What staff write about a claim without moving it (#25): a **reply** to the customer (delivered in
 * their channel like every notice, and the first response for the SLA) and an internal **note** for
 * colleagues (never sent to the customer). Pure; `plan` in claim-changes.ts calls it.
 */

/** The text of a reply or a note. */
export const StaffMessageText = z.string().trim().min(1, 'expected the text').max(4000, 'expected at most 4000 characters');

/** The change command: a reply or a note by a staff member; `eventId` makes it idempotent (a Slack event once). */
export const StaffMessageCommand = z
  .object({
    type: z.literal('staff_message'),
    kind: z.enum(['reply', 'note']),
    staffId: z.string().min(1).max(128),
    text: StaffMessageText,
    eventId: z.string().min(1).max(200).optional(),
    source: z.literal('slack_thread').optional(),
  })
  .strict();
export type StaffMessageCommand = z.infer<typeof StaffMessageCommand>;

/** What a reply or note does: the event to append and the fields it sets (the first response), or nothing (a repeat). */
export type StaffMessagePlan = { readonly events: readonly ClaimEvent[]; readonly set: Partial<Pick<Claim, 'firstResponseAt' | 'firstResponseMs' | 'firstResponseWithinSla'>> } | Refusal;

/**
 * Plans a reply or a note. A reply only while the claim is open (the status does not change; the
 * customer is told; the first staff answer records the first response); a note at any status,
 * never told to the customer. The same `eventId` twice changes nothing.
 * @example planStaffMessage(claim, { type: 'staff_message', kind: 'note', staffId: 'anna', text: 'Called the warehouse' }, now)
 */
export function planStaffMessage(claim: Claim, command: StaffMessageCommand, now: Date): StaffMessagePlan {
  const id = command.eventId ?? randomUUID();
  if (claim.history.some((event) => event.id === id)) return { events: [], set: {} };
  const actor = { kind: 'staff' as const, staffId: command.staffId };
  const reply = command.kind === 'reply';
  if (reply && !OPEN_STATUSES.includes(claim.status)) {
    return refusal('INVALID_TRANSITION', `cannot reply on a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'reply' });
  }
  const event: ClaimEvent = {
    id,
    at: now,
    actor,
    type: reply ? 'staff_reply' : 'staff_note',
    note: command.text,
    notifyCustomer: reply,
    ...(command.source ? { source: command.source } : {}),
  };
  return { events: [event], set: reply ? firstResponseFields(claim, actor, now) : {} };
}
