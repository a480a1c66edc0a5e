import type { DeskConfig } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import type { Locale } from '../../../src/domain/locale.js';
import { linkedClaims } from '../../../src/domain/duplicates.js';
import { noticesToTell, OFFLINE_CHANNELS, StaffRegistration } from '../../../src/domain/staff-intake.js';
import { HttpError, readJson, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import type { StaffDesk } from '../../../src/staff-desk.js';
import { customerNotice } from '../../../flows/notices.js';
import { labels, refusalText } from '../../staff-text.js';
import { checkOrigin, claimView, FAILURE_STATUS, type RequireStaff } from './api.js';

/**
 * The console as a full workspace (#25): registering a claim received by phone, e-mail, letter or
 * in person, and on the claim page its links (original, duplicates), who registered it, and —
 * for a customer with neither a messenger nor an e-mail — the notices staff must pass on by phone
 * or letter, in the very words the desk would have sent.
 */

/** The claim page's part: the links, who registered it, and the notices to tell the customer. */
export function workspaceView(desk: DeskConfig, claim: Claim) {
  return {
    links: linkedClaims(claim),
    registeredBy: claim.registeredBy ? { id: claim.registeredBy, name: labels.staffName(desk, claim.registeredBy) } : null,
    tellCustomer: noticesToTell(claim).flatMap((event) => {
      const notice = customerNotice(desk, claim, event);
      return typeof notice === 'object' ? [{ at: event.at, text: notice.text }] : [];
    }),
  };
}

/** The desk's vocabulary for the registration form. */
export function workspaceVocabulary(locale: Locale) {
  return { intakeChannels: OFFLINE_CHANNELS.map((channel) => ({ id: channel, label: labels.channelLabel(locale, channel) })) };
}

export interface ConsoleWorkspaceOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly staff: StaffDesk;
  readonly requireStaff: RequireStaff;
  readonly publicUrl?: string;
  readonly trustProxy?: number;
}

/**
 * `POST /console/api/claims`: registers a claim from the console's form (StaffRegistration) by the
 * same rules as the dialogs (StaffDesk.register). 201 with the claim; 400 naming the fields;
 * 403 without the `register` right.
 * @example mountConsoleWorkspace({ http, desk, staff, requireStaff });
 */
export function mountConsoleWorkspace(options: ConsoleWorkspaceOptions): void {
  const { http, desk, staff } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  http.route('POST', '/console/api/claims', async (req, res) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await options.requireStaff(req);
    const form = await readJson(req, StaffRegistration);
    const result = await staff.register({ staffId: member.id }, form);
    if (!result.ok) {
      const message = result.reason === 'invalid_input' && result.detail !== undefined ? result.detail : refusalText(member.locale, result);
      throw new HttpError(FAILURE_STATUS[result.reason], result.reason, message);
    }
    sendJson(res, 201, { message: t(member.locale, 'console.register.done', { number: result.claim.number }), claim: claimView(desk, member, result.claim, () => undefined) });
  });
}
