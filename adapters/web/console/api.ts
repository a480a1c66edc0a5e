import { replyFileUrl } from './reply-files-api.js';
import { REPLY_FILE_MAX_BYTES, REPLY_FILES_MAX } from '../../../src/domain/staff-message.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CHANNELS, REMEDIES, type Attachment } from '../../../src/domain/claim.js';
import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import { CLAIM_STATUSES, REJECTION_REASONS, type Claim } from '../../../src/domain/lifecycle.js';
import type { Locale } from '../../../src/domain/locale.js';
import { parseClaimNumber } from '../../../src/domain/numbering.js';
import { assignableStaff, canStaff } from '../../../src/domain/staff.js';
import { claimForViewer, seesPersonalData } from '../../../src/domain/personal-data.js';
import type { AuditRecorder } from '../../../src/domain/audit.js';
import { clientAddress, HttpError, RateLimiter, readJson, sendJson, TokenBucket, type HttpServer } from '../../../src/http.js';
import type { Logger } from '../../../src/log.js';
import { t } from '../../../src/i18n/index.js';
import type { ConsoleAuth } from '../../../src/console-auth.js';
import { StaffRequest } from '../../../src/domain/staff-request.js';
import type { StaffDesk, StaffFailure } from '../../../src/staff-desk.js';
import { claimFieldTexts, decisionSummary, historyText, labels, offeredActions, PLAIN, refusalText, templateReply, type RenderContext } from '../../staff-text.js';
import { pageLocale } from '../pages.js';
import { sendDownload } from '../chat/files.js';
import { claimsWorkView, claimsWorkVocabulary } from './claims-work.js';
import { decisionWorkflowView } from './decision-view.js';
import { CHANNEL_FILE_MAX_BYTES, ChannelUnavailable, type ChannelFiles } from '../../files/channel-files.js';
import type { Channel } from '../../../src/domain/claim.js';
import { workspaceView, workspaceVocabulary } from './workspace-api.js';

/** The session cookie: HttpOnly, SameSite=Strict, limited to the console's paths. */
export const SESSION_COOKIE = 'claimdesk_console';

/** Sign-in attempts one instance checks a minute from one client address (each runs scrypt). */
const SIGN_INS_PER_MINUTE_PER_ADDRESS = 10;
/** Sign-in attempts one instance checks a minute altogether: a last resort far above the per-address limit. */
const SIGN_INS_PER_MINUTE = 300;

/** A stored upload, opened for reading (the store's FileStore). */
export interface StoredFile {
  readonly name: string | undefined;
  readonly mimeType: string;
  readonly size: number;
  readonly stream: Readable;
}

/** Where web-chat uploads are read from. */
export interface FileReads {
  open(id: string): Promise<StoredFile | undefined>;
}

export interface ConsoleApiOptions {
  /** The web chat's uploads, for staff to download. */
  readonly files: FileReads;
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly auth: ConsoleAuth;
  readonly staff: StaffDesk;
  /** Mark the cookie Secure (when the console is served over https, e.g. PUBLIC_URL is https). */
  readonly secureCookie: boolean;
  /** PUBLIC_URL, when set: its origin is the console's too. */
  readonly publicUrl?: string;
  /** Reverse proxies in front of the desk whose X-Forwarded-For is trusted for the client address (TRUST_PROXY). */
  readonly trustProxy?: number;
  /** Failed and throttled sign-ins, by staff id and client address only. */
  readonly log?: Logger;
  /** The audit trail: sign-ins, views of personal data, downloads and exports are recorded before they are answered. */
  readonly audit: AuditRecorder;
  /** Files of the channels the desk runs (Telegram, Slack), fetched on demand for staff (#25). */
  readonly channelFiles?: Partial<Record<Channel, ChannelFiles>>;
}

/** The signed-in member of a request, or a 401. */
export type RequireStaff = (req: IncomingMessage) => Promise<StaffMember>;

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * State-changing requests must come from the console's own pages: a request whose `Origin` names
 * another site is refused (with SameSite=Strict cookies and JSON-only bodies, a third guard). The
 * whole origin is compared — scheme, host and port: the console's own is `http://` + the request's
 * Host (`https://` when a trusted proxy says it took the request over https), or PUBLIC_URL's.
 */
export function checkOrigin(req: IncomingMessage, publicOrigin: string | undefined, trustProxy: number): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let claimed: string;
  try {
    claimed = new URL(origin).origin;
  } catch {
    // new URL throws a TypeError exactly for a malformed origin
    throw new HttpError(403, 'forbidden_origin', 'expected a request from the console itself');
  }
  const forwardedProto = trustProxy > 0 ? String(req.headers['x-forwarded-proto'] ?? '').split(',').at(-1)?.trim().toLowerCase() : undefined;
  const scheme = forwardedProto === 'https' ? 'https' : 'http';
  const own = req.headers.host ? `${scheme}://${req.headers.host.toLowerCase()}` : undefined;
  if (claimed !== own && claimed !== publicOrigin) throw new HttpError(403, 'forbidden_origin', 'expected a request from the console itself');
}

const LoginInput = z.object({ login: z.string().trim().min(1, 'expected your staff id').max(64), password: z.string().min(1, 'expected your password').max(256) }).strict();


/** How a refusal is answered over HTTP. */
export const FAILURE_STATUS: Readonly<Record<StaffFailure, number>> = {
  not_staff: 403,
  other_department: 403,
  taken_by_other: 403,
  not_assignee: 403,
  head_only_reassign: 403,
  missing_right: 403,
  assignee_unknown: 400,
  not_found: 404,
  invalid_transition: 409,
  invalid_input: 400,
  conflict: 409,
  nothing_to_tell: 409,
};

/** The member as the page needs them (no password hash, no Slack ids). */
export function memberView(member: StaffMember) {
  return { id: member.id, name: member.name, roles: member.roles, departments: member.departments, locale: member.locale };
}

/** The desk's vocabulary in a language, for the page's filters and forms. */
export function deskView(desk: DeskConfig, locale: Locale) {
  return {
    name: desk.desk.name[locale],
    timezone: desk.desk.timezone,
    departments: desk.departments.map((department) => ({ id: department.id, name: department.name[locale] })),
    categories: desk.categories.map((category) => ({ id: category.id, label: category.label[locale], department: category.department })),
    staff: desk.staff.map((member) => ({ id: member.id, name: member.name, departments: member.departments })),
    statuses: CLAIM_STATUSES.map((status) => ({ id: status, label: t(locale, `staff.status.${status}`) })),
    channels: CHANNELS.map((channel) => ({ id: channel, label: labels.channelLabel(locale, channel) })),
    remedies: REMEDIES.map((remedy) => ({ id: remedy, label: labels.remedyLabel(locale, remedy) })),
    reasons: REJECTION_REASONS.map((reason) => ({ id: reason, label: t(locale, `staff.reason.${reason}`) })),
    currency: desk.desk.currency,
    /** What one reply may carry (#25). */
    replyFiles: { count: REPLY_FILES_MAX, mb: REPLY_FILE_MAX_BYTES / 1024 / 1024 },
    kinds: (['claim', 'complaint', 'quality_claim'] as const).map((kind) => ({ id: kind, label: labels.kindLabel(locale, { kind }) })),
    ...claimsWorkVocabulary(desk, locale),
    ...workspaceVocabulary(locale),
  };
}

/**
 * A claim as the console's claim page shows it, for one member: the record (its personal data
 * masked when the member may not see it: {@link claimForViewer}), its history in words,
 * the actions its status offers with whether this member may take each (and why not), the staff it
 * may be assigned to, and the reply templates filled in the customer's language.
 */
export function claimView(desk: DeskConfig, member: StaffMember, stored: Claim, files: (claim: Claim, fileId: string) => string | undefined) {
  const ctx: RenderContext = { desk, locale: member.locale };
  // without view_personal_data in the claim's department: the name and contact masked, no files
  const { claim, masked, hiddenFiles } = claimForViewer(member, stored);
  return {
    id: claim.id,
    number: claim.number,
    version: claim.version,
    kind: claim.kind,
    category: claim.category,
    department: claim.department,
    status: claim.status,
    severity: claim.severity,
    locale: claim.locale,
    channel: claim.conversation.channel,
    assignee: claim.assigneeId ? { id: claim.assigneeId, name: labels.staffName(desk, claim.assigneeId) } : null,
    createdAt: claim.createdAt,
    updatedAt: claim.updatedAt,
    firstResponseAt: claim.firstResponseAt ?? null,
    resolvedAt: claim.resolvedAt ?? null,
    sla: claim.sla,
    concerns: claim.concerns,
    /** The amount and purchase date in the member's language, "not recorded" where the category asks them (#25). */
    fieldTexts: claimFieldTexts(ctx, claim),
    description: claim.description,
    desiredRemedy: claim.desiredRemedy,
    contact: claim.contact,
    personalData: { masked, hiddenFiles },
    attachments: claim.attachments.map((file) => ({ kind: file.kind, channel: file.channel, fileName: file.fileName ?? null, mimeType: file.mimeType ?? null, sizeBytes: file.sizeBytes ?? null, url: files(claim, file.fileId) ?? null })),
    decision: claim.decision ?? null,
    decisionSummary: claim.decision ? decisionSummary(ctx, claim.decision) : null,
    survey: claim.survey ? { score: claim.survey.score ?? null, comment: claim.survey.comment ?? null } : null,
    ...claimsWorkView(desk, claim),
    ...decisionWorkflowView(desk, member.locale, claim),
    ...workspaceView(desk, stored, member),
    history: claim.history.flatMap((event) => {
      const text = historyText(ctx, claim, event, PLAIN);
      // a reply's files (#25), to download
      const replyFiles = (event.replyFiles ?? []).map((file) => ({ fileName: file.fileName ?? null, mimeType: file.mimeType ?? null, sizeBytes: file.sizeBytes ?? null, url: replyFileUrl(claim, file.fileId) }));
      return text === undefined ? [] : [{ at: event.at, type: event.type, text, ...(replyFiles.length > 0 ? { files: replyFiles } : {}) }];
    }),
    actions: offeredActions(claim).map((action) => {
      const permission = canStaff(desk, member, claim, action);
      return permission.allowed ? { action, allowed: true } : { action, allowed: false, reason: refusalText(member.locale, { ...permission, claim }) };
    }),
    assignable: assignableStaff(desk, claim.department).map((candidate) => ({ id: candidate.id, name: candidate.name })),
    templates: desk.templates.flatMap((template) => {
      const reply = templateReply(ctx, claim, template.id, member);
      return reply ? [{ id: template.id, outcome: reply.outcome, title: template.title[member.locale], text: reply.text }] : [];
    }),
  };
}

/**
 * The claim a member asks for by number, as the staff desk lets them see it: 400 for what is no
 * claim number, 404 (in their language) for a claim they may not see or that does not exist.
 * @example const claim = await viewClaim(staff, member, params.number ?? '');
 */
export async function viewClaim(staff: Pick<StaffDesk, 'view'>, member: StaffMember, number: string): Promise<Claim> {
  const canonical = parseClaimNumber(number);
  if (!canonical) throw new HttpError(400, 'invalid_input', 'number: expected a claim number such as 2026-000123');
  const found = await staff.view({ staffId: member.id }, canonical);
  if (!found.ok) throw new HttpError(404, 'not_found', t(member.locale, 'staff.refused.not_found'));
  return found.claim;
}

/**
 * The console's sign-in and claim endpoints under `/console/api/`: sign in and out, who am I, a
 * claim by number, and staff actions — every action checked by the same rules as in Slack
 * (StaffDesk). Returns `requireStaff` for the other console endpoints (lists, reports, exports).
 */
export function mountConsoleApi(options: ConsoleApiOptions): { readonly requireStaff: RequireStaff; readonly claimView: (member: StaffMember, claim: Claim) => ReturnType<typeof claimView> } {
  const { http, desk, auth, staff } = options;
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${options.secureCookie ? '; Secure' : ''}`;

  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const signIns = new TokenBucket(SIGN_INS_PER_MINUTE, SIGN_INS_PER_MINUTE);
  const signInsPerAddress = new RateLimiter(SIGN_INS_PER_MINUTE_PER_ADDRESS);

  const requireStaff: RequireStaff = async (req) => {
    const token = cookieOf(req, SESSION_COOKIE);
    const session = token ? await auth.session(token) : undefined;
    if (!session) throw new HttpError(401, 'unauthenticated', 'expected a signed-in staff member');
    return session.member;
  };

  const claimByNumber = (member: StaffMember, number: string): Promise<Claim> => viewClaim(staff, member, number);

  /** A file of the claim (sent with it or added later) by id, or undefined: staff download only what a claim holds. */
  const fileOf = (claim: Claim, fileId: string) =>
    claim.attachments.find((candidate) => candidate.fileId === fileId) ?? claim.history.flatMap((event) => event.attachments ?? []).find((candidate) => candidate.fileId === fileId);
  /** Whether the desk can open a file: a web-chat upload (stored) or a file of a channel it runs (fetched). */
  const opens = (channel: Channel | undefined) => channel === 'web' || (channel !== undefined && options.channelFiles?.[channel] !== undefined);
  const fileUrl = (claim: Claim, fileId: string): string | undefined =>
    opens(fileOf(claim, fileId)?.channel) ? `/console/api/claims/${claim.number}/files/${encodeURIComponent(fileId)}` : undefined;

  http.route('POST', '/console/api/login', async (req, res) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const input = await readJson(req, LoginInput, 4096);
    const address = clientAddress(req, options.trustProxy ?? 0);
    const locale = localeOf(req, desk);
    // each check costs scrypt's memory and time: a cap per address, and one for the instance far above it
    if (!signInsPerAddress.take(address)) throw new HttpError(429, 'busy', t(locale, 'console.login.busy'), { 'retry-after': String(signInsPerAddress.retryAfterSeconds(address)) });
    if (!signIns.take()) throw new HttpError(429, 'busy', t(locale, 'console.login.busy'), { 'retry-after': String(signIns.retryAfterSeconds()) });
    const result = await auth.signIn(input.login, input.password, address);
    // the staff id only when the login is one (a typed login may be anything), and the address
    const who = { staffId: result.ok ? result.member.id : (result.staffId ?? 'unknown'), address };
    const staffId = result.ok ? result.member.id : result.staffId;
    await options.audit.record({
      at: new Date(),
      kind: result.ok ? 'sign_in' : 'sign_in_failed',
      channel: 'console',
      ...(staffId !== undefined ? { staffId } : {}),
      ...(result.ok ? {} : { reason: result.reason }),
      address,
    });
    if (!result.ok && result.reason === 'throttled') {
      options.log?.warn('console', 'sign-in refused: too many failed attempts', { ...who, by: result.by, retryAfterSeconds: result.retryAfterSeconds });
      throw new HttpError(429, 'throttled', t(locale, 'console.login.wait', { seconds: result.retryAfterSeconds }), { 'retry-after': String(result.retryAfterSeconds) });
    }
    if (!result.ok) {
      options.log?.info('console', 'sign-in failed', who);
      throw new HttpError(401, 'invalid_credentials', t(locale, 'console.login.invalid'));
    }
    const maxAge = Math.floor((result.expiresAt.getTime() - Date.now()) / 1000);
    sendJson(res, 200, { staff: memberView(result.member) }, { 'set-cookie': cookie(result.token, maxAge) });
  });

  http.route('POST', '/console/api/logout', async (req, res) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const token = cookieOf(req, SESSION_COOKIE);
    if (token) await auth.signOut(token);
    sendJson(res, 200, { ok: true }, { 'set-cookie': cookie('', 0) });
  });

  http.route('GET', '/console/api/me', async (req, res) => {
    const member = await requireStaff(req);
    sendJson(res, 200, { staff: memberView(member), desk: deskView(desk, member.locale) });
  });

  http.route('GET', '/console/api/claims/:number', async (req, res, params) => {
    const member = await requireStaff(req);
    const claim = await claimByNumber(member, params.number ?? '');
    // the page shows the claim's personal data unmasked only to those who may see it: that view is recorded first
    if (seesPersonalData(member, claim)) await options.audit.record({ at: new Date(), kind: 'personal_data_viewed', channel: 'console', staffId: member.id, claimId: claim.id, claimNumber: claim.number });
    sendJson(res, 200, { claim: claimView(desk, member, claim, fileUrl) });
  });

  // a web-chat upload of this claim, as a download (never shown inline: it came from a customer)
  http.route('GET', '/console/api/claims/:number/files/:fileId', async (req, res, params) => {
    const member = await requireStaff(req);
    const claim = await claimByNumber(member, params.number ?? '');
    const fileId = params.fileId ?? '';
    // a customer's file is personal data: only for those who may see the claim's
    if (!seesPersonalData(member, claim)) throw new HttpError(403, 'missing_right', refusalText(member.locale, { reason: 'missing_right', right: 'view_personal_data', claim }));
    const attachment = fileOf(claim, fileId);
    const source = attachment && attachment.channel !== 'web' ? options.channelFiles?.[attachment.channel] : undefined;
    if (attachment && source) {
      await channelFile(res, member, claim, attachment, source);
      return;
    }
    const file = attachment?.channel === 'web' ? await options.files.open(fileId) : undefined;
    if (!file) throw new HttpError(404, 'not_found', 'no such file on this claim');
    try {
      await options.audit.record({ at: new Date(), kind: 'file_downloaded', channel: 'console', staffId: member.id, claimId: claim.id, claimNumber: claim.number });
    } catch (error) {
      file.stream.destroy();
      throw error;
    }
    await sendDownload(res, file);
  });

  /** A Telegram or Slack file, fetched now from its channel and streamed on (never stored), within the size limit; recorded in the audit trail first. */
  const channelFile = async (res: ServerResponse, member: StaffMember, claim: Claim, attachment: Attachment, source: ChannelFiles) => {
    // a brand's name, the same in every language
    const channel = attachment.channel === 'slack' ? 'Slack' : 'Telegram';
    let fetched;
    try {
      fetched = await source.fetch(attachment);
    } catch (error) {
      if (!(error instanceof ChannelUnavailable)) throw error;
      options.log?.warn('console', 'channel file not fetched', { claimId: claim.id, channel: attachment.channel, failure: error.code });
      throw new HttpError(502, 'channel_unavailable', t(member.locale, 'console.file.unavailable', { channel }));
    }
    if (!fetched.ok && fetched.reason === 'gone') throw new HttpError(404, 'file_gone', t(member.locale, 'console.file.gone', { channel }));
    if (!fetched.ok) throw new HttpError(413, 'file_too_big', t(member.locale, 'console.file.too_big', { mb: Math.round(CHANNEL_FILE_MAX_BYTES / 1024 / 1024) }));
    const { stream, size } = fetched.file;
    try {
      await options.audit.record({ at: new Date(), kind: 'file_downloaded', channel: 'console', staffId: member.id, claimId: claim.id, claimNumber: claim.number });
    } catch (error) {
      stream.destroy();
      throw error;
    }
    await sendDownload(res, { name: attachment.fileName, mimeType: attachment.mimeType ?? 'application/octet-stream', size, stream });
  };

  http.route('POST', '/console/api/claims/:number/actions', async (req, res, params) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    const claim = await claimByNumber(member, params.number ?? '');
    const request = await readJson(req, StaffRequest);
    const result = await staff.act({ staffId: member.id }, claim.id, request);
    if (!result.ok) {
      throw new HttpError(FAILURE_STATUS[result.reason], result.reason, refusalText(member.locale, { ...result, claim: result.claim ?? claim }));
    }
    sendJson(res, 200, { claim: claimView(desk, member, result.claim, fileUrl) });
  });

  return { requireStaff, claimView: (member, claim) => claimView(desk, member, claim, fileUrl) };
}

/** The language of a page or answer before anyone signed in: the browser's, if the desk speaks it. */
export function localeOf(req: IncomingMessage, desk: DeskConfig): Locale {
  return pageLocale('', req.headers['accept-language'], desk.desk.defaultLocale).locale;
}
