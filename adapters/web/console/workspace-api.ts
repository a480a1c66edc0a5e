import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import type { Claim, ClaimEvent } from '../../../src/domain/lifecycle.js';
import type { Locale } from '../../../src/domain/locale.js';
import { linkedClaims } from '../../../src/domain/duplicates.js';
import { noticesToTell, OFFLINE_CHANNELS, StaffRegistration } from '../../../src/domain/staff-intake.js';
import { TELL_MEANS, toldNotices } from '../../../src/domain/customer-told.js';
import { canStaff } from '../../../src/domain/staff.js';
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
 * or letter, in the very words the desk would have sent, and those they recorded as told
 * (through the claim's action endpoint, `{ action: 'tell_customer', eventIds, means, note }`).
 */

/**
 * The claim page's part: the links, who registered it, the notices still to tell the customer
 * (with whether this member may record telling them, and why not) and those staff told already:
 * who, when, how, with their note (#25, src/domain/customer-told.ts).
 */
export function workspaceView(desk: DeskConfig, claim: Claim, member: StaffMember) {
  const noticeText = (event: ClaimEvent) => {
    const notice = customerNotice(desk, claim, event);
    return typeof notice === 'object' ? notice.text : undefined;
  };
  const permission = canStaff(desk, member, claim, 'tell_customer');
  return {
    links: linkedClaims(claim),
    registeredBy: claim.registeredBy ? { id: claim.registeredBy, name: labels.staffName(desk, claim.registeredBy) } : null,
    tellCustomer: noticesToTell(claim).flatMap((event) => {
      const text = noticeText(event);
      return text === undefined ? [] : [{ eventId: event.id, at: event.at, text }];
    }),
    tell: permission.allowed ? { allowed: true } : { allowed: false, reason: refusalText(member.locale, { ...permission, claim }) },
    toldCustomer: toldNotices(claim).map(({ notice, told }) => {
      const by = told.actor.kind === 'staff' ? told.actor.staffId : undefined;
      const means = told.toldMeans ?? 'phone';
      const name = by !== undefined ? labels.staffName(desk, by) : '';
      return {
        eventId: notice.id,
        at: notice.at,
        text: noticeText(notice) ?? null,
        toldAt: told.at,
        by: by !== undefined ? { id: by, name } : null,
        means,
        note: told.note ?? null,
        line: t(member.locale, 'console.claim.told_by', { who: name, means: t(member.locale, `staff.told_means.${means}`), when: labels.when({ desk, locale: member.locale }, told.at) }),
      };
    }),
  };
}

/** The desk's vocabulary for the registration form. */
export function workspaceVocabulary(locale: Locale) {
  return {
    intakeChannels: OFFLINE_CHANNELS.map((channel) => ({ id: channel, label: labels.channelLabel(locale, channel) })),
    tellMeans: TELL_MEANS.map((means) => ({ id: means, label: t(locale, `staff.told_means.${means}`) })),
  };
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
