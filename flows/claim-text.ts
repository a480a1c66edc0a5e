import { findCategory } from '../src/domain/desk.js';
import { OPEN_STATUSES, type Claim, type ClaimEvent } from '../src/domain/lifecycle.js';
import { formatDateTime } from '../src/i18n/index.js';
import { say, shorten, type Turn } from './core.js';

/** How a claim is named in lists: its category and the start of its description. */
export function claimTitle(claim: Claim, turn: Turn): string {
  const category = findCategory(turn.desk, claim.category);
  return `${category ? category.label[turn.locale] : claim.category}: ${shorten(claim.description, 40)}`;
}

/** One line of the customer's claim list: number, title, status and last change. */
export function claimLine(claim: Claim, turn: Turn): string {
  return say(turn, 'status.line', {
    number: claim.number,
    title: claimTitle(claim, turn),
    status: say(turn, `status.${claim.status}`),
    changed: formatDateTime(claim.updatedAt, turn.locale, turn.desk.desk.timezone),
  });
}

export function isOpen(claim: Claim): boolean {
  return OPEN_STATUSES.includes(claim.status);
}

/** A history event in plain words, or undefined for events the customer need not see. */
function eventText(event: ClaimEvent, turn: Turn): string | undefined {
  switch (event.type) {
    case 'registered':
      return say(turn, 'history.registered');
    case 'assigned':
      return say(turn, 'history.assigned');
    case 'delivery_failed':
    case 'sla_warning':
    case 'sla_breach':
    case 'survey_sent':
    case 'survey_reminder':
    case 'survey_skipped':
    case 'survey_answered':
    case 'survey_commented':
    case 'assessed':
    case 'investigation_recorded':
    case 'decision_drafted':
    case 'decision_approved':
    case 'decision_returned':
    case 'fulfilment_overdue':
    case 'fulfilment_escalated':
    case 'staff_note':
      return undefined;
    case 'fulfilled':
      return say(turn, 'history.fulfilled');
    case 'staff_reply':
      return undefined;
    case 'deadline_changed':
      // only an extension past what the customer was promised is theirs to see
      return event.notifyCustomer && event.due ? say(turn, 'history.deadline_extended', { due: formatDateTime(event.due.resolutionDueAt, turn.locale, turn.desk.desk.timezone) }) : undefined;
    case 'customer_info': {
      const files = event.attachments?.length ?? 0;
      return files > 0 ? say(turn, 'history.customer_files', { count: files }) : say(turn, 'history.customer_info');
    }
    case 'status_changed':
      switch (event.action) {
        case 'take':
          return say(turn, 'history.take');
        case 'investigate':
          return say(turn, 'history.investigate');
        case 'request_info':
          return say(turn, 'history.request_info', { question: event.note ?? '' });
        case 'customer_replied':
          return say(turn, 'history.customer_replied');
        case 'resolve':
          return event.decision?.outcome === 'accepted'
            ? say(turn, 'history.accepted', { remedy: say(turn, `remedy.${event.decision.remedy}`) })
            : say(turn, 'history.rejected');
        case 'close':
          return say(turn, 'history.close');
        case 'reopen':
          return say(turn, 'history.reopen');
        case 'dispute':
          return say(turn, 'history.dispute');
        case undefined:
          return undefined;
      }
  }
}

/** The claim card a customer sees: what, where it stands, what was decided, and its history. */
export function claimDetail(claim: Claim, turn: Turn): string {
  const zone = turn.desk.desk.timezone;
  const category = findCategory(turn.desk, claim.category);
  const lines = [
    say(turn, 'detail.title', { number: claim.number, date: formatDateTime(claim.createdAt, turn.locale, zone) }),
    // `kind.*` are the answers to "what would you like to file?" (accusative in Russian); the card names it
    `${say(turn, `detail.kind.${claim.kind}`)} · ${category ? category.label[turn.locale] : claim.category}`,
    say(turn, 'detail.status', { status: say(turn, `status.${claim.status}`) }),
    say(turn, 'detail.description', { text: shorten(claim.description, 300) }),
  ];
  if (isOpen(claim)) {
    const due = claim.firstResponseAt ? claim.sla.resolutionDueAt : claim.sla.firstResponseDueAt;
    lines.push(say(turn, claim.firstResponseAt ? 'detail.resolution_due' : 'detail.response_due', { due: formatDateTime(due, turn.locale, zone) }));
  }
  if (claim.decision) lines.push(say(turn, 'detail.decision', { text: claim.decision.responseText }));
  lines.push('', say(turn, 'detail.history'));
  for (const event of claim.history) {
    const text = eventText(event, turn);
    if (text !== undefined) lines.push(`${formatDateTime(event.at, turn.locale, zone)} — ${text}`);
  }
  return lines.join('\n');
}
