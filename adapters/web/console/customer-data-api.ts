import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { CustomerDataRefusal, type CustomerDataDesk } from '../../../src/customer-data.js';
import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import { parseCustomerLookup, type CustomerLookup } from '../../../src/domain/erasure.js';
import { zonedDay } from '../../../src/domain/claim-filter.js';
import { HttpError, readJson, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import { refusalText } from '../../staff-text.js';
import { checkOrigin, type RequireStaff } from './api.js';

export interface ConsoleCustomerDataOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly customers: CustomerDataDesk;
  readonly publicUrl?: string;
  readonly trustProxy?: number;
}

/** A lookup in a request body (never in a URL: a phone or an e-mail must not reach access logs). */
const LookupBody = z.object({ by: z.string().max(20), value: z.string().max(254) }).strict();
const EraseBody = z
  .object({
    by: z.string().max(20),
    value: z.string().max(254),
    reason: z.string().trim().min(1, 'expected the reason for the erasure').max(500, 'expected a reason of at most 500 characters'),
    force: z.boolean().default(false),
  })
  .strict();

/**
 * The customer's rights in the console (#26), for staff with `customer_data` (quality, heads;
 * anybody else gets 403 naming the right). The customer is named in the body, never in the URL:
 * - `POST /console/api/customer-data/find` `{ by, value }`: their claims (numbers, statuses, channels);
 * - `POST /console/api/customer-data/export` `{ by, value }`: everything held about them, a JSON file;
 * - `POST /console/api/customer-data/erase` `{ by, value, reason, force? }`: their personal data
 *   erased; 409 `open_claims` while a claim is open (unless a head forces it);
 * - `GET /console/api/customer-data/requests`: customers' open `/mydata` requests.
 */
export function mountConsoleCustomerData(options: ConsoleCustomerDataOptions): void {
  const { http, desk, requireStaff, customers } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  const allowed = async (req: IncomingMessage, post: boolean): Promise<StaffMember> => {
    if (post) checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    try {
      return customers.allowed(member);
    } catch (error) {
      if (error instanceof CustomerDataRefusal) throw new HttpError(403, error.permission.reason, refusalText(member.locale, error.permission));
      throw error;
    }
  };
  const lookupOf = (body: { by: string; value: string }): CustomerLookup => {
    const parsed = parseCustomerLookup({ by: body.by, value: body.value });
    if (!parsed.ok) throw new HttpError(400, 'invalid_input', parsed.errors.join('; '));
    return parsed.lookup;
  };

  http.route('POST', '/console/api/customer-data/find', async (req, res) => {
    const member = await allowed(req, true);
    const found = await customers.find(member, lookupOf(await readJson(req, LookupBody, 4096)));
    sendJson(res, 200, {
      claims: found.claims.map((claim) => ({ number: claim.number, status: claim.status, statusLabel: t(member.locale, `staff.status.${claim.status}`), channel: claim.customer.channel, createdAt: claim.createdAt, erased: claim.erasedAt !== undefined })),
      chats: found.traits.chats.length,
    });
  });

  http.route('POST', '/console/api/customer-data/export', async (req, res) => {
    const member = await allowed(req, true);
    const data = await customers.exportData(member, lookupOf(await readJson(req, LookupBody, 4096)));
    if (!data) throw new HttpError(404, 'not_found', t(member.locale, 'console.customer.none'));
    sendJson(res, 200, data, { 'content-disposition': `attachment; filename="customer-data-${zonedDay(new Date(), desk.desk.timezone)}.json"`, 'cache-control': 'no-store' });
  });

  http.route('POST', '/console/api/customer-data/erase', async (req, res) => {
    const member = await allowed(req, true);
    const body = await readJson(req, EraseBody, 4096);
    const outcome = await customers.erase(member, lookupOf(body), { reason: body.reason, force: body.force });
    switch (outcome.kind) {
      case 'not_found':
        throw new HttpError(404, 'not_found', t(member.locale, 'console.customer.none'));
      case 'open_claims':
        throw new HttpError(409, 'open_claims', t(member.locale, 'console.customer.open_claims', { numbers: outcome.openNumbers.join(', ') }));
      case 'erased':
        sendJson(res, 200, { erased: outcome.claims, forced: outcome.forced, erasureId: outcome.erasureId });
    }
  });

  http.route('GET', '/console/api/customer-data/requests', async (req, res) => {
    const member = await allowed(req, false);
    const requests = await customers.openRequests(member);
    sendJson(res, 200, { requests: requests.map((request) => ({ id: request.id, at: request.at, channel: request.customer.channel, customer: { by: request.customer.channel, value: request.customer.channel === 'slack' && request.customer.teamId ? `${request.customer.teamId}/${request.customer.userId}` : request.customer.userId } })) });
  });
}
