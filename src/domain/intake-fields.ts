import { parseAmount, type AmountProblem } from './decision.js';
import type { Category, FieldRequirement } from './desk.js';
import type { Money } from './money.js';
import { dateTimeFormat } from './date-format.js';

/**
 * The extra fields a category asks at intake (#25): the amount paid or claimed and the purchase
 * date, as people type them in Russian and English, and what the category requires. Pure: the
 * dialog (flows/intake.ts) asks, these read and explain what they cannot read.
 */

/** The extra fields a category may ask, in the order they are asked. */
export const CATEGORY_FIELDS = ['amount', 'purchaseDate'] as const;
export type CategoryField = (typeof CATEGORY_FIELDS)[number];

/** Whether a category asks a field, and whether the customer may skip it; undefined when it does not ask. */
export function fieldRequirement(category: Pick<Category, 'fields'> | undefined, field: CategoryField): FieldRequirement | undefined {
  return category?.fields?.[field];
}

/** A typed amount read in the desk's currency, or why not. */
export type ClaimAmountResult = { readonly ok: true; readonly amount: Money } | { readonly ok: false; readonly problem: AmountProblem };

/**
 * Reads the amount a customer typed, in the desk's currency: `1 299,90`, `1299.90 ₽`, `$12` on a
 * USD desk (the decision's reader, src/domain/decision.ts). A sign or code of another currency
 * than the desk's is refused (`other_currency`), as are zero, negative and unreadable amounts.
 * @example parseClaimAmount('1 299,90 ₽', 'RUB') // { ok: true, amount: { minor: 129990, currency: 'RUB' } }
 */
export function parseClaimAmount(typed: string, currency: string): ClaimAmountResult {
  // words without a digit are no amount, whatever three letters they end in ("about a thousand")
  if (!/\d/.test(typed)) return { ok: false, problem: 'not_a_number' };
  const parsed = parseAmount(typed, currency);
  if (!parsed.ok) return parsed;
  return { ok: true, amount: { minor: parsed.minor, currency } };
}

/** Why a typed date was not understood: no date at all, a day that does not exist, a day still to come, or one too long ago. */
export type DateProblem = 'not_a_date' | 'no_such_day' | 'in_future' | 'too_old';

/** A typed date read as YYYY-MM-DD, or why not. */
export type PurchaseDateResult = { readonly ok: true; readonly date: string } | { readonly ok: false; readonly problem: DateProblem };

/** How far back a purchase date may go, in years. */
export const PURCHASE_DATE_MAX_YEARS = 50;

const MONTHS: readonly (readonly string[])[] = [
  ['январь', 'января', 'янв', 'january', 'jan'],
  ['февраль', 'февраля', 'фев', 'february', 'feb'],
  ['март', 'марта', 'мар', 'march', 'mar'],
  ['апрель', 'апреля', 'апр', 'april', 'apr'],
  ['май', 'мая', 'may'],
  ['июнь', 'июня', 'июн', 'june', 'jun'],
  ['июль', 'июля', 'июл', 'july', 'jul'],
  ['август', 'августа', 'авг', 'august', 'aug'],
  ['сентябрь', 'сентября', 'сент', 'сен', 'september', 'sept', 'sep'],
  ['октябрь', 'октября', 'окт', 'october', 'oct'],
  ['ноябрь', 'ноября', 'нояб', 'ноя', 'november', 'nov'],
  ['декабрь', 'декабря', 'дек', 'december', 'dec'],
];

/** Days back from today, by the words people type. */
const RELATIVE_DAYS: Readonly<Record<string, number>> = {
  today: 0,
  сегодня: 0,
  yesterday: 1,
  вчера: 1,
  'the day before yesterday': 2,
  'day before yesterday': 2,
  позавчера: 2,
};

function monthOf(word: string): number | undefined {
  const clean = word.toLowerCase().replace(/\.$/, '');
  const index = MONTHS.findIndex((names) => names.includes(clean));
  return index < 0 ? undefined : index + 1;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * A calendar day moved by a number of days (YYYY-MM-DD in, YYYY-MM-DD out).
 * @example shiftDay('2026-03-01', -1) // '2026-02-28'
 */
export function shiftDay(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const moved = new Date(Date.UTC(year, month - 1, date + days));
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}`;
}

function validDay(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day > last ? undefined : `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** A two-digit year as the nearest past century reads it (`26` → 2026 in 2026, `99` → 1999). */
function fullYear(typed: string, today: string): number {
  const year = Number(typed);
  if (typed.length !== 2) return year;
  const century = Math.floor(Number(today.slice(0, 4)) / 100) * 100;
  return century + year > Number(today.slice(0, 4)) ? century - 100 + year : century + year;
}

/** The day read from the text, not yet checked against today: `undefined` when the text is no date. */
function readDay(text: string, today: string): { readonly day: string } | { readonly problem: 'not_a_date' | 'no_such_day' } {
  const numeric = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$/.exec(text);
  if (numeric) {
    const day = validDay(fullYear(numeric[3] ?? '', today), Number(numeric[2]), Number(numeric[1]));
    return day ? { day } : { problem: 'no_such_day' };
  }
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) {
    const day = validDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return day ? { day } : { problem: 'no_such_day' };
  }
  // "12 ноября", "12 ноября 2026 г.", "12 Nov 2026", "November 12, 2026"
  const words = /^(?:(\d{1,2})\s+([\p{L}.]+)|([\p{L}.]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?)(?:\s+(\d{4}))?(?:\s*(?:г\.?|года?))?$/u.exec(text);
  if (words) {
    const dayOfMonth = Number(words[1] ?? words[4]);
    const month = monthOf(words[2] ?? words[3] ?? '');
    if (month === undefined) return { problem: 'not_a_date' };
    if (words[5] !== undefined) {
      const day = validDay(Number(words[5]), month, dayOfMonth);
      return day ? { day } : { problem: 'no_such_day' };
    }
    // no year: the latest such day that is not after today
    const thisYear = Number(today.slice(0, 4));
    const candidate = validDay(thisYear, month, dayOfMonth) ?? validDay(thisYear - 1, month, dayOfMonth);
    if (!candidate) return { problem: 'no_such_day' };
    if (candidate <= today) return { day: candidate };
    const lastYear = validDay(thisYear - 1, month, dayOfMonth);
    return lastYear ? { day: lastYear } : { problem: 'no_such_day' };
  }
  return { problem: 'not_a_date' };
}

/**
 * Reads a purchase date as people type it in Russian or English: `12.11.2026`, `12.11.26`,
 * `2026-11-12`, `12 ноября`, `12 ноября 2026 г.`, `Nov 12, 2026`, `today`/`сегодня`,
 * `yesterday`/`вчера`, `позавчера`. `today` is the desk's calendar day (YYYY-MM-DD). A day without a
 * year is the latest such day up to today. A day after today is refused, as is one more than
 * {@link PURCHASE_DATE_MAX_YEARS} years back.
 * @example parsePurchaseDate('12 ноября', '2026-12-03') // { ok: true, date: '2026-11-12' }
 */
export function parsePurchaseDate(typed: string, today: string): PurchaseDateResult {
  const text = typed.trim().toLowerCase().replace(/\s+/g, ' ');
  const back = RELATIVE_DAYS[text];
  if (back !== undefined) return { ok: true, date: shiftDay(today, -back) };
  const read = readDay(text, today);
  if ('problem' in read) return { ok: false, problem: read.problem };
  if (read.day > today) return { ok: false, problem: 'in_future' };
  const earliest = `${pad(Number(today.slice(0, 4)) - PURCHASE_DATE_MAX_YEARS, 4)}${today.slice(4)}`;
  if (read.day < earliest) return { ok: false, problem: 'too_old' };
  return { ok: true, date: read.day };
}

const DAY_TAGS = { ru: 'ru-RU', en: 'en-GB' } as const;

/**
 * A calendar day (YYYY-MM-DD) as people read it in a language: `12.11.2026`, `12 Nov 2026`.
 * @example formatDay('2026-11-12', 'en') // '12 Nov 2026'
 */
export function formatDay(day: string, locale: keyof typeof DAY_TAGS): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return dateTimeFormat(DAY_TAGS[locale], { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, date)));
}

/**
 * An amount as a plain decimal in major units, for a CSV cell: `2499.50` (`2499,50` with a comma).
 * @example decimalOf({ minor: 249950, currency: 'RUB' }, ',') // '2499,50'
 */
export function decimalOf(amount: Money, separator: '.' | ',' = '.'): string {
  return `${Math.floor(amount.minor / 100)}${separator}${String(amount.minor % 100).padStart(2, '0')}`;
}
