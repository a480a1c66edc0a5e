import type { Attachment, ClaimDraftInput } from '../src/domain/claim.js';
import type { SurveyScore } from '../src/domain/survey.js';
import type { DeskConfig } from '../src/domain/desk.js';
import type { DomainErrorCode } from '../src/domain/errors.js';
import type { Claim } from '../src/domain/lifecycle.js';
import type { Locale } from '../src/domain/locale.js';
import { t, type MessageKey, type MessageParams } from '../src/i18n/index.js';
import type { ConversationState } from './state.js';
import type { Choice, Expectation, Inbound, Outbound } from './types.js';

/**
 * Something a step needs the outside world to do or tell before it can answer. The runner
 * carries it out and steps again with the result (the step itself stays pure).
 */
export type Request =
  | { readonly id: string; readonly type: 'customer_claims' }
  | { readonly id: string; readonly type: 'claim_by_number'; readonly number: string }
  | { readonly id: string; readonly type: 'register'; readonly draft: ClaimDraftInput; readonly draftId: string }
  | { readonly id: string; readonly type: 'add_info'; readonly claimId: string; readonly text?: string; readonly attachments: readonly Attachment[] }
  | { readonly id: string; readonly type: 'survey_answer'; readonly number: string; readonly answer: { readonly score: SurveyScore } | { readonly comment: string } }
  | { readonly id: string; readonly type: 'data_request' }
  | { readonly id: string; readonly type: 'dispute'; readonly claimId: string; readonly decisionEventId: string; readonly text: string };

/** What came back for a request. `refused` carries the rule that refused it. */
export type RequestResult =
  | { readonly type: 'claims'; readonly claims: readonly Claim[] }
  | { readonly type: 'claim'; readonly claim: Claim | undefined }
  | { readonly type: 'registered'; readonly claim: Claim }
  | { readonly type: 'info_added'; readonly claim: Claim }
  | { readonly type: 'survey_recorded'; readonly claim: Claim }
  | { readonly type: 'disputed'; readonly claim: Claim }
  | { readonly type: 'refused'; readonly code: DomainErrorCode }
  /** A `/mydata` request registered (its id), or none when the desk takes no such requests here. */
  | { readonly type: 'data_requested'; readonly requestId?: string };

/** The outcome of one step: either a request to carry out first, or the new state and the replies. */
export type StepOutcome =
  | { readonly kind: 'need'; readonly request: Request }
  | {
      readonly kind: 'reply';
      readonly state: ConversationState;
      readonly replies: readonly Outbound[];
      readonly notice?: string;
      /** Delete the conversation once the replies are sent (the customer declined the privacy notice: nothing of the report is kept). */
      readonly forget?: true;
    };

/** What a step may read besides the state and the input. */
export interface Turn {
  readonly desk: DeskConfig;
  readonly now: Date;
  readonly input: Inbound;
  readonly locale: Locale;
  /** This turn's number; step-bound button ids carry it. */
  readonly seq: number;
  /** The value of the button pressed, when the input is a press on a button of the current turn. */
  readonly choice?: string;
  /** Results of requests already carried out in this turn, by request id. */
  readonly results: ReadonlyMap<string, RequestResult>;
}

/** A dialog: a named, versioned set of steps with one entry point. */
export interface Dialog {
  readonly id: string;
  readonly version: number;
  /** Handles the input at the current step. */
  handle(state: ConversationState, turn: Turn): StepOutcome;
  /** Asks the current step's question again (after /help, /language, a stale button…). */
  reask(state: ConversationState, turn: Turn): StepOutcome;
  /**
   * Whether typed input belongs to this dialog. When it does not (a reply typed under the status
   * list), the dialog is left and the input is handled as a message between dialogs.
   */
  takes?(state: ConversationState, turn: Turn): boolean;
  /** What /cancel says in this dialog (default: "Cancelled, nothing was submitted"). */
  cancelled?(state: ConversationState, turn: Turn): Outbound;
  /** Whether leaving this dialog half-way loses something, so idling out deserves a message. */
  readonly unfinishedMatters: boolean;
  /**
   * Where files sent now would go (a key naming the report or the claim), or undefined when this
   * step takes no files. Channels that store files themselves (the web chat) take a file only then.
   */
  filesTarget?(state: ConversationState): string | undefined;
}

/** A button before it gets its id: what it means and what it says. */
export interface ChoiceDef {
  readonly value: string;
  readonly label: string;
}

const MAX_CHOICE_ID_BYTES = 64;

/**
 * The id of a button bound to this turn: `<seq>.<value>`. A press on a button of an earlier turn
 * carries an older seq and is refused as stale.
 */
export function choiceId(seq: number, value: string): string {
  return checkedId(`${seq}.${value}`);
}

/** The id of a button valid at any time (showing a claim, starting a report): `g.<value>`. */
export function globalChoiceId(value: string): string {
  return checkedId(`g.${value}`);
}

function checkedId(id: string): string {
  if (Buffer.byteLength(id, 'utf8') > MAX_CHOICE_ID_BYTES) throw new RangeError(`choice id over ${MAX_CHOICE_ID_BYTES} bytes: ${id}`);
  return id;
}

/** A parsed button id, or undefined for anything the desk never issued. */
export type ParsedChoice = { readonly scope: 'global'; readonly value: string } | { readonly scope: 'turn'; readonly seq: number; readonly value: string };

export function parseChoiceId(id: string): ParsedChoice | undefined {
  const match = /^(g|\d{1,12})\.([\w:.-]{1,60})$/.exec(id);
  if (!match?.[1] || !match[2]) return undefined;
  return match[1] === 'g' ? { scope: 'global', value: match[2] } : { scope: 'turn', seq: Number(match[1]), value: match[2] };
}

/** A message in the turn's language. */
export function say(turn: Pick<Turn, 'locale'>, key: MessageKey, params?: MessageParams): string {
  return t(turn.locale, key, params);
}

/** An outbound message; choices get this turn's ids. */
export function message(turn: Pick<Turn, 'seq'>, text: string, expects: Expectation, choices: readonly ChoiceDef[] = []): Outbound {
  return choices.length > 0
    ? { text, expects, choices: choices.map((c): Choice => ({ id: choiceId(turn.seq, c.value), label: c.label })) }
    : { text, expects };
}

/** A plain text message that expects nothing in particular. */
export function info(turn: Turn, key: MessageKey, params?: MessageParams): Outbound {
  return { text: say(turn, key, params), expects: 'none' };
}

/** A reply outcome. */
export function reply(state: ConversationState, replies: readonly Outbound[], notice?: string): StepOutcome {
  return notice === undefined ? { kind: 'reply', state, replies } : { kind: 'reply', state, replies, notice };
}

/** Puts messages before the replies of an outcome (a request passes through untouched). */
export function prepend(messages: readonly Outbound[], outcome: StepOutcome): StepOutcome {
  if (outcome.kind === 'need' || messages.length === 0) return outcome;
  return { ...outcome, replies: [...messages, ...outcome.replies] };
}

/** Sets a notice on a reply outcome. */
export function withNotice(notice: string, outcome: StepOutcome): StepOutcome {
  return outcome.kind === 'need' ? outcome : { ...outcome, notice };
}

/** The state between dialogs: the language and the turn counter survive. */
export function between(state: ConversationState): ConversationState {
  return { ...state, flowId: null, flowVersion: 0, stepId: null, answers: {}, trail: [] };
}

/** The result of a request made earlier in this turn, if it has been carried out. */
export function resultOf<T extends RequestResult['type']>(turn: Turn, id: string, type: T): Extract<RequestResult, { type: T }> | Extract<RequestResult, { type: 'refused' }> | undefined {
  const result = turn.results.get(id);
  if (!result) return undefined;
  if (result.type === type || result.type === 'refused') return result as Extract<RequestResult, { type: T }> | Extract<RequestResult, { type: 'refused' }>;
  throw new Error(`request ${id} returned ${result.type}, expected ${type}`);
}

/** A lookup of the customer's claims: what it found, or the request the step must make first. */
export type Lookup<T> = { readonly found: T } | { readonly need: StepOutcome };

/**
 * The customer's claims, newest first (the runner reads a bounded number). One request id for
 * every dialog, so a turn that routes a message and then starts a report reads them once.
 */
export function customerClaims(turn: Turn): Lookup<readonly Claim[]> {
  const result = resultOf(turn, 'claims', 'claims');
  if (!result) return { need: { kind: 'need', request: { id: 'claims', type: 'customer_claims' } } };
  return { found: result.type === 'claims' ? result.claims : [] };
}

/** One of the customer's own claims by its canonical number; someone else's is not found. */
export function ownClaim(turn: Turn, number: string): Lookup<Claim | undefined> {
  const id = `claim:${number}`;
  const result = resultOf(turn, id, 'claim');
  if (!result) return { need: { kind: 'need', request: { id, type: 'claim_by_number', number } } };
  return { found: result.type === 'claim' ? result.claim : undefined };
}

/** Shortens a text for a list line or a button, on a word boundary where possible. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
