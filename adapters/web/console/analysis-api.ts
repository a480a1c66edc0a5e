import { z } from 'zod';
import { formatZonedIso, zonedDay } from '../../../src/domain/claim-filter.js';
import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import { parseEffectivenessFilter, type EffectivenessFilter, type EffectivenessReport, type EffectivenessRow } from '../../../src/domain/effectiveness.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import type { Locale } from '../../../src/domain/locale.js';
import { parseClaimNumber } from '../../../src/domain/numbering.js';
import { catalogueProduct } from '../../../src/domain/products.js';
import { similarForViewer } from '../../../src/domain/similarity.js';
import { hasRight } from '../../../src/domain/staff.js';
import { HttpError, parseQuery, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import type { SimilarFinding } from '../../../src/similar-claims.js';
import { missingRightText } from '../../staff-text.js';
import type { RequireStaff } from './api.js';
import { csvCell, UTF8_BOM } from './register-csv.js';

export interface ConsoleAnalysisOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  /** A claim by number (any listed member may see a claim's page). */
  readonly claimByNumber: (number: string) => Promise<Claim | undefined>;
  readonly similar: { forClaim(claim: Claim): Promise<SimilarFinding[]> };
  readonly effectiveness: (filter: EffectivenessFilter, now: Date) => Promise<EffectivenessReport>;
  readonly now?: () => Date;
}

const Params = z.record(z.string(), z.string());

/** The product or category an action is compared by, in words. */
function scopeText(desk: DeskConfig, locale: Locale, row: EffectivenessRow): string {
  const scope = row.scope;
  if (scope.kind === 'category') return desk.categories.find((category) => category.id === scope.category)?.label[locale] ?? scope.category;
  return catalogueProduct(desk, scope.product)?.name[locale] ?? row.productName ?? scope.product;
}

/** Rates to one decimal (claims per 30 days), as the page shows them. */
const rate = (value: number | null) => (value === null ? '' : (Math.round(value * 10) / 10).toString());

/**
 * The console's analysis (#24): `GET /console/api/reports/effectiveness` (JSON) and
 * `/console/api/reports/effectiveness.csv` — the CAPA effectiveness, for members with
 * `all_reports` (quality, heads: it spans every department) — and
 * `GET /console/api/claims/:number/similar`, the earlier claims most like a claim, each with its
 * actions (the page links the claim to one of them through the CAPA API) and its description
 * only for a member who may see that claim's personal data.
 */
export function mountConsoleAnalysis(options: ConsoleAnalysisOptions): void {
  const { http, desk, requireStaff } = options;
  const now = options.now ?? (() => new Date());

  const reporter = async (req: Parameters<RequireStaff>[0]): Promise<{ member: StaffMember; filter: EffectivenessFilter }> => {
    const member = await requireStaff(req);
    if (!hasRight(member, 'all_reports')) throw new HttpError(403, 'missing_right', missingRightText(member.locale, 'all_reports'));
    const parsed = parseEffectivenessFilter(parseQuery(req, Params), desk);
    if (!parsed.ok) throw new HttpError(400, 'invalid_input', parsed.errors.join('; '));
    return { member, filter: parsed.filter };
  };

  const rowView = (locale: Locale, row: EffectivenessRow) => ({ ...row, scopeText: scopeText(desk, locale, row) });

  http.route('GET', '/console/api/reports/effectiveness', async (req, res) => {
    const { member, filter } = await reporter(req);
    const report = await options.effectiveness(filter, now());
    sendJson(res, 200, { ...report, actions: report.actions.map((row) => rowView(member.locale, row)), notFallen: report.notFallen.map((row) => rowView(member.locale, row)) });
  });

  http.route('GET', '/console/api/reports/effectiveness.csv', async (req, res) => {
    const { member, filter } = await reporter(req);
    const at = now();
    const report = await options.effectiveness(filter, at);
    const delimiter = member.locale === 'ru' ? ';' : ',';
    const line = (cells: readonly string[]) => cells.map((cell) => csvCell(cell, delimiter)).join(delimiter) + '\r\n';
    const columns = ['number', 'description', 'scope', 'opened', 'verified', 'before_claims', 'before_days', 'before_rate', 'after_claims', 'after_days', 'after_rate', 'outcome'] as const;
    const time = (value: Date) => formatZonedIso(value, desk.desk.timezone);
    let body = UTF8_BOM + line(columns.map((column) => t(member.locale, `console.analysis.col.${column}`)));
    // the actions whose rate did not fall first (the report's list), then the others
    const rows = [...report.notFallen, ...report.actions.filter((row) => row.outcome !== 'not_fallen')];
    for (const row of rows) {
      body += line([
        row.number,
        row.description,
        scopeText(desk, member.locale, row),
        time(row.openedAt),
        time(row.verifiedAt),
        String(row.before.claims),
        String(row.before.days),
        rate(row.before.rate),
        String(row.after.claims),
        String(row.after.days),
        rate(row.after.rate),
        t(member.locale, `console.analysis.outcome.${row.outcome}`),
      ]);
    }
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="capa-effectiveness-${zonedDay(at, desk.desk.timezone)}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  });

  http.route('GET', '/console/api/claims/:number/similar', async (req, res, params) => {
    const member = await requireStaff(req);
    const number = parseClaimNumber(params.number ?? '');
    if (!number) throw new HttpError(400, 'invalid_input', 'number: expected a claim number such as 2026-000123');
    const claim = await options.claimByNumber(number);
    if (!claim) throw new HttpError(404, 'not_found', t(member.locale, 'staff.refused.not_found'));
    const found = await options.similar.forClaim(claim);
    sendJson(res, 200, {
      similar: found.map((match) => {
        const shown = similarForViewer(member, match);
        return {
          number: shown.number,
          status: shown.status,
          statusText: t(member.locale, `staff.status.${shown.status}`),
          createdAt: shown.createdAt,
          score: shown.score,
          sameProduct: shown.sameProduct,
          causeCategory: shown.causeCategory ? (desk.causeCategories.find((cause) => cause.id === shown.causeCategory)?.label[member.locale] ?? shown.causeCategory) : null,
          rootCause: shown.rootCause ?? null,
          description: shown.description ?? null,
          actions: match.actions,
        };
      }),
    });
  });
}
