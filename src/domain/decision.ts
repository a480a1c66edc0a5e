import { z } from 'zod';
import { Remedy } from './claim.js';
import { AMOUNT_MAX_MINOR, Money } from './money.js';
import type { Locale } from './locale.js';

/**
 * The decision on a claim (DOMAIN.md stage 6): what was decided — accepted, partially accepted or
 * rejected —, the remedy staff chose and the amount where money is involved, or the reason of a
 * rejection; the text the customer receives; who decided. Also the money amounts staff type and
 * the reply templates' placeholders. Pure: no I/O, no i18n.
 */

// the outcomes and the templates' placeholders live in templates.ts, which the desk config reads
export { DECISION_OUTCOMES, DecisionOutcome, TEMPLATE_PLACEHOLDERS, fillTemplate, unknownPlaceholders, type TemplatePlaceholder } from './templates.js';

/** Why a claim was rejected; `spam` and `duplicate` get no satisfaction survey. */
export const REJECTION_REASONS = ['unfounded', 'not_covered', 'not_a_customer', 'duplicate', 'spam', 'other'] as const;
export const RejectionReason = z.enum(REJECTION_REASONS);
export type RejectionReason = z.infer<typeof RejectionReason>;

export { AMOUNT_MAX_MINOR } from './money.js';

/**
 * Money a decision carries: an integer number of hundredths of the currency unit (kopecks, cents)
 * and the ISO 4217 code (the one shape of money, {@link Money}; a claim's amount has it too).
 */
export const DecisionAmount = Money;
export type DecisionAmount = z.infer<typeof DecisionAmount>;

const ResponseText = z.string().trim().min(1, 'expected the text the customer will receive').max(4000);
/** Who decided: the staff member's desk-config id (decisions stored before it was recorded have none). */
const DecidedBy = z.string().min(1).max(128);

/**
 * The decision a resolved claim carries. `accepted` and `partially_accepted` carry the remedy staff
 * chose (not the one the customer asked for) and, optionally, an amount; `rejected` the reason.
 * Decisions stored before partial acceptance and amounts existed are still valid.
 */
export const Decision = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('accepted'), remedy: Remedy, amount: DecisionAmount.optional(), responseText: ResponseText, decidedBy: DecidedBy.optional(), approvedBy: DecidedBy.optional() }).strict(),
  z.object({ outcome: z.literal('partially_accepted'), remedy: Remedy, amount: DecisionAmount.optional(), responseText: ResponseText, decidedBy: DecidedBy.optional(), approvedBy: DecidedBy.optional() }).strict(),
  z
    .object({
      outcome: z.literal('rejected'),
      reason: RejectionReason,
      /** The reasons, in words the customer understands (the sources: a polite, reasoned answer). */
      responseText: ResponseText,
      decidedBy: DecidedBy.optional(),
      /** The head who approved it, when it needed approval (#25; src/domain/decision-workflow.ts). */
      approvedBy: DecidedBy.optional(),
    })
    .strict(),
]);
export type Decision = z.infer<typeof Decision>;

/** Whether a decision grants the customer something (fully or in part). */
export function isAcceptance(decision: Pick<Decision, 'outcome'>): boolean {
  return decision.outcome === 'accepted' || decision.outcome === 'partially_accepted';
}

// ---------------------------------------------------------------- amounts as people type them

/** Currency signs and words people type, by ISO code (the code itself is always understood). */
const CURRENCY_MARKS: Readonly<Record<string, readonly string[]>> = {
  RUB: ['₽', 'руб.', 'руб', 'р.', 'р', 'rub'],
  USD: ['$', 'us$', 'usd'],
  EUR: ['€', 'eur'],
  GBP: ['£', 'gbp'],
  KZT: ['₸', 'тг', 'kzt'],
  BYN: ['br', 'byn'],
};

/** Why a typed amount was not understood. */
export type AmountProblem = 'not_a_number' | 'not_positive' | 'too_large' | 'other_currency';

/** A typed amount read: hundredths, and the currency the text named (if it named one). */
export type ParsedAmount = { readonly ok: true; readonly minor: number; readonly currency?: string } | { readonly ok: false; readonly problem: AmountProblem };

function currencyMark(text: string): { readonly rest: string; readonly currency?: string } {
  const lower = text.toLowerCase();
  const marks = Object.entries(CURRENCY_MARKS)
    .flatMap(([code, words]) => [...words, code.toLowerCase()].map((word) => ({ code, word })))
    .sort((a, b) => b.word.length - a.word.length);
  for (const { code, word } of marks) {
    if (lower.startsWith(word)) return { rest: text.slice(word.length), currency: code };
    if (lower.endsWith(word)) return { rest: text.slice(0, text.length - word.length), currency: code };
  }
  const code = /^([A-Za-z]{3})|([A-Za-z]{3})$/.exec(text);
  if (code) {
    const found = (code[1] ?? code[2] ?? '').toUpperCase();
    return { rest: code[1] ? text.slice(3) : text.slice(0, -3), currency: found };
  }
  return { rest: text };
}

/**
 * Reads an amount as people type it: spaces (also non-breaking and thin) and apostrophes group
 * thousands; `,` or `.` is the decimal separator when one or two digits follow it, a thousands
 * separator when three do (`1,299` = 1299; `1.299,90` = 1299.90); a currency sign or code before or
 * after (`₽`, `руб.`, `$`, `RUB`) is read, and, given `currency`, one naming another currency is
 * refused. Answers hundredths: `1 299,90` → 129990.
 * @example parseAmount('1 299,90 ₽', 'RUB') // { ok: true, minor: 129990, currency: 'RUB' }
 */
export function parseAmount(typed: string, currency?: string): ParsedAmount {
  const trimmed = typed.trim();
  const { rest, currency: named } = currencyMark(trimmed);
  if (named !== undefined && currency !== undefined && named !== currency) return { ok: false, problem: 'other_currency' };
  const digits = rest.replace(/[\s\u00a0\u202f\u2009']/g, '');
  if (digits.startsWith('-')) return { ok: false, problem: 'not_positive' };
  if (!/^\d+([.,]\d+)*$/.test(digits)) return { ok: false, problem: 'not_a_number' };
  const parts = digits.split(/[.,]/);
  const separators = digits.replace(/\d/g, '');
  let whole: string;
  let fraction = '';
  const last = parts.at(-1) ?? '';
  if (parts.length > 1 && last.length <= 2) {
    // the last separator is the decimal one; any before it group thousands, by one other character
    const grouping = separators.slice(0, -1);
    if (grouping.includes(separators.at(-1) ?? '')) return { ok: false, problem: 'not_a_number' };
    if (parts.slice(1, -1).some((group) => group.length !== 3)) return { ok: false, problem: 'not_a_number' };
    whole = parts.slice(0, -1).join('');
    fraction = last;
  } else {
    // every separator groups thousands: one character, groups of three
    if (new Set(separators).size > 1 || parts.slice(1).some((group) => group.length !== 3)) return { ok: false, problem: 'not_a_number' };
    whole = parts.join('');
  }
  if (whole.length > 15) return { ok: false, problem: 'too_large' };
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (minor <= 0) return { ok: false, problem: 'not_positive' };
  if (minor > AMOUNT_MAX_MINOR) return { ok: false, problem: 'too_large' };
  return { ok: true, minor, ...(named !== undefined ? { currency: named } : {}) };
}

const LANGUAGE_TAGS: Readonly<Record<Locale, string>> = { ru: 'ru-RU', en: 'en-GB' };

/**
 * An amount as people read it in a language: whole amounts without decimals.
 * @example formatAmount({ minor: 129990, currency: 'RUB' }, 'ru') // '1 299,90 ₽' (with no-break spaces)
 */
export function formatAmount(amount: DecisionAmount, locale: Locale): string {
  const whole = amount.minor % 100 === 0;
  return new Intl.NumberFormat(LANGUAGE_TAGS[locale], {
    style: 'currency',
    currency: amount.currency,
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: whole ? 0 : 2,
  }).format(amount.minor / 100);
}

/** The longest essence, in characters. */
export const ESSENCE_MAX = 120;

/**
 * The essence of a claim for a reply: the description's first sentence or line, spaces collapsed,
 * cut at a word under {@link ESSENCE_MAX} characters with an ellipsis.
 * @example essenceOf('The kettle leaks. I bought it last week.') // 'The kettle leaks.'
 */
export function essenceOf(description: string): string {
  const first = description.trim().split(/\n|(?<=[.!?…])\s/)[0] ?? '';
  const flat = first.replace(/\s+/g, ' ').trim();
  if (flat.length <= ESSENCE_MAX) return flat;
  const cut = flat.slice(0, ESSENCE_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > ESSENCE_MAX / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}
