import { z } from 'zod';
import { isOverdue, parseClaimFilter, parseListParams, type ClaimFilter, type ListPaging } from '../../../src/domain/claim-filter.js';
import type { DeskConfig } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import type { Report } from '../../../src/domain/reports.js';
import { registerCsv } from './register-csv.js';
import { zonedDay } from '../../../src/domain/claim-filter.js';
import { HttpError, parseQuery, sendJson, type HttpServer } from '../../../src/http.js';
import type { IncomingMessage } from 'node:http';
import { labels } from '../../staff-text.js';
import type { RequireStaff } from './api.js';
import type { AuditRecorder } from '../../../src/domain/audit.js';
import { hasRight } from '../../../src/domain/staff.js';

/** The register reads the console needs (implemented by the store's ClaimQueries). */
export interface ClaimReads {
  list(filter: ClaimFilter, paging: ListPaging, now: Date): Promise<{ readonly claims: readonly Claim[]; readonly total: number; readonly page: number; readonly limit: number }>;
  stream(filter: ClaimFilter, now: Date): AsyncIterable<Claim>;
  report(filter: ClaimFilter, now: Date): Promise<Report>;
}

export interface ConsoleRegisterOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly reads: ClaimReads;
  readonly now?: () => Date;
  /** Told of every export (who, how many rows): a register holds personal data. */
  readonly onExport?: (staffId: string, rows: number, complete: boolean) => void;
  /** The audit trail: every export is recorded (with or without personal data) before its first byte. */
  readonly audit: AuditRecorder;
}

/** Query parameters as single strings (a repeated name is a 400, see parseQuery). */
const Params = z.record(z.string(), z.string());

function params(req: IncomingMessage): Record<string, string> {
  return parseQuery(req, Params);
}

function refused(errors: readonly string[]): HttpError {
  return new HttpError(400, 'invalid_input', errors.join('; '));
}

/** A claim as a row of the console's lists (the register, the search): no personal data. */
export function claimRow(desk: DeskConfig, claim: Claim, at: Date) {
  return {
    number: claim.number,
    createdAt: claim.createdAt,
    kind: claim.kind,
    category: claim.category,
    department: claim.department,
    status: claim.status,
    channel: claim.conversation.channel,
    assignee: claim.assigneeId ? { id: claim.assigneeId, name: labels.staffName(desk, claim.assigneeId) } : null,
    resolutionDueAt: claim.sla.resolutionDueAt,
    overdue: isOverdue(claim, at),
  };
}

/**
 * The console's reads of the register: `GET /console/api/claims` (a filtered page of the list)
 * and `GET /console/api/reports` (the numbers for a filter). Filters are checked against the desk
 * config; a wrong or unknown parameter is a 400 naming it.
 */
export function mountConsoleRegister(options: ConsoleRegisterOptions): void {
  const { http, desk, requireStaff, reads } = options;
  const now = options.now ?? (() => new Date());

  http.route('GET', '/console/api/claims', async (req, res) => {
    await requireStaff(req);
    const parsed = parseListParams(params(req), desk);
    if (!parsed.ok) throw refused(parsed.errors);
    const at = now();
    const page = await reads.list(parsed.filter.filter, parsed.filter.paging, at);
    sendJson(res, 200, {
      total: page.total,
      page: page.page,
      pageSize: page.limit,
      claims: page.claims.map((claim) => claimRow(desk, claim, at)),
    });
  });

  // the register for a filter, streamed as it is read; `sep=semicolon|comma` chooses the delimiter
  // (default: `;` for Russian, which Excel expects where the decimal separator is a comma); without
  // export_personal_data the name, phone and e-mail columns are left out
  http.route('GET', '/console/api/export.csv', async (req, res) => {
    const member = await requireStaff(req);
    const { sep, ...rest } = params(req);
    if (sep !== undefined && sep !== 'comma' && sep !== 'semicolon') throw refused(['sep: expected comma or semicolon']);
    const parsed = parseClaimFilter(rest, desk);
    if (!parsed.ok) throw refused(parsed.errors);
    const at = now();
    const delimiter = sep === 'comma' ? ',' : sep === 'semicolon' ? ';' : member.locale === 'ru' ? ';' : ',';
    // the customers' names and contacts only for those with export_personal_data (quality, heads)
    const personalData = hasRight(member, 'export_personal_data');
    await options.audit.record({ at: at, kind: 'register_exported', channel: 'console', staffId: member.id, personalData });
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="claims-${zonedDay(at, desk.desk.timezone)}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    let rows = -1; // the first chunk is the header
    let complete = false;
    try {
      for await (const chunk of registerCsv(reads.stream(parsed.filter, at), { locale: member.locale, timezone: desk.desk.timezone, now: at, delimiter, personalData })) {
        if (res.destroyed) return; // the browser went away: stop reading (the cursor closes)
        rows++;
        // wait for the socket to take more, or for the browser to leave
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      res.end();
      complete = true;
    } finally {
      // a register holds personal data: every export is recorded, finished or not
      options.onExport?.(member.id, Math.max(0, rows), complete);
    }
  });

  http.route('GET', '/console/api/reports', async (req, res) => {
    await requireStaff(req);
    const parsed = parseClaimFilter(params(req), desk);
    if (!parsed.ok) throw refused(parsed.errors);
    sendJson(res, 200, await reads.report(parsed.filter, now()));
  });
}
