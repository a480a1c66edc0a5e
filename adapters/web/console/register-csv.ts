import { t, type MessageKey } from '../../../src/i18n/index.js';
import { formatZonedIso, isOverdue } from '../../../src/domain/claim-filter.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import { decimalOf } from '../../../src/domain/intake-fields.js';
import type { Locale } from '../../../src/domain/locale.js';

/**
 * The claims register as CSV (RFC 4180): a UTF-8 byte order mark so Excel reads Cyrillic, a
 * header row in the reader's language, one row per claim, CRLF line ends. Values are the
 * desk's ids (kind, category, department, status, channel, remedy, decision, reason) as the
 * filters use them; times are ISO 8601 with the desk time zone's offset
 * (`2026-03-02T02:30:00+03:00`); amounts use a decimal point. A cell that a spreadsheet would
 * run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR — a phone number `+7…` too) is
 * prefixed with `'`.
 */

/** The byte order mark the export starts with. */
export const UTF8_BOM = '\uFEFF';
const CRLF = '\r\n';

/** How to write the register. */
export interface RegisterCsvOptions {
  /** The language of the header and of yes/no. */
  readonly locale: Locale;
  /** The desk's time zone, for the times. */
  readonly timezone: string;
  /** The instant "overdue" refers to. */
  readonly now: Date;
  /** `,` (RFC 4180, the default) or `;` (what Excel expects where the decimal separator is a comma, as in Russian). */
  readonly delimiter?: ',' | ';';
  /** Whether the personal-data columns (name, phone, e-mail) are written: the reader's `export_personal_data` right. Default: not. */
  readonly personalData?: boolean;
}

type Suffix<T> = T extends `register.csv.${infer K}` ? K : never;
/** A column's key: its header text is `register.csv.<key>` in the catalogues. */
export type RegisterColumn = Exclude<Suffix<MessageKey>, 'yes' | 'no'>;

type Column = readonly [key: RegisterColumn, value: (claim: Claim, options: RegisterCsvOptions) => string];

const time = (at: Date | undefined, options: RegisterCsvOptions) => (at ? formatZonedIso(at, options.timezone) : '');

/** The columns, in order: the key of the header text (`register.csv.<key>`) and the cell's value. */
const COLUMNS: readonly Column[] = [
  ['number', (claim) => claim.number],
  ['registered_at', (claim, options) => time(claim.createdAt, options)],
  ['kind', (claim) => claim.kind],
  ['category', (claim) => claim.category],
  ['department', (claim) => claim.department],
  ['status', (claim) => claim.status],
  ['assignee', (claim) => claim.assigneeId ?? ''],
  ['channel', (claim) => claim.customer.channel],
  ['product', (claim) => claim.concerns.product ?? ''],
  ['order_or_batch', (claim) => claim.concerns.orderOrBatch ?? ''],
  // with ';' (Excel where the decimal separator is a comma) a '3.12' would open as a date: write '3,12'
  ['amount', (claim, options) => (claim.concerns.amount ? decimalOf(claim.concerns.amount, options.delimiter === ';' ? ',' : '.') : '')],
  ['currency', (claim) => claim.concerns.amount?.currency ?? ''],
  ['desired_remedy', (claim) => claim.desiredRemedy],
  ['customer_name', (claim) => claim.contact.name],
  ['phone', (claim) => claim.contact.phone ?? ''],
  ['email', (claim) => claim.contact.email ?? ''],
  ['description', (claim) => claim.description],
  ['first_response_at', (claim, options) => time(claim.firstResponseAt, options)],
  ['resolved_at', (claim, options) => time(claim.resolvedAt, options)],
  ['outcome', (claim) => claim.decision?.outcome ?? ''],
  ['rejection_reason', (claim) => (claim.decision?.outcome === 'rejected' ? claim.decision.reason : '')],
  ['csat', (claim) => (claim.survey?.score !== undefined ? String(claim.survey.score) : '')],
  ['first_response_due', (claim, options) => time(claim.sla.firstResponseDueAt, options)],
  ['resolution_due', (claim, options) => time(claim.sla.resolutionDueAt, options)],
  ['overdue', (claim, options) => t(options.locale, isOverdue(claim, options.now) ? 'register.csv.yes' : 'register.csv.no')],
];

/** The register's column keys, in order (the header texts are `register.csv.<key>`). */
export const REGISTER_COLUMNS: readonly RegisterColumn[] = COLUMNS.map(([key]) => key);

/** The columns that hold the customer's personal data: written only for readers with `export_personal_data`. */
export const PERSONAL_DATA_COLUMNS: readonly RegisterColumn[] = ['customer_name', 'phone', 'email'];

const WITHOUT_PERSONAL_DATA = COLUMNS.filter(([key]) => !PERSONAL_DATA_COLUMNS.includes(key));

/** The columns an export writes. */
function columnsFor(options: Pick<RegisterCsvOptions, 'personalData'>): readonly Column[] {
  return options.personalData === true ? COLUMNS : WITHOUT_PERSONAL_DATA;
}

/** The column keys an export writes, in order: all of {@link REGISTER_COLUMNS}, or those without the personal data. */
export function registerColumns(options: Pick<RegisterCsvOptions, 'personalData'>): readonly RegisterColumn[] {
  return columnsFor(options).map(([key]) => key);
}

/**
 * One CSV cell: a value a spreadsheet would run as a formula gets a leading `'`; a value with
 * the delimiter, a quote, CR or LF is quoted, its quotes doubled.
 * @example csvCell('=SUM(A1)') // "'=SUM(A1)"
 * @example csvCell('say "hi", please') // '"say ""hi"", please"'
 */
export function csvCell(value: string, delimiter: ',' | ';' = ','): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(delimiter) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function line(cells: readonly string[], delimiter: ',' | ';'): string {
  return cells.map((cell) => csvCell(cell, delimiter)).join(delimiter) + CRLF;
}

/**
 * The start of the export: the byte order mark and the header row, ending in CRLF.
 * @example registerCsvHeader({ locale: 'ru', timezone: 'Europe/Moscow', now: new Date() }) // '\uFEFFНомер,Дата и время регистрации,…\r\n'
 */
export function registerCsvHeader(options: Pick<RegisterCsvOptions, 'locale' | 'delimiter' | 'personalData'>): string {
  return UTF8_BOM + line(columnsFor(options).map(([key]) => t(options.locale, `register.csv.${key}`)), options.delimiter ?? ',');
}

/**
 * One claim's row, ending in CRLF.
 * @example registerCsvRow(claim, { locale: 'en', timezone: 'Europe/Moscow', now: new Date() }) // '2026-000123,2026-03-02T10:00:00+03:00,claim,…\r\n'
 */
export function registerCsvRow(claim: Claim, options: RegisterCsvOptions): string {
  return line(columnsFor(options).map(([, value]) => value(claim, options)), options.delimiter ?? ',');
}

/**
 * The whole export as chunks to write one after another: the header, then a row per claim as
 * the claims arrive (nothing is held back).
 * @example for await (const chunk of registerCsv(queries.stream(filter, now), options)) res.write(chunk);
 */
export async function* registerCsv(claims: AsyncIterable<Claim>, options: RegisterCsvOptions): AsyncGenerator<string, void, undefined> {
  yield registerCsvHeader(options);
  for await (const claim of claims) yield registerCsvRow(claim, options);
}
