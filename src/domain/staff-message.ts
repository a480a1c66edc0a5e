import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { Attachment } from './claim.js';
import { refusal, type Refusal } from './errors.js';
import { firstResponseFields, OPEN_STATUSES, type Claim, type ClaimEvent } from './lifecycle.js';

/**
 * What staff write about a claim without moving it (#25): a **reply** to the customer (delivered in
 * their channel like every notice, and the first response for the SLA) and an internal **note** for
 * colleagues (never sent to the customer). Pure; `plan` in claim-changes.ts calls it.
 */

/** The text of a reply or a note. */
export const StaffMessageText = z.string().trim().min(1, 'expected the text').max(4000, 'expected at most 4000 characters');

/** The most files one reply carries, each at most {@link REPLY_FILE_MAX_BYTES}, together at most {@link REPLY_FILES_MAX_TOTAL_BYTES} (an e-mail's attachments must fit a mail server's limit). */
export const REPLY_FILES_MAX = 5;
/** The largest file a reply carries (10 MB, like the investigation's files). */
export const REPLY_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** The most bytes of files one reply carries: 15 MB, about 20 MB once an e-mail encodes them. */
export const REPLY_FILES_MAX_TOTAL_BYTES = 15 * 1024 * 1024;

/** A file staff send with a reply: stored by the desk (channel `web`), its name, type and size known. */
export const ReplyFile = Attachment.refine((file) => file.channel === 'web' && file.mimeType !== undefined && file.sizeBytes !== undefined && file.sizeBytes <= REPLY_FILE_MAX_BYTES, {
  message: 'expected a file the desk stores, with its type and a size of at most 10 MB',
});

/** The change command: a reply or a note by a staff member; `eventId` makes it idempotent (a Slack event once); a reply from the console may carry files (#25). */
export const StaffMessageCommand = z
  .object({
    type: z.literal('staff_message'),
    kind: z.enum(['reply', 'note']),
    staffId: z.string().min(1).max(128),
    text: StaffMessageText,
    eventId: z.string().min(1).max(200).optional(),
    source: z.literal('slack_thread').optional(),
    files: z.array(ReplyFile).min(1).max(REPLY_FILES_MAX, `expected at most ${String(REPLY_FILES_MAX)} files`).optional(),
  })
  .strict()
  .refine((command) => command.files === undefined || command.kind === 'reply', { message: 'expected files only with a reply', path: ['files'] })
  .refine((command) => (command.files ?? []).reduce((sum, file) => sum + (file.sizeBytes ?? 0), 0) <= REPLY_FILES_MAX_TOTAL_BYTES, { message: 'expected files of at most 15 MB together', path: ['files'] });
export type StaffMessageCommand = z.infer<typeof StaffMessageCommand>;

/** The files staff sent with a claim's replies, oldest first (#25). */
export function replyFilesOf(claim: Pick<Claim, 'history'>): Attachment[] {
  return claim.history.flatMap((event) => (event.type === 'staff_reply' ? [...(event.replyFiles ?? [])] : []));
}

/** What a reply or note does: the event to append and the fields it sets (the first response), or nothing (a repeat). */
export type StaffMessagePlan = { readonly events: readonly ClaimEvent[]; readonly set: Partial<Pick<Claim, 'firstResponseAt' | 'firstResponseMs' | 'firstResponseWithinSla'>> } | Refusal;

/**
 * Plans a reply or a note. A reply only while the claim is open (the status does not change; the
 * customer is told, with the reply's files; the first staff answer records the first response);
 * a note at any status, never told to the customer. The same `eventId` twice changes nothing.
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
    ...(command.files ? { replyFiles: command.files } : {}),
  };
  return { events: [event], set: reply ? firstResponseFields(claim, actor, now) : {} };
}
