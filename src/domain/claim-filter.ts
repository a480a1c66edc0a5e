import { z } from 'zod';
import { CHANNELS } from './claim.js';
import type { DeskConfig } from './desk.js';
import { CLAIM_STATUSES, OPEN_STATUSES, type Claim, type ClaimStatus } from './lifecycle.js';
import { parseClaimNumber } from './numbering.js';
import { formatPath } from './zod-issues.js';
import { dateTimeFormat } from './date-format.js';

/** The query parameters a claims filter understands (the staff console's list, report and export). */
export const CLAIM_FILTER_PARAMS = ['status', 'category', 'department', 'assignee', 'overdue', 'channel', 'from', 'to', 'q', 'product'] as const;
/** The paging parameters of the claims list. */
export const PAGING_PARAMS = ['page', 'limit'] as const;
/** The most claims one page of the list holds. */
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 50;

const ID_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
const ID_MESSAGE = 'expected an id of lowercase letters, digits, "-" or "_", starting with a letter';
/** `assignee=none`: claims nobody is assigned to (so a staff member cannot have the id `none` and be filtered by it). */
export const UNASSIGNED = 'none';

/** Shows a value the user sent inside an error message: quoted, at most 40 characters. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

const Id = z.string().regex(ID_PATTERN, ID_MESSAGE);

const Statuses = z.string().transform((value, ctx): ClaimStatus[] => {
  const wanted = new Set<ClaimStatus>();
  for (const part of value.split(',').map((item) => item.trim())) {
    if (part === 'open') OPEN_STATUSES.forEach((status) => wanted.add(status));
    else if ((CLAIM_STATUSES as readonly string[]).includes(part)) wanted.add(part as ClaimStatus);
    else {
      ctx.addIssue({ code: 'custom', message: `expected "open" or statuses from ${CLAIM_STATUSES.join(', ')} separated by commas, got ${shown(part)}` });
      return z.NEVER;
    }
  }
  return CLAIM_STATUSES.filter((status) => wanted.has(status));
});

/** A claim number as the list search understands it: the whole number, or the per-year sequence alone. */
export type ClaimNumberSearch = { readonly number: string } | { readonly sequence: number };

const NumberSearch = z.string().transform((value, ctx): ClaimNumberSearch => {
  const number = parseClaimNumber(value);
  if (number) return { number };
  if (/^\d{1,9}$/.test(value) && Number(value) >= 1) return { sequence: Number(value) };
  ctx.addIssue({ code: 'custom', message: `expected a claim number such as 2026-000123, or its sequence such as 123, got ${shown(value)}` });
  return z.NEVER;
});

/** A calendar date from 2000 to 2099 (claim numbers start in 2000; the bound keeps a report's buckets few). */
export const Day = z.iso
  .date('expected a date as YYYY-MM-DD')
  .refine((day) => !/^\d{4}-\d{2}-\d{2}$/.test(day) || (day >= '2000-01-01' && day <= '2099-12-31'), 'expected a date from 2000-01-01 to 2099-12-31');

/**
 * The claims filter, parsed from query parameters (every value a string, as the HTTP layer
 * passes them; an empty value counts as absent, as an HTML form sends "any"). Unknown parameters
 * are refused. Ids are checked against the id pattern only — {@link parseClaimFilter} also checks
 * them against the desk configuration.
 *
 * - `status`: a status, a comma list of statuses, or `open` (new, in review, investigating,
 *   awaiting the customer); combinations such as `open,resolved` are the union.
 * - `assignee`: a staff id, or `none` for claims nobody is assigned to (`null` in the output).
 * - `overdue`: `true` = open and past a deadline that still matters ({@link isOverdue});
 *   `false` = everything else.
 * - `from` / `to`: registration dates, inclusive, in the desk's time zone ({@link periodBounds}).
 * - `q`: a claim number as people type it ({@link parseClaimNumber}: `2026-000123`, `2026-123`, `№ 2026/123`) matched exactly, or the sequence alone
 *   (`123`) matching that sequence in any year. Nothing else (no free text, no patterns).
 * - `product`: the product exactly as registered.
 * @example ClaimFilter.parse({ status: 'open', department: 'quality', from: '2026-11-01' })
 * // { status: ['new', 'in_review', 'investigating', 'awaiting_customer'], department: 'quality', from: '2026-11-01' }
 */
export const ClaimFilter = z
  .preprocess(
    (input) =>
      typeof input === 'object' && input !== null
        ? Object.fromEntries(Object.entries(input).flatMap(([key, value]) => (typeof value === 'string' && value.trim() === '' ? [] : [[key, typeof value === 'string' ? value.trim() : value]])))
        : input,
    z.strictObject(
      {
        status: Statuses.optional(),
        category: Id.optional(),
        department: Id.optional(),
        assignee: Id.transform((id) => (id === UNASSIGNED ? null : id)).optional(),
        overdue: z.enum(['true', 'false'], 'expected true or false').transform((value) => value === 'true').optional(),
        channel: z.enum(CHANNELS, `expected one of ${CHANNELS.join(', ')}`).optional(),
        from: Day.optional(),
        to: Day.optional(),
        q: NumberSearch.optional(),
        product: z.string().max(200, 'expected a product name of at most 200 characters').optional(),
      },
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(shown).join(', ')}; expected some of ${CLAIM_FILTER_PARAMS.join(', ')}`
            : undefined,
      },
    ),
  )
  .superRefine((filter, ctx) => {
    if (filter.from !== undefined && filter.to !== undefined && filter.to < filter.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `expected a date on or after from (${filter.from})` });
    }
  });
export type ClaimFilter = z.output<typeof ClaimFilter>;

/** Which page of the list: `page` from 1, `limit` 1–100 claims per page. */
export interface ListPaging {
  readonly page: number;
  readonly limit: number;
}

const Paging = z.strictObject({
  page: z.coerce.number('expected a page number from 1').int('expected a page number from 1').min(1, 'expected a page number from 1').max(100_000, 'expected a page number of at most 100000').default(1),
  limit: z.coerce.number(`expected a number of claims from 1 to ${LIST_LIMIT_MAX}`).int(`expected a number of claims from 1 to ${LIST_LIMIT_MAX}`).min(1, `expected a number of claims from 1 to ${LIST_LIMIT_MAX}`).max(LIST_LIMIT_MAX, `expected a number of claims from 1 to ${LIST_LIMIT_MAX}`).default(LIST_LIMIT_DEFAULT),
});

/** The outcome of parsing: the filter, or every problem found, each naming its field. */
export type FilterParse<T> = { readonly ok: true; readonly filter: T } | { readonly ok: false; readonly errors: readonly string[] };

function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`));
}

/**
 * Parses query parameters into a {@link ClaimFilter}, checking category, department and
 * assignee against the desk configuration when one is given. Never throws on user input.
 * @example
 * parseClaimFilter({ status: 'open', assignee: 'ivan' }, desk) // { ok: true, filter: { status: [...], assignee: 'ivan' } }
 * parseClaimFilter({ stauts: 'new' }, desk) // { ok: false, errors: ['unknown parameter "stauts"; expected some of status, …'] }
 */
export function parseClaimFilter(params: Readonly<Record<string, string>>, desk?: DeskConfig): FilterParse<ClaimFilter> {
  const parsed = ClaimFilter.safeParse(params);
  if (!parsed.success) return { ok: false, errors: issueLines(parsed.error) };
  const filter = parsed.data;
  if (!desk) return { ok: true, filter };
  const errors: string[] = [];
  const check = (field: string, value: string | null | undefined, known: readonly string[]) => {
    if (value === undefined || value === null || known.includes(value)) return;
    errors.push(`${field}: expected one of ${known.join(', ')}, got ${shown(value)}`);
  };
  check('category', filter.category, desk.categories.map((category) => category.id));
  check('department', filter.department, desk.departments.map((department) => department.id));
  if (filter.assignee !== undefined && filter.assignee !== null) {
    const staff = desk.staff.map((member) => member.id);
    if (!staff.includes(filter.assignee)) errors.push(`assignee: expected "${UNASSIGNED}" or one of ${staff.join(', ')}, got ${shown(filter.assignee)}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, filter };
}

/**
 * Parses the list's query parameters: the paging (`page`, `limit`) and the filter (the rest).
 * @example parseListParams({ status: 'new', page: '2' }, desk) // { ok: true, filter: { filter: { status: ['new'] }, paging: { page: 2, limit: 50 } } }
 */
export function parseListParams(params: Readonly<Record<string, string>>, desk?: DeskConfig): FilterParse<{ readonly filter: ClaimFilter; readonly paging: ListPaging }> {
  const pagingParams: Record<string, string> = {};
  const filterParams: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if ((PAGING_PARAMS as readonly string[]).includes(key)) {
      if (value.trim() !== '') pagingParams[key] = value.trim();
    } else filterParams[key] = value;
  }
  const paging = Paging.safeParse(pagingParams);
  const filter = parseClaimFilter(filterParams, desk);
  const errors = [...(filter.ok ? [] : filter.errors), ...(paging.success ? [] : issueLines(paging.error))];
  if (!filter.ok || !paging.success) return { ok: false, errors };
  return { ok: true, filter: { filter: filter.filter, paging: paging.data } };
}

/** What {@link isOverdue} reads of a claim. */
export type OverdueSubject = Pick<Claim, 'status' | 'sla' | 'firstResponseAt'>;

/**
 * Whether a claim is overdue at `now`: it is open and past its resolution due time, or it was
 * never answered by staff (no first response yet) and is past its first-response due time —
 * the same two deadlines the SLA checks watch (src/domain/sla.ts). A claim exactly at its due
 * time is not overdue yet (a response at the due time is on time).
 * @example isOverdue(claim, new Date()) // true
 */
export function isOverdue(claim: OverdueSubject, now: Date): boolean {
  if (!OPEN_STATUSES.includes(claim.status)) return false;
  if (claim.sla.resolutionDueAt.getTime() < now.getTime()) return true;
  return claim.firstResponseAt === undefined && claim.sla.firstResponseDueAt.getTime() < now.getTime();
}

// ---- dates in the desk's time zone ----

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = dateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((item) => item.type === type)?.value ?? NaN);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

/**
 * How far a time zone's clocks are ahead of UTC at an instant, in milliseconds.
 * @example zoneOffsetMs(new Date('2026-07-01T00:00:00Z'), 'Europe/Berlin') // 7_200_000
 */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const wall = wallClock(at, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The calendar date of an instant in a time zone, as YYYY-MM-DD.
 * @example zonedDay(new Date('2026-03-01T23:30:00Z'), 'Europe/Moscow') // '2026-03-02'
 */
export function zonedDay(at: Date, timeZone: string): string {
  const wall = wallClock(at, timeZone);
  return `${String(wall.year).padStart(4, '0')}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
}

/**
 * The first instant of a calendar date (YYYY-MM-DD) in a time zone: its local midnight, or where
 * a clock change skips midnight, the first local time that exists that day.
 * @example zonedDayStart('2026-03-02', 'Europe/Moscow') // 2026-03-01T21:00:00.000Z
 */
export function zonedDayStart(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(year, month - 1, date);
  let guess = midnightUtc - zoneOffsetMs(new Date(midnightUtc), timeZone);
  const corrected = midnightUtc - zoneOffsetMs(new Date(guess), timeZone);
  if (corrected !== guess) guess = corrected;
  // midnight skipped by a clock change: the guess lies before the day starts; find the change
  // (clocks change on a whole minute, so the search runs in minutes)
  if (zonedDay(new Date(guess), timeZone) < day) {
    let low = Math.floor(guess / MINUTE_MS);
    let high = low + DAY_MS / 4 / MINUTE_MS;
    while (high - low > 1) {
      const middle = low + Math.floor((high - low) / 2);
      if (zonedDay(new Date(middle * MINUTE_MS), timeZone) < day) low = middle;
      else high = middle;
    }
    guess = high * MINUTE_MS;
  }
  return new Date(guess);
}

/**
 * The calendar date after `day`.
 * @example nextDay('2026-12-31') // '2027-01-01'
 */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * An instant as ISO 8601 with the time zone's offset, to the second.
 * @example formatZonedIso(new Date('2026-03-01T23:30:00Z'), 'Europe/Moscow') // '2026-03-02T02:30:00+03:00'
 */
export function formatZonedIso(at: Date, timeZone: string): string {
  const offset = zoneOffsetMs(at, timeZone);
  const wall = new Date(Math.floor(at.getTime() / 1000) * 1000 + offset).toISOString().slice(0, 19);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The registration period of a filter as instants: `since` inclusive (the start of `from` in the
 * time zone), `until` exclusive (the start of the day after `to`). Absent ends stay open.
 * @example periodBounds({ from: '2026-03-01', to: '2026-03-31' }, 'Europe/Moscow')
 * // { since: 2026-02-28T21:00:00Z, until: 2026-03-31T21:00:00Z }
 */
export function periodBounds(filter: Pick<ClaimFilter, 'from' | 'to'>, timeZone: string): { readonly since?: Date; readonly until?: Date } {
  return {
    ...(filter.from !== undefined ? { since: zonedDayStart(filter.from, timeZone) } : {}),
    ...(filter.to !== undefined ? { until: zonedDayStart(nextDay(filter.to), timeZone) } : {}),
  };
}
