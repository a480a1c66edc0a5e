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
 * Parses what a person typed as a claim number (`2026-000123`, `2026-123`, `№ 2026/123`).
 * Returns the canonical form, or undefined when it is not a claim number.
 * @example parseClaimNumber(' №2026-123 ') // '2026-000123'
 */
export function parseClaimNumber(input: string): string | undefined {
  const match = /^\s*(?:№|#|no\.?)?\s*(\d{4})\s*[-/ ]\s*(\d{1,9})\s*$/i.exec(input);
  if (!match) return undefined;
  const year = Number(match[1]);
  const sequence = Number(match[2]);
  if (year < 2000 || sequence < 1) return undefined;
  return formatClaimNumber(year, sequence);
}

/** One year formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const yearFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar year of an instant in a time zone (claims received on 31 Dec 23:30 in Moscow belong to that year). */
export function yearIn(instant: Date, timeZone: string): number {
  let format = yearFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' });
    yearFormats.set(timeZone, format);
  }
  return Number(format.format(instant));
}
