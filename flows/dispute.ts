import { z } from 'zod';
import { disputableDecision, disputeState } from '../src/domain/decision-workflow.js';
import { CUSTOMER_INFO_TEXT_MAX } from '../src/domain/lifecycle.js';
import { parseClaimNumber } from '../src/domain/numbering.js';
import { between, globalChoiceId, info, message, ownClaim, reply, resultOf, say, shorten, type Dialog, type StepOutcome, type Turn } from './core.js';
import { isBlank } from './form.js';
import type { ConversationState } from './state.js';
import type { Choice } from './types.js';

/**
 * Disputing a decision (#25): from the button on the decision's message or on the claim's card in
 * `/status`, the customer writes why they disagree; the claim returns to review with their text
 * (src/domain/decision-workflow.ts). A decision already disputed, or a claim closed since, gets a
 * polite refusal and changes nothing.
 */

export const DISPUTE = 'dispute';
const VERSION = 1;

const DisputeAnswers = z.object({ claimId: z.string(), number: z.string(), decisionEventId: z.string() });
type DisputeAnswers = z.infer<typeof DisputeAnswers>;

/** The button that disputes a claim's decision: a global choice, so it works whatever dialog runs. */
export function disputeChoice(locale: Turn['locale'], number: string): Choice {
  return { id: globalChoiceId(`d:${number}`), label: say({ locale }, 'button.dispute') };
}

function askWhy(state: ConversationState, answers: DisputeAnswers, turn: Turn, lead?: string): StepOutcome {
  const question = say(turn, 'dispute.ask', { number: answers.number });
  return reply({ ...state, flowId: DISPUTE, flowVersion: VERSION, stepId: 'why', answers, trail: [] }, [
    message(turn, lead ? `${lead}\n\n${question}` : question, 'text', [{ value: 'cancel', label: say(turn, 'button.cancel') }]),
  ]);
}

/**
 * The dispute button pressed: the customer's own claim by number (someone else's is not found, as
 * everywhere), its decision disputable now, then the question why.
 */
export function startDispute(state: ConversationState, typed: string, turn: Turn): StepOutcome {
  const number = parseClaimNumber(typed);
  const lookup = number ? ownClaim(turn, number) : { found: undefined };
  if ('need' in lookup) return lookup.need;
  const claim = lookup.found;
  if (!claim) return reply(state, [info(turn, 'status.not_found', { number: shorten(typed, 40) })]);
  const decisionEventId = disputableDecision(claim);
  if (!decisionEventId) {
    return reply(state, [info(turn, disputeState(claim) === 'already_disputed' ? 'dispute.already' : 'dispute.unavailable', { number: claim.number })]);
  }
  return askWhy(state, { claimId: claim.id, number: claim.number, decisionEventId }, turn);
}

/** The dispute dialog: one step, the customer's reasons as text. */
export const disputeDialog: Dialog = {
  id: DISPUTE,
  version: VERSION,
  unfinishedMatters: false,
  cancelled(_state, turn) {
    return info(turn, 'dispute.cancelled');
  },
  handle(state, turn) {
    const parsed = DisputeAnswers.safeParse(state.answers);
    if (!parsed.success) return reply(between(state), [info(turn, 'flow.updated')]);
    const answers = parsed.data;
    if (turn.choice === 'cancel') return reply(between(state), [info(turn, 'dispute.cancelled')]);
    const content = turn.input.content;
    if (content.type !== 'text' || isBlank(content.text)) return askWhy(state, answers, turn, say(turn, content.type === 'text' ? 'invalid.empty' : 'invalid.unsupported'));
    const text = content.text.trim();
    if (text.length > CUSTOMER_INFO_TEXT_MAX) return askWhy(state, answers, turn, say(turn, 'invalid.too_long', { max: CUSTOMER_INFO_TEXT_MAX }));
    const id = `dispute:${answers.number}`;
    const result = resultOf(turn, id, 'disputed');
    if (!result) return { kind: 'need', request: { id, type: 'dispute', claimId: answers.claimId, decisionEventId: answers.decisionEventId, text } };
    // refused meanwhile (disputed from another chat, closed): the claim as it is now says why
    if (result.type === 'refused') return reply(between(state), [info(turn, 'dispute.unavailable', { number: answers.number })]);
    return reply(between(state), [info(turn, 'dispute.recorded', { number: answers.number })]);
  },
  reask(state, turn) {
    const parsed = DisputeAnswers.safeParse(state.answers);
    if (!parsed.success) return reply(between(state), [info(turn, 'flow.updated')]);
    return askWhy(state, parsed.data, turn);
  },
};
