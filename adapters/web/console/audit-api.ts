import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { parseAuditQuery, type AuditFilter, type StoredAuditEntry } from '../../../src/domain/audit.js';
import { formatZonedIso, zonedDay } from '../../../src/domain/claim-filter.js';
import type { DeskConfig } from '../../../src/domain/desk.js';
import type { Locale } from '../../../src/domain/locale.js';
import { canDo } from '../../../src/domain/staff.js';
import { HttpError, parseQuery, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import { labels, refusalText } from '../../staff-text.js';
import type { RequireStaff } from './api.js';
import { csvCell, UTF8_BOM } from './register-csv.js';

/** The audit trail's reads (the store's AuditLog). */
export interface AuditReads {
  list(filter: AuditFilter, page: number, limit: number): Promise<{ readonly entries: readonly StoredAuditEntry[]; readonly total: number }>;
  stream(filter: AuditFilter): AsyncIterable<StoredAuditEntry>;
}

export interface ConsoleAuditOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly audit: AuditReads;
}

const Params = z.record(z.string(), z.string());

/** A record's details in words: an export with or without personal data, why a sign-in failed. */
function detail(locale: Locale, entry: StoredAuditEntry): string {
  if (entry.forced === true) return t(locale, 'console.audit.detail.forced');
  if (entry.count !== undefined) return t(locale, 'console.audit.detail.count', { count: entry.count });
  if (entry.personalData !== undefined) return t(locale, entry.personalData ? 'console.audit.detail.with_personal_data' : 'console.audit.detail.without_personal_data');
  if (entry.reason !== undefined) return t(locale, `console.audit.detail.${entry.reason}`);
  return '';
}

/** The CSV's columns: the header's key and the cell. */
const CSV_COLUMNS: readonly (readonly [key: 'at' | 'kind' | 'channel' | 'staff' | 'claim' | 'detail' | 'address', cell: (entry: StoredAuditEntry, locale: Locale, desk: DeskConfig) => string])[] = [
  ['at', (entry, _locale, desk) => formatZonedIso(entry.at, desk.desk.timezone)],
  ['kind', (entry, locale) => t(locale, `console.audit.kind.${entry.kind}`)],
  ['channel', (entry) => entry.channel],
  ['staff', (entry) => entry.staffId ?? ''],
  ['claim', (entry) => entry.claimNumber ?? entry.customerKey ?? ''],
  ['detail', (entry, locale) => detail(locale, entry)],
  ['address', (entry) => entry.address ?? ''],
];

function csvLine(cells: readonly string[]): string {
  return `${cells.map((cell) => csvCell(cell)).join(',')}\r\n`;
}

/**
 * The audit trail for heads (`view_audit`): `GET /console/api/audit` (a filtered page, newest
 * first: `kind`, `staff`, `from`, `to`, `page`, `limit`) and `GET /console/api/audit.csv` (every
 * record of the filter). Anybody else gets 403 naming the right.
 */
export function mountConsoleAudit(options: ConsoleAuditOptions): void {
  const { http, desk, requireStaff, audit } = options;

  const allowed = async (req: IncomingMessage) => {
    const member = await requireStaff(req);
    const permission = canDo(member, 'view_audit');
    if (!permission.allowed) throw new HttpError(403, permission.reason, refusalText(member.locale, permission));
    const parsed = parseAuditQuery(parseQuery(req, Params), desk);
    if (!parsed.ok) throw new HttpError(400, 'invalid_input', parsed.errors.join('; '));
    return { member, query: parsed.filter };
  };

  http.route('GET', '/console/api/audit', async (req, res) => {
    const { member, query } = await allowed(req);
    const page = await audit.list(query.filter, query.page, query.limit);
    sendJson(res, 200, {
      total: page.total,
      page: query.page,
      pageSize: query.limit,
      entries: page.entries.map((entry) => ({
        id: entry.id,
        at: entry.at,
        kind: entry.kind,
        kindLabel: t(member.locale, `console.audit.kind.${entry.kind}`),
        channel: entry.channel,
        staff: entry.staffId ? { id: entry.staffId, name: labels.staffName(desk, entry.staffId) } : null,
        claimNumber: entry.claimNumber ?? null,
        customerKey: entry.customerKey ?? null,
        personalData: entry.personalData ?? null,
        reason: entry.reason ?? null,
        detail: detail(member.locale, entry),
        address: entry.address ?? null,
      })),
    });
  });

  http.route('GET', '/console/api/audit.csv', async (req, res) => {
    const { member, query } = await allowed(req);
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${zonedDay(new Date(), desk.desk.timezone)}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.write(UTF8_BOM + csvLine(CSV_COLUMNS.map(([key]) => t(member.locale, `console.audit.col.${key}`))));
    for await (const entry of audit.stream(query.filter)) {
      if (res.destroyed) return;
      if (!res.write(csvLine(CSV_COLUMNS.map(([, cell]) => cell(entry, member.locale, desk))))) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    res.end();
  });
}
