import { z } from 'zod';
import type { CapaDesk, CapaFailure, CapaResult } from '../../../src/capa-desk.js';
import { ActionInput, ActionWork, isOverdue, parseActionFilter, parseActionNumber, type ActionEvent, type ActionFilter, type CorrectiveAction } from '../../../src/domain/capa.js';
import { formatZonedIso, zonedDay } from '../../../src/domain/claim-filter.js';
import type { ClaimReads } from '../../../src/domain/claim-ports.js';
import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import type { Locale } from '../../../src/domain/locale.js';
import { parseClaimNumber } from '../../../src/domain/numbering.js';
import { HttpError, parseQuery, readJson, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import { labels, missingRightText } from '../../staff-text.js';
import { checkOrigin, type RequireStaff } from './api.js';
import { csvCell, UTF8_BOM } from './register-csv.js';

export interface ConsoleCapaOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly capa: CapaDesk;
  readonly claims: Pick<ClaimReads, 'findById' | 'findByNumber'>;
  readonly publicUrl?: string;
  readonly trustProxy?: number;
  readonly now?: () => Date;
}

/** How a refusal is answered over HTTP. */
const FAILURE_STATUS: Readonly<Record<CapaFailure, number>> = {
  not_staff: 403,
  missing_right: 403,
  other_department: 403,
  not_owner: 403,
  owner_cannot_own: 400,
  due_in_past: 400,
  not_found: 404,
  invalid_transition: 409,
  invalid_input: 400,
  conflict: 409,
};

const Params = z.record(z.string(), z.string());
const PAGE = z.strictObject({ page: z.coerce.number().int().min(1).max(100_000).default(1), limit: z.coerce.number().int().min(1).max(100).default(50) });

/** Opening an action: the claim's number beside the action's fields. */
const OpenInput = z.object({ claimNumber: z.string().max(40) }).extend(ActionInput.shape).strict();
/** A change: one of the domain's commands, or a link to a claim given by its number. */
const ChangeInput = z.union([z.object({ type: z.literal('link'), claimNumber: z.string().max(40) }).strict(), ActionWork]);

/** A refusal in the member's language: a missing right is named with the roles that hold it. */
function refusal(locale: Locale, result: Extract<CapaResult, { ok: false }>): HttpError {
  const text =
    result.reason === 'missing_right' && result.right
      ? missingRightText(locale, result.right)
      : t(locale, `capa.refused.${result.reason}`, { status: result.action ? t(locale, `capa.status.${result.action.status}`) : '' });
  return new HttpError(FAILURE_STATUS[result.reason], result.reason, text);
}

/**
 * The console's corrective and preventive actions under `/console/api/capa`: the register (a
 * filtered page with its total, and CSV), one action with its history, opening an action for a
 * claim, and its changes — every rule in the domain (src/domain/capa.ts), applied by the CAPA desk.
 */
export function mountConsoleCapa(options: ConsoleCapaOptions): void {
  const { http, desk, requireStaff, capa } = options;
  const now = options.now ?? (() => new Date());
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  const claimNumbers = async (action: CorrectiveAction): Promise<string[]> => {
    const found = await Promise.all(action.claimIds.map((id) => options.claims.findById(id)));
    return found.flatMap((claim) => (claim ? [claim.number] : []));
  };

  const view = async (member: StaffMember, action: CorrectiveAction, at: Date) => ({
    number: action.number,
    kind: action.kind,
    description: action.description,
    owner: { id: action.ownerId, name: labels.staffName(desk, action.ownerId) },
    dueAt: action.dueAt,
    status: action.status,
    overdue: isOverdue(action, at),
    department: action.department,
    category: action.category ?? null,
    claims: await claimNumbers(action),
    createdAt: action.createdAt,
    history: action.history.map((event) => ({ at: event.at, type: event.type, text: historyText(desk, member.locale, action, event) })),
  });

  const filterOf = (params: Record<string, string>, at: Date): ActionFilter => {
    const parsed = parseActionFilter(params, desk, at);
    if (!parsed.ok) throw new HttpError(400, 'invalid_input', parsed.errors.join('; '));
    return parsed.filter;
  };

  const numberOf = (raw: string | undefined): string => {
    const number = parseActionNumber(raw ?? '');
    if (!number) throw new HttpError(400, 'invalid_input', 'number: expected an action number such as A-2026-0007');
    return number;
  };

  http.route('GET', '/console/api/capa', async (req, res) => {
    const member = await requireStaff(req);
    const { page, limit, ...rest } = parseQuery(req, Params);
    const paging = PAGE.safeParse({ ...(page ? { page } : {}), ...(limit ? { limit } : {}) });
    if (!paging.success) throw new HttpError(400, 'invalid_input', 'page, limit: expected a page from 1 and a limit from 1 to 100');
    const at = now();
    const { actions, total } = await capa.list(filterOf(rest, at), { skip: (paging.data.page - 1) * paging.data.limit, limit: paging.data.limit });
    sendJson(res, 200, { total, page: paging.data.page, pageSize: paging.data.limit, actions: await Promise.all(actions.map((action) => view(member, action, at))) });
  });

  http.route('GET', '/console/api/capa.csv', async (req, res) => {
    const member = await requireStaff(req);
    const at = now();
    const filter = filterOf(parseQuery(req, Params), at);
    const delimiter = member.locale === 'ru' ? ';' : ',';
    const line = (cells: readonly string[]) => cells.map((cell) => csvCell(cell, delimiter)).join(delimiter) + '\r\n';
    const columns = ['number', 'kind', 'status', 'description', 'owner', 'due', 'overdue', 'department', 'category', 'claims', 'opened'] as const;
    let body = UTF8_BOM + line(columns.map((column) => t(member.locale, `capa.csv.${column}`)));
    const time = (value: Date | undefined) => (value ? formatZonedIso(value, desk.desk.timezone) : '');
    for (let skip = 0; ; skip += 100) {
      const { actions } = await capa.list(filter, { skip, limit: 100 });
      for (const action of actions) {
        body += line([
          action.number,
          action.kind,
          action.status,
          action.description,
          action.ownerId,
          time(action.dueAt),
          t(member.locale, isOverdue(action, at) ? 'register.csv.yes' : 'register.csv.no'),
          action.department,
          action.category ?? '',
          (await claimNumbers(action)).join(' '),
          time(action.createdAt),
        ]);
      }
      if (actions.length < 100) break;
    }
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="capa-${zonedDay(at, desk.desk.timezone)}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  });

  // the actions a claim is linked to (its page's panel)
  http.route('GET', '/console/api/claims/:number/capa', async (req, res, params) => {
    const member = await requireStaff(req);
    const claimNumber = parseClaimNumber(params.number ?? '');
    if (!claimNumber) throw new HttpError(400, 'invalid_input', 'number: expected a claim number such as 2026-000123');
    const claim = await options.claims.findByNumber(claimNumber);
    if (!claim) throw new HttpError(404, 'not_found', t(member.locale, 'capa.refused.not_found'));
    const at = now();
    const { actions } = await capa.list({ claimId: claim.id }, { skip: 0, limit: 100 });
    sendJson(res, 200, { actions: await Promise.all(actions.map((action) => view(member, action, at))) });
  });

  http.route('GET', '/console/api/capa/:number', async (req, res, params) => {
    const member = await requireStaff(req);
    const found = await capa.view({ staffId: member.id }, numberOf(params.number));
    if (!found.ok) throw refusal(member.locale, found);
    sendJson(res, 200, { action: await view(member, found.action, now()) });
  });

  http.route('POST', '/console/api/capa', async (req, res) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    const { claimNumber, ...input } = await readJson(req, OpenInput);
    const number = parseClaimNumber(claimNumber);
    if (!number) throw new HttpError(400, 'invalid_input', 'claimNumber: expected a claim number such as 2026-000123');
    const result = await capa.open({ staffId: member.id }, number, input);
    if (!result.ok) throw refusal(member.locale, result);
    sendJson(res, 201, { action: await view(member, result.action, now()) });
  });

  http.route('POST', '/console/api/capa/:number/actions', async (req, res, params) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    const number = numberOf(params.number);
    const change = await readJson(req, ChangeInput);
    let result: CapaResult;
    if (change.type === 'link') {
      const claimNumber = parseClaimNumber(change.claimNumber);
      if (!claimNumber) throw new HttpError(400, 'invalid_input', 'claimNumber: expected a claim number such as 2026-000123');
      result = await capa.link({ staffId: member.id }, number, claimNumber);
    } else {
      result = await capa.act({ staffId: member.id }, number, change);
    }
    if (!result.ok) throw refusal(member.locale, result);
    sendJson(res, 200, { action: await view(member, result.action, now()) });
  });
}

/** One line of an action's history, for staff. */
export function historyText(desk: DeskConfig, locale: Locale, action: Pick<CorrectiveAction, 'number'>, event: ActionEvent): string {
  const who = event.by ? labels.staffName(desk, event.by) : t(locale, 'staff.who.system');
  const owner = event.ownerId ? labels.staffName(desk, event.ownerId) : '';
  return t(locale, `capa.history.${event.type}`, { who, note: event.note ?? '', owner, number: action.number });
}
