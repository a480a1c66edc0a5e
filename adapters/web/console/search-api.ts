import { z } from 'zod';
import type { DeskConfig } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import { parseSearch, SEARCH_INPUT_MAX, type SearchQuery } from '../../../src/domain/search.js';
import { mayIn } from '../../../src/domain/staff.js';
import { HttpError, parseQuery, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import type { RequireStaff } from './api.js';
import { claimRow } from './register.js';

/** The search the console asks (the store's ClaimSearch). */
export interface ClaimSearchReads {
  find(query: SearchQuery, scope: { readonly personalDataDepartments: readonly string[] }, limit: number): Promise<{ readonly claims: Claim[]; readonly more: boolean }>;
}

export interface ConsoleSearchOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly search: ClaimSearchReads;
  readonly now?: () => Date;
}

const Params = z.strictObject({ q: z.string().max(SEARCH_INPUT_MAX * 2), limit: z.coerce.number().int().min(1).max(100).default(50) });

/**
 * `GET /console/api/search?q=…`: the header's search box (#25). The text is read by the domain's
 * parser (a claim number, a phone, an e-mail, or words); the answer is the matching claims as the
 * register lists them (no personal data) and what the text was taken for. A member finds claims
 * by a phone, an e-mail or a name only in the departments whose personal data they may see.
 */
export function mountConsoleSearch(options: ConsoleSearchOptions): void {
  const { http, desk, requireStaff, search } = options;
  const now = options.now ?? (() => new Date());
  http.route('GET', '/console/api/search', async (req, res) => {
    const member = await requireStaff(req);
    const params = parseQuery(req, Params);
    const query = parseSearch(params.q);
    if (!query) throw new HttpError(400, 'invalid_input', t(member.locale, 'console.search.invalid'));
    const personalDataDepartments = desk.departments.filter((department) => mayIn(member, 'view_personal_data', department.id)).map((department) => department.id);
    const found = await search.find(query, { personalDataDepartments }, params.limit);
    const at = now();
    sendJson(res, 200, { query: { kind: query.kind }, claims: found.claims.map((claim) => claimRow(desk, claim, at)), more: found.more });
  });
}
