import { z } from 'zod';
import { parseClaimNumber } from '../src/domain/numbering.js';
import { claimDetail, claimLine, isOpen } from './claim-text.js';
import { between, customerClaims, globalChoiceId, message, ownClaim, reply, say, shorten, type Dialog, type StepOutcome, type Turn } from './core.js';
import { isBlank, pickByText } from './form.js';
import type { ConversationState } from './state.js';
import type { Outbound } from './types.js';
import { disputableDecision } from '../src/domain/decision-workflow.js';
import { disputeChoice } from './dispute.js';

export const STATUS = 'status';
const VERSION = 1;
/** How many claims the list shows as buttons. */
export const STATUS_LIST_MAX = 10;

const StatusAnswers = z.object({ numbers: z.array(z.string()) });

/** `/status`: the customer's claims, newest first, each a button that opens its card. */
export function startStatus(state: ConversationState, turn: Turn): StepOutcome {
  const lookup = customerClaims(turn);
  if ('need' in lookup) return lookup.need;
  const claims = lookup.found.slice(0, STATUS_LIST_MAX);
  if (claims.length === 0) {
    return reply(between(state), [{ text: say(turn, 'status.none'), expects: 'none', choices: [{ id: globalChoiceId('new'), label: say(turn, 'button.new_report') }] }]);
  }
  const text = [say(turn, 'status.list_title'), '', ...claims.map((claim, index) => `${index + 1}. ${claimLine(claim, turn)}`), '', say(turn, 'status.pick_hint')].join('\n');
  const choices = claims.map((claim) => ({ value: `c:${claim.number}`, label: claim.number }));
  return reply(
    { ...between(state), flowId: STATUS, flowVersion: VERSION, stepId: 'pick', answers: { numbers: claims.map((c) => c.number) } },
    [message(turn, text, 'choice', choices)],
  );
}

/**
 * Shows one of the customer's own claims. A number that is someone else's gets exactly the same
 * answer as a number that does not exist.
 */
export function showClaim(state: ConversationState, typed: string, turn: Turn): StepOutcome {
  const number = parseClaimNumber(typed);
  if (!number) return reply(state, [notFound(typed, turn)]);
  const lookup = ownClaim(turn, number);
  if ('need' in lookup) return lookup.need;
  const claim = lookup.found;
  if (!claim) return reply(state, [notFound(number, turn)]);
  const choices = [
    ...(isOpen(claim) ? [{ id: globalChoiceId(`a:${claim.number}`), label: say(turn, 'button.add_info') }] : []),
    // #25: a decision not yet disputed, until the claim closes
    ...(disputableDecision(claim) ? [disputeChoice(turn.locale, claim.number)] : []),
    { id: globalChoiceId('list'), label: say(turn, 'button.all_claims') },
  ];
  return reply(between(state), [{ text: claimDetail(claim, turn), expects: 'none', choices }]);
}

function notFound(typed: string, turn: Turn): Outbound {
  return { text: say(turn, 'status.not_found', { number: shorten(typed, 40) }), expects: 'none' };
}

/** The status dialog: the list, waiting for a pick. */
export const statusDialog: Dialog = {
  id: STATUS,
  version: VERSION,
  unfinishedMatters: false,
  // a list position or a claim number picks; anything else is a message of its own
  takes(state, turn) {
    const content = turn.input.content;
    if (content.type !== 'text') return false;
    const typed = content.text.trim();
    return /^\d{1,2}$/.test(typed) || parseClaimNumber(typed) !== undefined;
  },
  cancelled(_state, turn) {
    return { text: say(turn, 'cancel.nothing'), expects: 'none' };
  },
  handle(state, turn) {
    const parsed = StatusAnswers.safeParse(state.answers);
    const numbers = parsed.success ? parsed.data.numbers : [];
    if (turn.choice?.startsWith('c:')) return showClaim(state, turn.choice.slice(2), turn);
    const content = turn.input.content;
    if (content.type === 'text' && !isBlank(content.text)) {
      const typed = content.text.trim();
      const picked = pickByText(numbers.map((n) => ({ value: n, label: n })), typed);
      return showClaim(state, picked ?? typed, turn);
    }
    return statusDialog.reask(state, turn);
  },
  reask(state, turn) {
    return startStatus(state, turn);
  },
};
