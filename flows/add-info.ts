import { z } from 'zod';
import { Attachment } from '../src/domain/claim.js';
import { CUSTOMER_INFO_FILES_MAX, CUSTOMER_INFO_TEXT_MAX, type Claim } from '../src/domain/lifecycle.js';
import { parseClaimNumber } from '../src/domain/numbering.js';
import { claimTitle, isOpen } from './claim-text.js';
import { between, customerClaims, globalChoiceId, info, message, ownClaim, prepend, reply, resultOf, say, shorten, type Dialog, type StepOutcome, type Turn } from './core.js';
import { isBlank, pickByText } from './form.js';
import { FILE_SIZE_LIMIT_MB } from './intake.js';
import type { ConversationState } from './state.js';
import type { InboundContent, Outbound } from './types.js';

export const ADD_INFO = 'add_info';
const VERSION = 1;
const LIST_MAX = 10;

/** What the customer sends to a claim: text, files, or both. */
const Pending = z.object({ text: z.string().optional(), attachments: z.array(Attachment) });
type Pending = z.infer<typeof Pending>;

const AddInfoAnswers = z.object({
  claimId: z.string().optional(),
  number: z.string().optional(),
  numbers: z.array(z.string()).optional(),
  pending: Pending.optional(),
});
type AddInfoAnswers = z.infer<typeof AddInfoAnswers>;

/** The part of a message that can be added to a claim, or a reason it cannot. */
export function contentToAdd(content: InboundContent): Pending | 'blank' | 'too_long' | 'too_many_files' | 'file_too_large' | 'unsupported' {
  if (content.type === 'text') {
    if (isBlank(content.text)) return 'blank';
    if (content.text.trim().length > CUSTOMER_INFO_TEXT_MAX) return 'too_long';
    return { text: content.text.trim(), attachments: [] };
  }
  if (content.type === 'files') {
    if (content.attachments.length > CUSTOMER_INFO_FILES_MAX) return 'too_many_files';
    const caption = content.caption?.trim();
    if (caption !== undefined && caption.length > CUSTOMER_INFO_TEXT_MAX) return 'too_long';
    return { ...(caption ? { text: caption } : {}), attachments: [...content.attachments] };
  }
  return content.type === 'unsupported' && content.what === 'file_too_large' ? 'file_too_large' : 'unsupported';
}

export function refusalOf(reason: Exclude<ReturnType<typeof contentToAdd>, Pending>, turn: Turn): string {
  switch (reason) {
    case 'blank':
      return say(turn, 'invalid.empty');
    case 'too_long':
      return say(turn, 'invalid.too_long', { max: CUSTOMER_INFO_TEXT_MAX });
    case 'too_many_files':
      return say(turn, 'files.too_many', { max: CUSTOMER_INFO_FILES_MAX });
    case 'file_too_large':
      return say(turn, 'invalid.file_too_large', { max: FILE_SIZE_LIMIT_MB });
    case 'unsupported':
      return say(turn, 'invalid.unsupported');
  }
}

function inFlow(state: ConversationState, stepId: string, answers: AddInfoAnswers): ConversationState {
  return { ...state, flowId: ADD_INFO, flowVersion: VERSION, stepId, answers, trail: [] };
}

function askContent(state: ConversationState, claim: { id: string; number: string }, turn: Turn, lead?: string): StepOutcome {
  const question = say(turn, 'ask.add.content', { number: claim.number });
  return reply(inFlow(state, 'content', { claimId: claim.id, number: claim.number }), [
    message(turn, lead ? `${lead}\n\n${question}` : question, 'text', [{ value: 'done', label: say(turn, 'button.done') }]),
  ]);
}

function closedMessage(claim: Claim, turn: Turn): Outbound {
  return {
    text: say(turn, 'add.closed', { number: claim.number, status: say(turn, `status.${claim.status}`) }),
    expects: 'none',
    choices: [{ id: globalChoiceId('new'), label: say(turn, 'button.new_report') }],
  };
}

/**
 * Adds information to a claim: a specific one (`number`), the only open one, or one the customer
 * picks. `pending` is a message already received that goes to the picked claim.
 */
export function startAddInfo(state: ConversationState, turn: Turn, options: { number?: string; pending?: Pending } = {}): StepOutcome {
  if (options.number !== undefined) {
    const number = parseClaimNumber(options.number);
    const lookup = number ? ownClaim(turn, number) : { found: undefined };
    if ('need' in lookup) return lookup.need;
    if (!lookup.found) return reply(between(state), [{ text: say(turn, 'status.not_found', { number: shorten(options.number, 40) }), expects: 'none' }]);
    if (!isOpen(lookup.found)) return reply(between(state), [closedMessage(lookup.found, turn)]);
    return askContent(between(state), lookup.found, turn);
  }
  const lookup = customerClaims(turn);
  if ('need' in lookup) return lookup.need;
  const open = lookup.found.filter(isOpen).slice(0, LIST_MAX);
  const [only] = open;
  if (!only) return reply(between(state), [{ text: say(turn, 'add.none'), expects: 'none', choices: [{ id: globalChoiceId('new'), label: say(turn, 'button.new_report') }] }]);
  if (open.length === 1 && !options.pending) return askContent(between(state), only, turn);
  const text = [say(turn, options.pending ? 'add.pick_for_message' : 'add.pick'), '', ...open.map((c, i) => `${i + 1}. ${c.number} — ${claimTitle(c, turn)}`)].join('\n');
  const choices = [...open.map((c) => ({ value: `c:${c.number}`, label: c.number })), { value: 'done', label: say(turn, 'button.cancel') }];
  return reply(inFlow(between(state), 'pick', { numbers: open.map((c) => c.number), ...(options.pending ? { pending: options.pending } : {}) }), [
    message(turn, text, 'choice', choices),
  ]);
}

/**
 * Records a message on a claim (one request; idempotent per inbound update). A claim that was
 * waiting for the customer moves back to the staff in the same write.
 */
export function addToClaim(state: ConversationState, turn: Turn, claim: { id: string; number: string; awaiting: boolean }, pending: Pending, then: 'stay' | 'leave'): StepOutcome {
  const result = resultOf(turn, 'info', 'info_added');
  if (!result) {
    return { kind: 'need', request: { id: 'info', type: 'add_info', claimId: claim.id, attachments: pending.attachments, ...(pending.text ? { text: pending.text } : {}) } };
  }
  if (result.type === 'refused') {
    const text = result.code === 'INVALID_TRANSITION' ? say(turn, 'add.no_longer_open', { number: claim.number }) : say(turn, 'status.not_found', { number: claim.number });
    return reply(between(state), [{ text, expects: 'none' }]);
  }
  // a claim that waited for the customer answers with a `customer_replied` event after the information
  const answered = claim.awaiting || result.claim.history.at(-1)?.action === 'customer_replied';
  const lead = say(turn, answered ? 'add.answer_received' : 'add.added', { number: claim.number });
  if (then === 'stay') return askContent(state, claim, turn, lead);
  return reply(state, [{ text: lead, expects: 'none' }]);
}

/** Typed text that tries to pick a claim (a list position or a claim number) rather than say something. */
function isPickAttempt(typed: string | undefined): boolean {
  return typed !== undefined && (/^\d{1,2}$/.test(typed) || parseClaimNumber(typed) !== undefined);
}

/**
 * A message sent while the customer is asked which claim it is for: kept with what is already
 * waiting (never dropped), and the question is asked again. Undefined for content that cannot be
 * added (a sticker, an empty text), which just gets the question again.
 */
function keepForPick(state: ConversationState, pending: Pending | undefined, content: InboundContent, turn: Turn): StepOutcome | undefined {
  const addable = contentToAdd(content);
  if (addable === 'blank' || addable === 'unsupported') return undefined;
  if (typeof addable === 'string') return prepend([{ text: refusalOf(addable, turn), expects: 'none' }], addInfoDialog.reask(state, turn));
  const text = [pending?.text, addable.text].filter((part): part is string => part !== undefined).join('\n');
  const attachments = [...(pending?.attachments ?? []), ...addable.attachments];
  const refusal = text.length > CUSTOMER_INFO_TEXT_MAX ? 'too_long' : attachments.length > CUSTOMER_INFO_FILES_MAX ? 'too_many_files' : undefined;
  if (refusal !== undefined) return prepend([{ text: refusalOf(refusal, turn), expects: 'none' }], addInfoDialog.reask(state, turn));
  return startAddInfo(between(state), turn, { pending: { ...(text !== '' ? { text } : {}), attachments } });
}

/** The add-information dialog: pick a claim (when there are several), then send text or files. */
export const addInfoDialog: Dialog = {
  id: ADD_INFO,
  version: VERSION,
  unfinishedMatters: false,
  cancelled(state, turn) {
    const held = state.stepId === 'pick' && AddInfoAnswers.safeParse(state.answers).data?.pending !== undefined;
    return info(turn, held ? 'add.cancelled' : 'add.finished');
  },
  handle(state, turn) {
    const answers = AddInfoAnswers.parse(state.answers);
    if (turn.choice === 'done') return reply(between(state), [info(turn, state.stepId === 'pick' && answers.pending ? 'add.cancelled' : 'add.finished')]);
    if (state.stepId === 'pick') {
      const content = turn.input.content;
      const typed = content.type === 'text' ? content.text.trim() : undefined;
      const picked = turn.choice?.startsWith('c:') ? turn.choice.slice(2) : typed === undefined ? undefined : pickByText((answers.numbers ?? []).map((n) => ({ value: n, label: n })), typed);
      if (!picked || !(answers.numbers ?? []).includes(picked)) {
        const kept = turn.choice === undefined && !isPickAttempt(typed) ? keepForPick(state, answers.pending, content, turn) : undefined;
        return kept ?? addInfoDialog.reask(state, turn);
      }
      const lookup = ownClaim(turn, picked);
      if ('need' in lookup) return lookup.need;
      const claim = lookup.found;
      if (!claim) return reply(between(state), [{ text: say(turn, 'status.not_found', { number: picked }), expects: 'none' }]);
      if (!isOpen(claim)) return reply(between(state), [closedMessage(claim, turn)]);
      const target = { id: claim.id, number: claim.number, awaiting: claim.status === 'awaiting_customer' };
      if (answers.pending) return addToClaim(inFlow(state, 'content', { claimId: target.id, number: target.number }), turn, target, answers.pending, 'stay');
      return askContent(state, target, turn);
    }
    if (!answers.claimId || !answers.number) return reply(between(state), [info(turn, 'flow.updated')]);
    const content = contentToAdd(turn.input.content);
    if (typeof content === 'string') return askContent(state, { id: answers.claimId, number: answers.number }, turn, refusalOf(content, turn));
    return addToClaim(state, turn, { id: answers.claimId, number: answers.number, awaiting: false }, content, 'stay');
  },
  reask(state, turn) {
    const answers = AddInfoAnswers.safeParse(state.answers);
    if (state.stepId === 'content' && answers.success && answers.data.claimId && answers.data.number) {
      return askContent(state, { id: answers.data.claimId, number: answers.data.number }, turn);
    }
    return startAddInfo(between(state), turn, answers.success && answers.data.pending ? { pending: answers.data.pending } : {});
  },
  filesTarget(state) {
    // while /add runs: files go to the claim picked (or are held until one is)
    const answers = AddInfoAnswers.safeParse(state.answers);
    return `claim:${(answers.success ? answers.data.claimId : undefined) ?? 'to-pick'}`;
  },
};
