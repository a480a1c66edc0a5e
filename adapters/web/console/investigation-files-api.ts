import type { Readable } from 'node:stream';
import { z } from 'zod';
import { safeFileName, type Attachment } from '../../../src/domain/claim.js';
import type { DeskConfig } from '../../../src/domain/desk.js';
import { isDomainError } from '../../../src/domain/errors.js';
import { INVESTIGATION_FILE_MAX_BYTES, investigationFiles } from '../../../src/domain/investigation-files.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import { parseClaimNumber } from '../../../src/domain/numbering.js';
import { canStaff } from '../../../src/domain/staff.js';
import { HttpError, parseQuery, readBody, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import type { AuditRecorder } from '../../../src/domain/audit.js';
import { labels, refusalText } from '../../staff-text.js';
import { sendDownload, allowedType, kindOf, matchesType } from '../chat/files.js';
import { checkOrigin, type RequireStaff } from './api.js';

/** Where files staff attach are kept — the investigation's, a reply's (#25) — each kind in a GridFS bucket of its own (the store's FileStore). */
export interface StaffFileStore {
  put(file: { readonly bytes: Buffer; readonly fileName?: string; readonly mimeType: string; readonly ownerId: string; readonly target?: string }): Promise<string>;
  open(id: string): Promise<{ readonly name: string | undefined; readonly mimeType: string; readonly size: number; readonly stream: Readable } | undefined>;
  remove(id: string): Promise<void>;
}

export interface ConsoleInvestigationFilesOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly files: StaffFileStore;
  readonly claims: { findByNumber(number: string): Promise<Claim | undefined> };
  /** Records the file on the claim (the registry's attachInvestigationFile); throws the domain's refusal. */
  readonly attach: (claimId: string, staffId: string, file: Attachment) => Promise<Claim>;
  readonly audit: AuditRecorder;
  readonly publicUrl?: string;
  readonly trustProxy?: number;
}

const UploadParams = z.strictObject({ name: z.string().max(255).optional() });

/** The investigation's files as the claim page lists them: name, type, size, who and when, and where to download. */
export function investigationFilesView(desk: DeskConfig, claim: Claim) {
  return investigationFiles(claim).map(({ file, by, at }) => ({
    fileName: file.fileName ?? null,
    mimeType: file.mimeType ?? null,
    sizeBytes: file.sizeBytes ?? null,
    at,
    by: by ? { id: by, name: labels.staffName(desk, by) } : null,
    url: `/console/api/claims/${claim.number}/investigation/files/${file.fileId}`,
  }));
}

/**
 * Files attached to an investigation's facts in the console (#24): `POST
 * /console/api/claims/<number>/investigation/files?name=<file name>` with the file as the body and
 * its type as Content-Type — by a member with the investigate right, while the claim is under
 * investigation; at most 10 MB; pictures, PDF, text or MP4, checked by their bytes — stored in
 * GridFS and recorded on the claim (who, when). `GET …/investigation/files/<id>`: the download,
 * for staff who may view the claim.
 */
export function mountConsoleInvestigationFiles(options: ConsoleInvestigationFilesOptions): void {
  const { http, desk, requireStaff, files } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  const claimOf = async (number: string | undefined, locale: 'ru' | 'en'): Promise<Claim> => {
    const canonical = parseClaimNumber(number ?? '');
    if (!canonical) throw new HttpError(400, 'invalid_input', 'number: expected a claim number such as 2026-000123');
    const claim = await options.claims.findByNumber(canonical);
    if (!claim) throw new HttpError(404, 'not_found', t(locale, 'staff.refused.not_found'));
    return claim;
  };

  http.route('POST', '/console/api/claims/:number/investigation/files', async (req, res, params) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    const claim = await claimOf(params.number, member.locale);
    // the right and the status first: nothing is read or stored for a request that cannot succeed
    const permission = canStaff(desk, member, claim, 'record_investigation');
    if (!permission.allowed) throw new HttpError(403, permission.reason, refusalText(member.locale, { ...permission, claim }));
    if (claim.status !== 'investigating') throw new HttpError(409, 'invalid_transition', t(member.locale, 'console.investigation.not_investigating'));
    const { name } = parseQuery(req, UploadParams);
    const type = allowedType(req.headers['content-type']);
    if (!type) throw new HttpError(415, 'unsupported_type', t(member.locale, 'console.investigation.file_type'));
    const bytes = await readBody(req, INVESTIGATION_FILE_MAX_BYTES).catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 413) throw new HttpError(413, 'too_large', t(member.locale, 'console.investigation.file_too_big', { mb: INVESTIGATION_FILE_MAX_BYTES / 1024 / 1024 }), { connection: 'close' });
      throw error;
    });
    if (bytes.length === 0 || !matchesType(bytes, type)) throw new HttpError(415, 'unsupported_type', t(member.locale, 'console.investigation.file_type'));
    const fileName = safeFileName(name);
    const fileId = await files.put({ bytes, mimeType: type, ownerId: `staff:${member.id}`, target: `claim:${claim.id}`, ...(fileName ? { fileName } : {}) });
    const attachment: Attachment = { channel: 'web', kind: kindOf(type), fileId, mimeType: type, sizeBytes: bytes.length, ...(fileName ? { fileName } : {}) };
    let changed: Claim;
    try {
      changed = await options.attach(claim.id, member.id, attachment);
    } catch (error) {
      // refused (the claim left the investigation meanwhile): the file goes too
      await files.remove(fileId);
      if (isDomainError(error) && error.code === 'INVALID_TRANSITION') throw new HttpError(409, 'invalid_transition', t(member.locale, 'console.investigation.not_investigating'));
      if (isDomainError(error) && error.code === 'INVALID_CLAIM') throw new HttpError(400, 'invalid_input', error.message);
      throw error;
    }
    sendJson(res, 201, { files: investigationFilesView(desk, changed) });
  });

  http.route('GET', '/console/api/claims/:number/investigation/files/:fileId', async (req, res, params) => {
    const member = await requireStaff(req);
    const claim = await claimOf(params.number, member.locale);
    const permission = canStaff(desk, member, claim, 'view');
    if (!permission.allowed) throw new HttpError(403, permission.reason, refusalText(member.locale, { ...permission, claim }));
    const held = investigationFiles(claim).find((entry) => entry.file.fileId === params.fileId);
    const file = held ? await files.open(held.file.fileId) : undefined;
    if (!file) throw new HttpError(404, 'not_found', 'no such file on this claim');
    try {
      await options.audit.record({ at: new Date(), kind: 'file_downloaded', channel: 'console', staffId: member.id, claimId: claim.id, claimNumber: claim.number });
    } catch (error) {
      file.stream.destroy();
      throw error;
    }
    await sendDownload(res, file);
  });
}
