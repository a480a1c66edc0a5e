import { z } from 'zod';
import type { MessageKey, MessageParams } from '../src/i18n/index.js';
import { message, say, type ChoiceDef, type Turn } from './core.js';
import type { Outbound } from './types.js';

/** The answers a dialog collected, by field id. Stored as is in the conversation document. */
export type Answers = Readonly<Record<string, unknown>>;

/**
 * One step of a form: what it asks, which input it accepts and how it validates and normalises
 * it, when it is skipped, and how its answer is stored. The next step is always the first step
 * that is not answered yet (slot filling), so editing or going back needs no extra wiring.
 */
export interface FormStep {
  readonly id: string;
  /** The question (an i18n key; by convention `ask.<dialog>.<step>`). */
  readonly ask: MessageKey;
  /** The question's text when it is not (only) a catalogue text (the desk's own consent notice); `ask` otherwise. */
  readonly question?: (answers: Answers, turn: Turn) => string;
  readonly askParams?: (answers: Answers, turn: Turn) => MessageParams;
  /** What the step expects; `choice` steps also accept the number or the label typed as text. */
  readonly input: 'text' | 'choice' | 'contact' | 'files';
  readonly choices?: (answers: Answers, turn: Turn) => readonly ChoiceDef[];
  /** Buttons offered beside typed text (suggestions such as a name given last time). */
  readonly suggestions?: (answers: Answers, turn: Turn) => readonly ChoiceDef[];
  /** An optional step offers "Skip"; skipping stores null. A function when it depends on the answers (the category's settings). */
  readonly optional?: boolean | ((answers: Answers, turn: Turn) => boolean);
  /**
   * Validates and normalises typed text. Issue messages are i18n keys (`invalid.<…>`), shown
   * with `limits` as their parameters.
   */
  readonly text?: z.ZodType<unknown, string>;
  readonly limits?: MessageParams;
  /** Reads typed text where the reading depends on the turn (the desk's currency, today's date); used instead of `text`. */
  readonly parse?: (text: string, answers: Answers, turn: Turn) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly refusal: Refusal };
  /** Asked only when this holds. */
  readonly when?: (answers: Answers, turn: Turn) => boolean;
  /** Answers the step without asking when it can (e.g. the only category there is). */
  readonly auto?: (answers: Answers, turn: Turn) => Answers | undefined;
  readonly answered?: (answers: Answers) => boolean;
  /** Stores an accepted value; by default `answers[id] = value`. */
  readonly store?: (answers: Answers, value: unknown, turn: Turn) => Answers;
  /** Stores a pressed choice or suggestion, when that differs from storing typed text. */
  readonly pick?: (answers: Answers, value: string, turn: Turn) => Answers;
  /** Forgets the answer (for "back" and "edit"); by default removes `answers[id]`. */
  readonly clear?: (answers: Answers) => Answers;
}

/** Whether a step has its answer. */
export function isAnswered(step: FormStep, answers: Answers): boolean {
  return step.answered ? step.answered(answers) : answers[step.id] !== undefined;
}

/** Whether a step may be skipped (it offers "Skip") with these answers. */
export function isOptional(step: FormStep, answers: Answers, turn: Turn): boolean {
  return typeof step.optional === 'function' ? step.optional(answers, turn) : step.optional === true;
}

/** Forgets a step's answer. */
export function clearStep(step: FormStep, answers: Answers): Answers {
  if (step.clear) return step.clear(answers);
  const { [step.id]: _removed, ...rest } = answers;
  return rest;
}

/**
 * The first step still to ask, after filling in what can be answered without asking.
 * Returns no step when the form is complete.
 */
export function nextStep(steps: readonly FormStep[], start: Answers, turn: Turn): { readonly step?: FormStep; readonly answers: Answers } {
  let answers = start;
  for (const step of steps) {
    if (step.when && !step.when(answers, turn)) continue;
    if (isAnswered(step, answers)) continue;
    const filled = step.auto?.(answers, turn);
    if (filled) {
      answers = filled;
      continue;
    }
    return { step, answers };
  }
  return { answers };
}

/** The question of a step, with its buttons (choices, suggestions, skip, back). */
export function askStep(step: FormStep, answers: Answers, turn: Turn, options: { readonly back: boolean; readonly lead?: string }): Outbound {
  const choices: ChoiceDef[] = [...(step.choices?.(answers, turn) ?? []), ...(step.suggestions?.(answers, turn) ?? [])];
  if (isOptional(step, answers, turn)) choices.push({ value: 'skip', label: say(turn, 'button.skip') });
  if (options.back) choices.push({ value: 'back', label: say(turn, 'button.back') });
  const question = step.question ? step.question(answers, turn) : say(turn, step.ask, step.askParams?.(answers, turn));
  const text = options.lead ? `${options.lead}\n\n${question}` : question;
  const asked = message(turn, text, step.input, choices);
  return step.input === 'contact' ? { ...asked, shareContact: { label: say(turn, 'button.share_phone'), hint: say(turn, 'hint.share_phone') } } : asked;
}

/** Why an answer was refused: an i18n key and its parameters. */
export interface Refusal {
  readonly key: MessageKey;
  readonly params?: MessageParams;
}

export type Accepted = { readonly ok: true; readonly answers: Answers } | { readonly ok: false; readonly refusal: Refusal };

/** Text that is nothing but spaces (or invisible characters) counts as empty. */
export function isBlank(text: string): boolean {
  return text.replace(/[\s\u200b-\u200f\u2060\ufeff]/g, '') === '';
}

/**
 * Accepts typed text for a step: a choice by its number or label, or free text through the
 * step's schema. Anything refused leaves the answers untouched.
 */
export function acceptText(step: FormStep, answers: Answers, text: string, turn: Turn): Accepted {
  if (isBlank(text)) return { ok: false, refusal: { key: 'invalid.empty' } };
  const typed = text.trim();
  const choices = step.choices?.(answers, turn) ?? [];
  if (step.input === 'choice') {
    const picked = pickByText(choices, typed);
    if (picked === undefined) return { ok: false, refusal: { key: 'invalid.choice' } };
    return { ok: true, answers: storeValue(step, answers, picked, turn) };
  }
  if (step.parse) {
    const read = step.parse(typed, answers, turn);
    return read.ok ? { ok: true, answers: storeValue(step, answers, read.value, turn) } : read;
  }
  if (!step.text) return { ok: false, refusal: { key: 'invalid.choice' } };
  const parsed = step.text.safeParse(text);
  if (!parsed.success) {
    const key = (parsed.error.issues[0]?.message ?? 'invalid.text') as MessageKey;
    return { ok: false, refusal: { key, ...(step.limits ? { params: step.limits } : {}) } };
  }
  return { ok: true, answers: storeValue(step, answers, parsed.data, turn) };
}

/** Accepts a pressed button of this step (its value, already checked to be of this turn). */
export function acceptChoice(step: FormStep, answers: Answers, value: string, turn: Turn): Accepted {
  const offered = [...(step.choices?.(answers, turn) ?? []), ...(step.suggestions?.(answers, turn) ?? [])];
  if (!offered.some((c) => c.value === value)) return { ok: false, refusal: { key: 'invalid.stale_button' } };
  return { ok: true, answers: step.pick ? step.pick(answers, value, turn) : storeValue(step, answers, value, turn) };
}

export function storeValue(step: FormStep, answers: Answers, value: unknown, turn: Turn): Answers {
  return step.store ? step.store(answers, value, turn) : { ...answers, [step.id]: value };
}

/** A choice typed as text: its number in the list ("2") or its label, ignoring case. */
export function pickByText(choices: readonly ChoiceDef[], typed: string): string | undefined {
  if (/^\d{1,2}$/.test(typed)) return choices[Number(typed) - 1]?.value;
  const wanted = typed.toLocaleLowerCase();
  return choices.find((c) => c.label.toLocaleLowerCase() === wanted)?.value;
}

/** A schema issue whose message is an i18n key. */
export function issue(key: MessageKey): string {
  return key;
}
