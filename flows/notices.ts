import type { DeskConfig } from '../src/domain/desk.js';
import type { Claim, ClaimEvent } from '../src/domain/lifecycle.js';
import { formatDateTime, t } from '../src/i18n/index.js';
import type { Outbound, OutboundFile } from './types.js';
import { surveyChoices } from './survey.js';
import { decisionSignature } from '../src/decision-text.js';
import { essenceOf } from '../src/domain/decision.js';
import { fillTemplate } from '../src/domain/templates.js';
import type { CustomerTextPlaceholder } from '../src/domain/customer-templates.js';
import { disputeChoice } from './dispute.js';
import { isOfflineChannel } from '../src/domain/staff-intake.js';

/**
 * What the customer is told about a history event of their claim, in the claim's language;
 * `in_dialog` for the registration (the intake dialog confirmed it in the chat already; a claim
 * staff registered is acknowledged like any notice), and
 * undefined for events the customer is not told about.
 * @example customerNotice(desk, claim, event) // { text: 'A question about your claim No. …', expects: 'none' }
 */
export function customerNotice(desk: DeskConfig, claim: Claim, event: ClaimEvent): Outbound | 'in_dialog' | undefined {
  if (!event.notifyCustomer) return undefined;
  const locale = claim.locale;
  const number = claim.number;
  const say = (text: string): Outbound => ({ text, expects: 'none' });
  // #25: a claim staff registered (by phone, e-mail, letter) was told nothing yet; no chat to answer in
  const offline = isOfflineChannel(claim.conversation.channel);
  if (event.type === 'registered') return event.actor.kind === 'staff' ? say(t(locale, 'notice.registered', { number, due: formatDateTime(claim.sla.resolutionDueAt, locale, desk.desk.timezone) })) : 'in_dialog';
  if (event.type === 'duplicate_linked') return say(t(locale, 'notice.duplicate', { number, original: event.linkedNumber ?? '' }));
  if (event.type === 'survey_sent' || event.type === 'survey_reminder') {
    return { text: t(locale, event.type === 'survey_sent' ? 'survey.ask' : 'survey.reminder', { number }), expects: 'choice', choices: surveyChoices(number) };
  }
  if (event.type === 'deadline_changed' && event.due) {
    // an extension past the promise (src/domain/assessment.ts): the new date and the reason
    return say(t(locale, 'notice.deadline_extended', { number, due: formatDateTime(event.due.resolutionDueAt, locale, desk.desk.timezone), reason: event.note ?? '' }));
  }
  if (event.type === 'staff_reply') return replyNotice(claim, event, offline);
  if (event.type === 'fulfilled') return say(t(locale, 'notice.fulfilled', { number }));
  if (event.type !== 'status_changed') return undefined;
  switch (event.action) {
    case 'take':
      return say(t(locale, 'notice.take', { number, due: formatDateTime(claim.sla.resolutionDueAt, locale, desk.desk.timezone) }));
    case 'investigate':
      return say(t(locale, 'notice.investigate', { number }));
    case 'request_info': {
      // the desk's own question text (#25) when it set one, the catalogues' otherwise
      const own = desk.customerTexts.question?.[locale];
      const question = event.note ?? '';
      if (own === undefined) return say(t(locale, offline ? 'notice.offline.request_info' : 'notice.request_info', { number, question }));
      const date = formatDateTime(claim.createdAt, locale, desk.desk.timezone);
      return say(fillTemplate<CustomerTextPlaceholder<'question'>>(own, { number, date, essence: essenceOf(claim.description), question }));
    }
    case 'resolve': {
      if (!event.decision) return undefined;
      // the decision's text, signed by who decided (name and position from the desk config); the
      // remedy's due date, and a button to dispute it (#25)
      const due = event.fulfilmentDueAt ? `\n\n${t(locale, 'notice.fulfilment_due', { due: formatDateTime(event.fulfilmentDueAt, locale, desk.desk.timezone) })}` : '';
      const text = t(locale, `notice.${event.decision.outcome}`, { number, text: event.decision.responseText }) + due + decisionSignature(desk, claim, event.decision);
      return { text, expects: 'choice', choices: [disputeChoice(locale, number)] };
    }
    case 'dispute':
      return undefined;
    case 'close':
      return say(t(locale, 'notice.close', { number }));
    case 'reopen':
      return say(t(locale, 'notice.reopen', { number }));
    case 'customer_replied':
    case undefined:
      return undefined;
  }
}

/**
 * A staff reply: the text and the files staff sent with it (#25), which the channel sends after the
 * text; for a claim without a messenger the text names the files too (attached to the e-mail, or
 * for staff to hand over with what they read out).
 */
function replyNotice(claim: Claim, event: ClaimEvent, offline: boolean): Outbound {
  const { locale, number } = claim;
  const files: OutboundFile[] = (event.replyFiles ?? []).map((file) => ({ fileId: file.fileId, name: file.fileName ?? 'file', mimeType: file.mimeType ?? 'application/octet-stream', sizeBytes: file.sizeBytes ?? 0 }));
  const text = t(locale, offline ? 'notice.offline.reply' : 'notice.reply', { number, text: event.note ?? '' });
  const names = offline && files.length > 0 ? `\n\n${t(locale, 'notice.offline.files', { names: files.map((file) => file.name).join(', ') })}` : '';
  return { text: text + names, expects: 'none', ...(files.length > 0 ? { files } : {}) };
}
