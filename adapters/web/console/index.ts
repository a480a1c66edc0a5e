import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendFile, sendText, type ChannelHandle } from '../../../src/http.js';
import { CATALOGUES, t } from '../../../src/i18n/index.js';
import { escapeHtml } from '../pages.js';
import { localeOf, mountConsoleApi, type ConsoleApiOptions, type RequireStaff } from './api.js';
import { mountConsoleRegister, type ClaimReads } from './register.js';
import { mountConsoleCapa } from './capa-api.js';
import { mountConsoleAnalysis, type ConsoleAnalysisOptions } from './analysis-api.js';
import type { CapaDesk } from '../../../src/capa-desk.js';
import type { ClaimReads as ClaimLookups } from '../../../src/domain/claim-ports.js';
import { mountConsoleAudit, type AuditReads } from './audit-api.js';
import { mountConsoleWorkspace } from './workspace-api.js';
import type { AuditRecorder } from '../../../src/domain/audit.js';
import { mountConsoleCustomerData } from './customer-data-api.js';
import type { CustomerDataDesk } from '../../../src/customer-data.js';
import { mountConsoleNotices, type NoticeReads } from './notices-api.js';
import { mountConsoleSearch, type ClaimSearchReads } from './search-api.js';
import { mountConsoleReplyFiles } from './reply-files-api.js';
import { mountConsoleInvestigationFiles, type StaffFileStore } from './investigation-files-api.js';
import type { Attachment } from '../../../src/domain/claim.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import type { CorrectiveAction } from '../../../src/domain/capa.js';

const pageDir = fileURLToPath(new URL('./page/', import.meta.url));
// the browser build of Chart.js, beside the package's CommonJS entry (its exports map hides dist/)
const chartJs = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/**
 * The console's pages: scripts only from the desk itself, no inline script, no framing by other
 * sites, no referrer. Chart.js draws on canvases, which needs inline styles.
 */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** What the console needs: the API's parts, and the register reads for the list, export and reports. */
export interface WebConsoleOptions extends ConsoleApiOptions {
  readonly reads: ClaimReads;
  /** The audit trail: recorded to by the API and the export, read by heads. */
  readonly audit: AuditRecorder & AuditReads;
  readonly onExport?: (staffId: string, rows: number, complete: boolean) => void;
  /** The analysis (#24): similar claims and the CAPA effectiveness. */
  readonly analysis?: Pick<ConsoleAnalysisOptions, 'similar' | 'effectiveness' | 'claimByNumber'>;
  /** Corrective and preventive actions, and the claim lookups their register shows. */
  readonly capa?: { readonly desk: CapaDesk; readonly claims: Pick<ClaimLookups, 'findById' | 'findByNumber'> };
  /** The customer's rights (#26): the "Customer data" page's find, export, erasure and requests. */
  readonly customers?: CustomerDataDesk;
  /** Files staff attach to investigations (#24): where they are kept, and recording one on its claim. */
  readonly investigationFiles?: {
    readonly store: StaffFileStore;
    readonly claims: { findByNumber(number: string): Promise<Claim | undefined> };
    readonly attach: (claimId: string, staffId: string, file: Attachment) => Promise<Claim>;
  };
  /** The files staff send with replies (#25): where they are kept; without it replies are text only. */
  readonly replyFiles?: StaffFileStore;
  /** The header's search (#25). */
  readonly search?: ClaimSearchReads;
  /** The console's notifications (#25), and what they are about (read when shown). */
  readonly notices?: {
    readonly store: NoticeReads;
    readonly claims: { findById(id: string): Promise<Claim | undefined> };
    readonly actions?: { findById(id: string): Promise<CorrectiveAction | undefined> };
  };
}

/**
 * The staff console at `/console`: one page (sign-in, claims, a claim, reports) that talks to
 * `/console/api/*`. The page's texts come from the catalogues in the browser's language (the
 * member's own language once signed in: the page asks /console/api/me).
 * @example const { requireStaff } = mountWebConsole({ http, desk, auth, staff, secureCookie: false });
 */
export function mountWebConsole(options: WebConsoleOptions): { readonly requireStaff: RequireStaff } {
  const { http, desk } = options;
  const api = mountConsoleApi(options);
  if (options.capa) {
    const { publicUrl, trustProxy } = options;
    mountConsoleCapa({ http, desk, requireStaff: api.requireStaff, capa: options.capa.desk, claims: options.capa.claims, ...(publicUrl ? { publicUrl } : {}), ...(trustProxy !== undefined ? { trustProxy } : {}) });
  }
  mountConsoleRegister({ http, desk, requireStaff: api.requireStaff, reads: options.reads, audit: options.audit, ...(options.onExport ? { onExport: options.onExport } : {}) });
  mountConsoleAudit({ http, desk, requireStaff: api.requireStaff, audit: options.audit });
  if (options.customers) {
    const { publicUrl, trustProxy } = options;
    mountConsoleCustomerData({ http, desk, requireStaff: api.requireStaff, customers: options.customers, ...(publicUrl ? { publicUrl } : {}), ...(trustProxy !== undefined ? { trustProxy } : {}) });
  }
  if (options.investigationFiles) {
    const { publicUrl, trustProxy } = options;
    const { store, claims, attach } = options.investigationFiles;
    mountConsoleInvestigationFiles({ http, desk, requireStaff: api.requireStaff, files: store, claims, attach, audit: options.audit, ...(publicUrl ? { publicUrl } : {}), ...(trustProxy !== undefined ? { trustProxy } : {}) });
  }
  if (options.replyFiles) {
    const { publicUrl, trustProxy } = options;
    mountConsoleReplyFiles({ http, desk, requireStaff: api.requireStaff, staff: options.staff, files: options.replyFiles, audit: options.audit, claimView: api.claimView, ...(publicUrl ? { publicUrl } : {}), ...(trustProxy !== undefined ? { trustProxy } : {}) });
  }
  if (options.search) mountConsoleSearch({ http, desk, requireStaff: api.requireStaff, search: options.search });
  if (options.notices) {
    const { publicUrl, trustProxy } = options;
    const { store, claims, actions } = options.notices;
    mountConsoleNotices({ http, desk, requireStaff: api.requireStaff, notices: store, claims, ...(actions ? { actions } : {}), ...(publicUrl ? { publicUrl } : {}), ...(trustProxy !== undefined ? { trustProxy } : {}) });
  }
  if (options.analysis) mountConsoleAnalysis({ http, desk, requireStaff: api.requireStaff, ...options.analysis });
  mountConsoleWorkspace({ http, desk, staff: options.staff, requireStaff: api.requireStaff, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}) });
  const template = readFile(new URL('./page/index.html', import.meta.url), 'utf8');
  const texts = (locale: 'ru' | 'en') =>
    Object.fromEntries(Object.entries(CATALOGUES[locale]).filter(([key]) => key.startsWith('console.') || key.startsWith('staff.') || key.startsWith('capa.') || key.startsWith('remedy.') || key.startsWith('detail.kind.')));

  http.route('GET', '/console', async (req, res) => {
    const locale = localeOf(req, desk);
    // replacer functions: a `$&` in a text must stay as it is
    const title = escapeHtml(t(locale, 'console.title', { desk: desk.desk.name[locale] }));
    // a data block, never run; `<` escaped so no text can close the script element
    const data = JSON.stringify({ ru: texts('ru'), en: texts('en') }).replace(/</g, '\\u003c');
    const html = (await template)
      .replaceAll('{{lang}}', () => locale)
      .replaceAll('{{title}}', () => title)
      .replace('{{texts}}', () => data);
    sendText(res, 200, 'text/html; charset=utf-8', html, PAGE_HEADERS);
  });
  http.route('GET', '/console/app.js', (_req, res) => sendFile(res, `${pageDir}app.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/customer-data.js', (_req, res) => sendFile(res, `${pageDir}customer-data.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/analysis.js', (_req, res) => sendFile(res, `${pageDir}analysis.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/capa.js', (_req, res) => sendFile(res, `${pageDir}capa.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/investigation.js', (_req, res) => sendFile(res, `${pageDir}investigation.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/notices.js', (_req, res) => sendFile(res, `${pageDir}notices.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/workspace.js', (_req, res) => sendFile(res, `${pageDir}workspace.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', '/console/app.css', (_req, res) => sendFile(res, `${pageDir}app.css`, 'text/css; charset=utf-8'));
  http.route('GET', '/console/chart.js', (_req, res) => sendFile(res, chartJs, 'text/javascript; charset=utf-8', { 'cache-control': 'public, max-age=86400' }));
  return api;
}

/**
 * The staff console as a channel: mounts its page and API; nothing to stop (its sessions live in
 * the database).
 * @example startConsole({ http, desk, auth, staff, reads, files, secureCookie: false });
 */
export function startConsole(options: WebConsoleOptions): ChannelHandle {
  mountWebConsole(options);
  return { stop: () => Promise.resolve() };
}
