import { dateTimeFormat } from './date-format.js';

/** Digits of the per-year sequence in a claim number. */
const SEQUENCE_DIGITS = 6;

/**
 * Formats a claim number: the year and a zero-padded per-year sequence.
 * @example formatClaimNumber(2026, 123) // '2026-000123'
 */
export function formatClaimNumber(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw new RangeError(`year out of range: ${year}`);
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence out of range: ${sequence}`);
  return `${year}-${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/**
 * What people type before a number: `#`, `№` (NFKC makes it `No`), `No.`, `Nº`, `N°`, `Nr.`.
 * Between year and sequence: a hyphen, a slash, a space, or any dash a phone keyboard puts in
 * (‐ ‑ ‒ – — ― −).
 */
const TYPED_NUMBER = /^\s*(?:#|n[o°r]?\.?)?\s*(\d{4})\s*[-/\s\u2010-\u2015\u2212]\s*(\d{1,9})\s*$/iu;

/**
 * Parses what a person typed as a claim number — in a chat, a Slack command, the console's search
 * or its address — into its canonical form, or undefined when it is not a claim number. Takes
 * spaces around it, a `№`/`#`/`No.` in front, any dash or a slash between year and sequence,
 * missing or extra leading zeros, and full-width digits. The one parser for user input: nothing
 * else reads claim numbers people type.
 * @example parseClaimNumber(' №2026-123 ') // '2026-000123'
 * @example parseClaimNumber('2026 – 7') // '2026-000007'
 */
export function parseClaimNumber(input: string): string | undefined {
  const match = TYPED_NUMBER.exec(input.normalize('NFKC'));
  if (!match) return undefined;
  const year = Number(match[1]);
  const sequence = Number(match[2]);
  if (year < 2000 || sequence < 1) return undefined;
  return formatClaimNumber(year, sequence);
}

/**
 * The year and sequence of a canonical claim number (as {@link formatClaimNumber} makes it), or
 * undefined for anything else (typed input goes through {@link parseClaimNumber} first).
 * @example claimNumberParts('2026-000123') // { year: 2026, sequence: 123 }
 */
export function claimNumberParts(number: string): { readonly year: number; readonly sequence: number } | undefined {
  const canonical = parseClaimNumber(number);
  if (canonical !== number) return undefined;
  const [year, sequence] = number.split('-').map(Number);
  return year !== undefined && sequence !== undefined ? { year, sequence } : undefined;
}

/** The calendar year of an instant in a time zone (claims received on 31 Dec 23:30 in Moscow belong to that year). */
export function yearIn(instant: Date, timeZone: string): number {
  return Number(dateTimeFormat('en', { timeZone, year: 'numeric' }).format(instant));
}
