import { safeFileName } from '../src/domain/claim.js';
import type { DeskConfig } from '../src/domain/desk.js';
import { cleanLine, cleanText } from '../src/domain/text.js';
import { Locale, pickLocale } from '../src/domain/locale.js';
import { addInfoDialog, addToClaim, ADD_INFO, contentToAdd, refusalOf, startAddInfo } from './add-info.js';
import { between, customerClaims, globalChoiceId, info, parseChoiceId, prepend, reply, say, withNotice, type Dialog, type RequestResult, type StepOutcome, type Turn } from './core.js';
import { isBlank } from './form.js';
import { INTAKE, intakeBack, intakeDialog, startIntake, usableAsDescription } from './intake.js';
import type { ConversationState } from './state.js';
import { showClaim, startStatus, STATUS, statusDialog } from './status.js';
import { answerScore, SURVEY, surveyDialog } from './survey.js';
import { requestData } from './data-request.js';
import { DISPUTE, disputeDialog, startDispute } from './dispute.js';
import type { Inbound, Outbound } from './types.js';

/** Every dialog, by id. */
export const DIALOGS: Readonly<Record<string, Dialog>> = {
  [INTAKE]: intakeDialog,
  [STATUS]: statusDialog,
  [ADD_INFO]: addInfoDialog,
  [SURVEY]: surveyDialog,
  [DISPUTE]: disputeDialog,
};

/** What the engine reads besides the state and the input. */
export interface StepEnv {
  readonly desk: DeskConfig;
  readonly now: Date;
  /** Results of the requests already carried out for this input, by request id. */
  readonly results: ReadonlyMap<string, RequestResult>;
}

/** The commands every channel understands. */
export const COMMANDS = ['start', 'new', 'status', 'add', 'cancel', 'help', 'language', 'back', 'mydata'] as const;
type Command = (typeof COMMANDS)[number];

/** A command typed as text: `/status 2026-000123`, `/help@claimdesk_bot`. Undefined for plain text. */
export function parseCommand(text: string): { readonly name: Command | 'unknown'; readonly args: string } | undefined {
  const match = /^\s*\/([a-z_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text);
  if (!match?.[1]) return undefined;
  const name = match[1].toLowerCase();
  const known = (COMMANDS as readonly string[]).includes(name) ? (name as Command) : 'unknown';
  return { name: known, args: (match[2] ?? '').trim() };
}

/**
 * Where files the customer sends now would go (`report:<draft>` at the report's files step,
 * `claim:<id>` while /add runs), or undefined when no dialog step takes files.
 * @example filesTarget(state) // 'report:web:v1:abc' at the files step, undefined between dialogs
 */
export function filesTarget(state: ConversationState | undefined, desk: DeskConfig, now: Date): string | undefined {
  if (!state || state.flowId === null || isIdle(state, desk, now)) return undefined;
  const dialog = DIALOGS[state.flowId];
  return dialog && dialog.version === state.flowVersion ? dialog.filesTarget?.(state) : undefined;
}

/** Whether a dialog has been left idle longer than the desk allows (closed at the next message). */
export function isIdle(state: ConversationState, desk: DeskConfig, now: Date): boolean {
  return state.flowId !== null && now.getTime() - state.lastActivityAt.getTime() > desk.conversation.idleMinutes * 60_000;
}

/**
 * The conversation engine: one pure step from a state and an input to the next state and the
 * replies. When it needs the outside world (the customer's claims, registering a claim) it
 * returns a request; the runner carries it out and steps again with the result.
 * @example
 * const outcome = step(undefined, { updateId: 'tg:1', from, content: { type: 'text', text: '/start' } }, { desk, now, results: new Map() });
 * // outcome.kind === 'need' (the customer's claims, to offer their last contact details)
 */
export function step(stored: ConversationState | undefined, raw: Inbound, env: StepEnv): StepOutcome {
  const input = normaliseInbound(raw);
  const locale = stored?.locale ?? pickLocale(input.from.languageCode, env.desk.desk.defaultLocale);
  const previousSeq = stored?.prompt ?? 0;
  const turn: Turn = { desk: env.desk, now: env.now, input, locale, seq: previousSeq + 1, results: env.results };
  let state: ConversationState = stored ?? { flowId: null, flowVersion: 0, stepId: null, answers: {}, lastActivityAt: env.now, trail: [] };
  state = { ...state, locale };

  // only a dialog that would lose something (an unfinished report) is worth a message when it idles out
  const idleClosing = (): Outbound[] => (state.flowId !== null && DIALOGS[state.flowId]?.unfinishedMatters ? [info(turn, 'idle.closed', { minutes: env.desk.conversation.idleMinutes })] : []);
  if (input.content.type === 'idle_timeout') {
    if (!isIdle(state, env.desk, env.now)) return reply(state, []);
    return finish(reply(between(state), idleClosing()), turn, state.lastActivityAt);
  }

  const lead: Outbound[] = [];
  if (isIdle(state, env.desk, env.now)) {
    lead.push(...idleClosing());
    state = between(state);
  }
  const dialog = state.flowId === null ? undefined : DIALOGS[state.flowId];
  if (state.flowId !== null && (!dialog || dialog.version !== state.flowVersion)) {
    lead.push(info(turn, 'flow.updated'));
    state = between(state);
  }
  return finish(prepend(lead, dispatch(state, turn, previousSeq)), turn, env.now);
}

/**
 * Customer input as the dialogs take it, whatever the channel: control characters (but tabs and
 * line breaks) and bidi overrides removed from texts, captions, names and file names — the one
 * place they are removed, so nothing a program slipped in reaches a claim, staff or a CSV export.
 * @example normaliseInbound({ …, content: { type: 'text', text: 'Anna\u0000\u202e' } }).content // { type: 'text', text: 'Anna' }
 */
export function normaliseInbound(input: Inbound): Inbound {
  const { from, content } = input;
  const sender = from.displayName === undefined ? from : { ...from, displayName: cleanLine(from.displayName) };
  switch (content.type) {
    case 'text':
      return { ...input, from: sender, content: { ...content, text: cleanText(content.text) } };
    case 'contact':
      return { ...input, from: sender, content: { ...content, phone: cleanLine(content.phone), ...(content.name !== undefined ? { name: cleanLine(content.name) } : {}) } };
    case 'files': {
      const attachments = content.attachments.map((file) => {
        if (file.fileName === undefined) return file;
        const { fileName, ...rest } = file;
        const safe = safeFileName(fileName);
        return safe === undefined ? rest : { ...rest, fileName: safe };
      });
      return { ...input, from: sender, content: { ...content, attachments, ...(content.caption !== undefined ? { caption: cleanText(content.caption) } : {}) } };
    }
    default:
      return { ...input, from: sender };
  }
}

/** Stamps the turn on the new state: its number (for button ids), language and time. */
function finish(outcome: StepOutcome, turn: Turn, activityAt: Date): StepOutcome {
  if (outcome.kind === 'need') return outcome;
  return { ...outcome, state: { ...outcome.state, prompt: turn.seq, locale: outcome.state.locale ?? turn.locale, lastActivityAt: activityAt } };
}

function dispatch(state: ConversationState, turn: Turn, previousSeq: number): StepOutcome {
  const content = turn.input.content;
  if (content.type === 'text') {
    const command = parseCommand(content.text);
    if (command) return runCommand(state, command.name, command.args, turn);
  }
  if (content.type === 'choice') {
    const parsed = parseChoiceId(content.choiceId);
    if (!parsed) return stale(state, turn);
    if (parsed.scope === 'global') return runGlobal(state, parsed.value, turn);
    if (parsed.seq !== previousSeq || state.flowId === null) return stale(state, turn);
    return dialogOf(state).handle(state, { ...turn, choice: parsed.value });
  }
  if (state.flowId !== null) {
    const dialog = dialogOf(state);
    if (!dialog.takes || dialog.takes(state, turn)) return dialog.handle(state, turn);
    return firstMessage(between(state), turn);
  }
  return firstMessage(state, turn);
}

function dialogOf(state: ConversationState): Dialog {
  const dialog = state.flowId === null ? undefined : DIALOGS[state.flowId];
  if (!dialog) throw new Error(`no dialog "${state.flowId ?? ''}"`);
  return dialog;
}

/** Asks the current question again, after an explanation. Between dialogs only the explanation is sent. */
function reaskAfter(state: ConversationState, turn: Turn, explanation: Outbound): StepOutcome {
  if (state.flowId === null) return reply(state, [explanation]);
  return prepend([explanation], dialogOf(state).reask(state, turn));
}

function stale(state: ConversationState, turn: Turn): StepOutcome {
  const notice = say(turn, 'notice.stale');
  if (state.flowId === null) return reply(state, [hints(turn, 'notice.stale_idle')], notice);
  return withNotice(notice, reaskAfter(state, turn, info(turn, 'notice.stale')));
}

/** A message with the two ways forward: report a problem, see my claims. */
function hints(turn: Turn, key: 'notice.stale_idle' | 'command.unknown' | 'help'): Outbound {
  return {
    text: say(turn, key),
    expects: 'none',
    choices: [
      { id: globalChoiceId('new'), label: say(turn, 'button.new_report') },
      { id: globalChoiceId('list'), label: say(turn, 'button.all_claims') },
    ],
  };
}

/** A report in progress is never dropped by a command that starts something else. */
function busy(state: ConversationState, turn: Turn): StepOutcome {
  return reaskAfter(state, turn, info(turn, 'command.busy'));
}

function runCommand(state: ConversationState, name: Command | 'unknown', args: string, turn: Turn): StepOutcome {
  const inIntake = state.flowId === INTAKE;
  switch (name) {
    case 'start':
    case 'new':
      return inIntake ? busy(state, turn) : startIntake(between(state), turn);
    case 'status':
      if (inIntake) return busy(state, turn);
      return args === '' ? startStatus(between(state), turn) : showClaim(between(state), args, turn);
    case 'add':
      if (inIntake) return busy(state, turn);
      return startAddInfo(between(state), turn, args === '' ? {} : { number: args });
    case 'cancel': {
      if (state.flowId === null) return reply(state, [info(turn, 'cancel.nothing')]);
      const dialog = dialogOf(state);
      return reply(between(state), [dialog.cancelled ? dialog.cancelled(state, turn) : info(turn, 'cancel.done')]);
    }
    case 'help':
      return reaskAfter(state, turn, hints(turn, 'help'));
    case 'language':
      return switchLanguage(state, args, turn);
    case 'mydata':
      return inIntake ? busy(state, turn) : requestData(between(state), turn);
    case 'back':
      if (inIntake) return intakeBack(state, turn);
      return reaskAfter(state, turn, info(turn, 'command.no_back'));
    case 'unknown':
      return reaskAfter(state, turn, state.flowId === null ? hints(turn, 'command.unknown') : info(turn, 'command.unknown'));
  }
}

/** The actions a global button can start; anything else was never issued by the desk. */
const GLOBAL_ACTIONS: readonly { readonly pattern: RegExp; readonly run: (state: ConversationState, arg: string, turn: Turn) => StepOutcome }[] = [
  { pattern: /^new$/, run: (state, _arg, turn) => startIntake(state, turn) },
  { pattern: /^list$/, run: (state, _arg, turn) => startStatus(state, turn) },
  { pattern: /^s:(.+)$/, run: (state, arg, turn) => showClaim(state, arg, turn) },
  { pattern: /^a:(.+)$/, run: (state, arg, turn) => startAddInfo(state, turn, { number: arg }) },
  { pattern: /^r:(.+)$/, run: (state, arg, turn) => answerScore(state, arg, turn) },
  { pattern: /^d:(.+)$/, run: (state, arg, turn) => startDispute(state, arg, turn) },
];

function runGlobal(state: ConversationState, value: string, turn: Turn): StepOutcome {
  const language = /^lang:(ru|en)$/.exec(value)?.[1];
  if (language) return switchLanguage(state, language, turn);
  for (const action of GLOBAL_ACTIONS) {
    const match = action.pattern.exec(value);
    if (!match) continue;
    if (state.flowId === INTAKE) return busy(state, turn);
    return action.run(between(state), match[1] ?? '', turn);
  }
  return stale(state, turn);
}

/** `/language en` switches at once; `/language` offers the choice. The dialog goes on in the new language. */
function switchLanguage(state: ConversationState, args: string, turn: Turn): StepOutcome {
  const wanted = Locale.safeParse(args.trim().toLowerCase());
  if (!wanted.success) {
    return reply(state, [
      {
        text: say(turn, 'language.choose'),
        expects: 'choice',
        choices: [
          { id: globalChoiceId('lang:ru'), label: 'Русский' },
          { id: globalChoiceId('lang:en'), label: 'English' },
        ],
      },
    ]);
  }
  const switched: ConversationState = { ...state, locale: wanted.data };
  const inNewLanguage: Turn = { ...turn, locale: wanted.data };
  return reaskAfter(switched, inNewLanguage, info(inNewLanguage, 'language.switched'));
}

/**
 * A message between dialogs. If staff asked this customer for information, it answers that
 * claim; otherwise it starts a report, keeping what was sent (text is offered as the
 * description, files are attached).
 */
function firstMessage(state: ConversationState, turn: Turn): StepOutcome {
  const lookup = customerClaims(turn);
  if ('need' in lookup) return lookup.need;
  const awaiting = lookup.found.filter((c) => c.status === 'awaiting_customer');
  const content = turn.input.content;
  const [only] = awaiting;
  if (only) {
    const addable = contentToAdd(content);
    if (typeof addable === 'string') return reply(state, [{ text: refusalOf(addable, turn), expects: 'none' }]);
    if (awaiting.length > 1) return startAddInfo(state, turn, { pending: addable });
    return addToClaim(state, turn, { id: only.id, number: only.number, awaiting: true }, addable, 'leave');
  }
  if (content.type === 'text' && !isBlank(content.text)) {
    const text = content.text.trim();
    return startIntake(state, turn, usableAsDescription(text) ? { firstMessage: text } : {});
  }
  if (content.type === 'files') {
    const caption = content.caption?.trim();
    const usable = caption !== undefined && usableAsDescription(caption);
    return startIntake(state, turn, { files: content.attachments, ...(usable ? { firstMessage: caption } : {}) });
  }
  return startIntake(state, turn);
}
