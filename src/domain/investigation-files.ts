import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Attachment } from './claim.js';
import { refusal, type Refusal } from './errors.js';
import type { Claim, ClaimEvent } from './lifecycle.js';

/**
 * Files staff attach to an investigation's facts in the console (#24): a photo of the returned
 * item, a lab report. Stored by the desk (GridFS, like web-chat uploads), held by the claim as an
 * `investigation_file_added` event (who, when, the file), listed with the investigation.
 */

/** The types staff may attach: pictures, PDF, plain text, MP4 (the web chat's, checked by their bytes). */
export const INVESTIGATION_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** The most files one investigation holds. */
export const INVESTIGATION_FILES_MAX = 30;

/** The command: a file stored for this claim by a member, to be recorded on it. */
export const AttachInvestigationFileCommand = z
  .object({
    type: z.literal('attach_investigation_file'),
    staffId: z.string().min(1).max(128),
    file: Attachment.refine((file) => file.channel === 'web', { message: 'expected a file the desk stores' }),
  })
  .strict();
export type AttachInvestigationFileCommand = z.infer<typeof AttachInvestigationFileCommand>;

/** The files attached to a claim's investigation, oldest first, with who attached each and when. */
export function investigationFiles(claim: Pick<Claim, 'history'>): { readonly file: Attachment; readonly by: string | undefined; readonly at: Date }[] {
  return claim.history.flatMap((event) =>
    event.type === 'investigation_file_added' && event.investigationFile ? [{ file: event.investigationFile, by: event.actor.kind === 'staff' ? event.actor.staffId : undefined, at: event.at }] : [],
  );
}

/**
 * Plans attaching a file to the investigation: only while the claim is under investigation, at
 * most {@link INVESTIGATION_FILES_MAX} files, and a file once. The event says who and when.
 * @example planInvestigationFile(claim, { type: 'attach_investigation_file', staffId: 'ivan', file }, now)
 */
export function planInvestigationFile(claim: Claim, command: AttachInvestigationFileCommand, now: Date): { readonly events: readonly ClaimEvent[] } | Refusal | undefined {
  if (claim.status !== 'investigating') {
    return refusal('INVALID_TRANSITION', `cannot attach an investigation file to a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'record_investigation' });
  }
  const files = investigationFiles(claim);
  if (files.some((existing) => existing.file.fileId === command.file.fileId)) return undefined;
  if (files.length >= INVESTIGATION_FILES_MAX) return refusal('INVALID_CLAIM', `expected at most ${String(INVESTIGATION_FILES_MAX)} investigation files`, { number: claim.number });
  return { events: [{ id: randomUUID(), at: now, actor: { kind: 'staff', staffId: command.staffId }, type: 'investigation_file_added', investigationFile: command.file, notifyCustomer: false }] };
}
