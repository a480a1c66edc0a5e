import type { IncomingMessage } from 'node:http';
import { safeFileName, type Attachment } from '../../../src/domain/claim.js';
import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import { canStaff } from '../../../src/domain/staff.js';
import { StaffRequest } from '../../../src/domain/staff-request.js';
import { REPLY_FILE_MAX_BYTES, REPLY_FILES_MAX, REPLY_FILES_MAX_TOTAL_BYTES, replyFilesOf } from '../../../src/domain/staff-message.js';
import type { AuditRecorder } from '../../../src/domain/audit.js';
import { HttpError, readBody, sendJson, type HttpServer } from '../../../src/http.js';
import { formatIssues } from '../../../src/domain/zod-issues.js';
import { t } from '../../../src/i18n/index.js';
import type { StaffDesk } from '../../../src/staff-desk.js';
import { refusalText } from '../../staff-text.js';
import { sendDownload, allowedType, downloadName, kindOf, matchesType } from '../chat/files.js';
import { checkOrigin, FAILURE_STATUS, viewClaim, type RequireStaff } from './api.js';
import type { StaffFileStore } from './investigation-files-api.js';

export interface ConsoleReplyFilesOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly staff: Pick<StaffDesk, 'act' | 'view'>;
  /** Where reply files are kept (the `reply_files` bucket). */
  readonly files: StaffFileStore;
  readonly audit: AuditRecorder;
  /** The claim as the claim page shows it to this member (the console API's view). */
  readonly claimView: (member: StaffMember, claim: Claim) => unknown;
  readonly publicUrl?: string;
  readonly trustProxy?: number;
}

/** Room for the form's text and its parts' headers beside the files. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** Where staff download a reply's file. */
export function replyFileUrl(claim: Pick<Claim, 'number'>, fileId: string): string {
  return `/console/api/claims/${claim.number}/reply-files/${encodeURIComponent(fileId)}`;
}

/** A reply's text and files as the form sent them, checked; throws a 4xx in the member's language. */
async function readReplyForm(req: IncomingMessage, member: StaffMember): Promise<{ readonly text: unknown; readonly files: readonly { readonly bytes: Buffer; readonly type: NonNullable<ReturnType<typeof allowedType>>; readonly name: string }[] }> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) throw new HttpError(415, 'unsupported_type', t(member.locale, 'console.reply.bad_form'));
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  const body = await readBody(req, REPLY_FILES_MAX_TOTAL_BYTES + FORM_OVERHEAD_BYTES).catch((error: unknown) => {
    if (error instanceof HttpError && error.status === 413) throw new HttpError(413, 'too_large', t(member.locale, 'console.reply.files_too_big', { mb: mb(REPLY_FILES_MAX_TOTAL_BYTES) }), { connection: 'close' });
    throw error;
  });
  let form: FormData;
  try {
    // the platform's multipart parser (undici's) over the body already read within its limit: its
    // deprecation warns of parsing unbounded bodies in memory, which this one is not
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- bounded body, see above
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    // formData() rejects with a TypeError exactly for a body that is not the multipart it claims
    throw new HttpError(400, 'invalid_input', t(member.locale, 'console.reply.bad_form'));
  }
  const parts = form.getAll('file').flatMap((part) => (typeof part === 'string' ? [] : [part]));
  if (parts.length > REPLY_FILES_MAX) throw new HttpError(400, 'invalid_input', t(member.locale, 'console.reply.files_too_many', { count: REPLY_FILES_MAX }));
  const files = [];
  let total = 0;
  for (const part of parts) {
    const type = allowedType(part.type);
    if (!type) throw new HttpError(415, 'unsupported_type', t(member.locale, 'console.reply.file_type'));
    if (part.size > REPLY_FILE_MAX_BYTES) throw new HttpError(413, 'too_large', t(member.locale, 'console.reply.file_too_big', { mb: mb(REPLY_FILE_MAX_BYTES) }));
    const bytes = Buffer.from(await part.arrayBuffer());
    if (bytes.length === 0) throw new HttpError(400, 'invalid_input', t(member.locale, 'console.reply.file_empty'));
    if (!matchesType(bytes, type)) throw new HttpError(415, 'unsupported_type', t(member.locale, 'console.reply.file_type'));
    total += bytes.length;
    if (total > REPLY_FILES_MAX_TOTAL_BYTES) throw new HttpError(413, 'too_large', t(member.locale, 'console.reply.files_too_big', { mb: mb(REPLY_FILES_MAX_TOTAL_BYTES) }));
    // always a name, with the extension of the type its bytes were checked as: the customer's channel shows it
    files.push({ bytes, type, name: downloadName(safeFileName(part.name), type) });
  }
  return { text: form.get('text') ?? '', files };
}

/**
 * A reply to the customer with files, from the console (#25): `POST
 * /console/api/claims/<number>/reply` as multipart/form-data with the `text` and up to
 * {@link REPLY_FILES_MAX} `file` parts (each at most 10 MB, together 15 MB; pictures, PDF, text or
 * MP4, checked by their bytes). The same rules as every reply (StaffDesk, the role table): the
 * files are stored first (GridFS, `reply_files`), then the reply is recorded with them, so the
 * notification job finds them when it sends the reply; a refused reply leaves no file behind.
 * `GET …/reply-files/<id>`: a reply's file for staff who may view the claim (audited).
 */
export function mountConsoleReplyFiles(options: ConsoleReplyFilesOptions): void {
  const { http, desk, requireStaff, staff, files } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  const claimOf = (member: StaffMember, number: string | undefined): Promise<Claim> => viewClaim(staff, member, number ?? '');

  http.route('POST', '/console/api/claims/:number/reply', async (req, res, params) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    const claim = await claimOf(member, params.number);
    // the right first: nothing is read or stored for a member who may not reply (the status is the desk's to check)
    const permission = canStaff(desk, member, claim, 'reply');
    if (!permission.allowed) throw new HttpError(403, permission.reason, refusalText(member.locale, { ...permission, claim }));
    const form = await readReplyForm(req, member);
    const request = StaffRequest.safeParse({ action: 'reply', text: form.text });
    if (!request.success) throw new HttpError(400, 'invalid_input', formatIssues(request.error).join('; '));
    const stored: Attachment[] = [];
    let result;
    try {
      for (const file of form.files) {
        const fileId = await files.put({ bytes: file.bytes, fileName: file.name, mimeType: file.type, ownerId: `staff:${member.id}`, target: `claim:${claim.id}` });
        stored.push({ channel: 'web', kind: kindOf(file.type), fileId, fileName: file.name, mimeType: file.type, sizeBytes: file.bytes.length });
      }
      result = await staff.act({ staffId: member.id }, claim.id, request.data, stored.length > 0 ? { files: stored } : {});
    } catch (error) {
      // the database failed: the files go, unless the reply was recorded with them before it did
      await dropUnless(stored, claim.number, member);
      throw error;
    }
    if (!result.ok) {
      // refused (the claim closed meanwhile, the right gone): no file is left behind
      await dropUnless(stored, claim.number, member);
      throw new HttpError(FAILURE_STATUS[result.reason], result.reason, refusalText(member.locale, { ...result, claim: result.claim ?? claim }));
    }
    sendJson(res, 200, { claim: options.claimView(member, result.claim) });
  });

  /** Removes stored files no reply of the claim holds (a refused or failed reply's). */
  const dropUnless = async (stored: readonly Attachment[], number: string, member: StaffMember) => {
    if (stored.length === 0) return;
    const found = await staff.view({ staffId: member.id }, number).catch(() => undefined);
    // the claim cannot be read now: keep the files rather than lose a reply's (an unheld file is only bytes)
    if (!found?.ok) return;
    const held = new Set(replyFilesOf(found.claim).map((file) => file.fileId));
    for (const file of stored) if (!held.has(file.fileId)) await files.remove(file.fileId);
  };

  http.route('GET', '/console/api/claims/:number/reply-files/:fileId', async (req, res, params) => {
    const member = await requireStaff(req);
    const claim = await claimOf(member, params.number);
    const permission = canStaff(desk, member, claim, 'view');
    if (!permission.allowed) throw new HttpError(403, permission.reason, refusalText(member.locale, { ...permission, claim }));
    const held = replyFilesOf(claim).find((file) => file.fileId === params.fileId);
    const file = held ? await files.open(held.fileId) : undefined;
    if (!file) throw new HttpError(404, 'not_found', 'no such file on this claim');
    try {
      await options.audit.record({ at: new Date(), kind: 'file_downloaded', channel: 'console', staffId: member.id, claimId: claim.id, claimNumber: claim.number });
    } catch (error) {
      file.stream.destroy();
      throw error;
    }
    await sendDownload(res, { ...file, name: held?.fileName ?? file.name });
  });
}
