import { z } from 'zod';
import { parseClaimNumber } from '../src/domain/numbering.js';
import { isSurveyScore } from '../src/domain/survey.js';
import { between, globalChoiceId, message, reply, resultOf, say, type Dialog, type StepOutcome, type Turn } from './core.js';
import { isBlank } from './form.js';
import type { ConversationState } from './state.js';
import type { Choice } from './types.js';

export const SURVEY = 'survey';
const VERSION = 1;

const SurveyAnswers = z.object({ number: z.string() });

/** The survey's score buttons (1–5) for a claim: global choices, so they work whatever dialog runs. */
export function surveyChoices(number: string): Choice[] {
  return [1, 2, 3, 4, 5].map((score) => ({ id: globalChoiceId(`r:${number}:${String(score)}`), label: String(score) }));
}

/** A score button pressed: record it, then ask for an optional comment. */
export function answerScore(state: ConversationState, arg: string, turn: Turn): StepOutcome {
  const match = /^(.+):([1-5])$/.exec(arg);
  const score = Number(match?.[2]);
  const number = match?.[1] === undefined ? undefined : parseClaimNumber(match[1]);
  if (!number || !isSurveyScore(score)) return reply(state, [{ text: say(turn, 'survey.unavailable'), expects: 'none' }]);
  const id = `survey:${number}:${String(score)}`;
  const result = resultOf(turn, id, 'survey_recorded');
  if (!result) return { kind: 'need', request: { id, type: 'survey_answer', number, answer: { score } } };
  if (result.type === 'refused') return reply(between(state), [{ text: say(turn, 'survey.unavailable'), expects: 'none' }]);
  return reply({ ...between(state), flowId: SURVEY, flowVersion: VERSION, stepId: 'comment', answers: { number } }, [
    message(turn, say(turn, 'survey.ask_comment'), 'text', [{ value: 'skip', label: say(turn, 'button.skip') }]),
  ]);
}

function thanks(state: ConversationState, turn: Turn): StepOutcome {
  return reply(between(state), [{ text: say(turn, 'survey.thanks'), expects: 'none' }]);
}

/** The survey dialog: after a score, an optional comment (typed, or "Skip"). */
export const surveyDialog: Dialog = {
  id: SURVEY,
  version: VERSION,
  unfinishedMatters: false,
  // only typed text is a comment; a command or a button elsewhere leaves the survey
  takes(_state, turn) {
    return turn.input.content.type === 'text';
  },
  handle(state, turn) {
    const parsed = SurveyAnswers.safeParse(state.answers);
    if (!parsed.success || turn.choice === 'skip') return thanks(state, turn);
    const content = turn.input.content;
    if (content.type !== 'text' || isBlank(content.text)) return surveyDialog.reask(state, turn);
    const id = `survey-comment:${parsed.data.number}`;
    const result = resultOf(turn, id, 'survey_recorded');
    if (!result) return { kind: 'need', request: { id, type: 'survey_answer', number: parsed.data.number, answer: { comment: content.text } } };
    if (result.type === 'refused') return reply(between(state), [{ text: say(turn, 'survey.unavailable'), expects: 'none' }]);
    return thanks(state, turn);
  },
  reask(state, turn) {
    return reply(state, [message(turn, say(turn, 'survey.ask_comment'), 'text', [{ value: 'skip', label: say(turn, 'button.skip') }])]);
  },
  cancelled(_state, turn) {
    return { text: say(turn, 'survey.thanks'), expects: 'none' };
  },
};
