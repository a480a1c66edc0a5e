import type { DecisionOutcome } from './decision.js';
import type { Channel } from './claim.js';
import { nextDay } from './claim-filter.js';
import { OPEN_STATUSES, REJECTION_REASONS, type ClaimStatus, type RejectionReason } from './lifecycle.js';
import { SURVEY_SCORES, type SurveyScore } from './survey.js';

/**
 * The staff console's numbers (DOMAIN.md, "What to measure"). Every number is about the claims
 * the filter selects — claims *registered* in the period (a cohort), whatever happened to them
 * since; "now" only decides what is overdue. The store gathers the raw rows
 * (src/store/claim-queries.ts); the pure functions here turn them into the {@link Report}.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How the volume chart buckets the period. */
export type Granularity = 'day' | 'week' | 'month';
/** Periods up to this many days are shown by day. */
export const DAILY_MAX_DAYS = 62;
/** Periods up to this many days (a year, leap years included) are shown by ISO week; longer ones by month. */
export const WEEKLY_MAX_DAYS = 366;
/** Items of a Pareto chart before the rest is folded into "other". */
export const PARETO_TOP = 15;
/** Products shown as their own series in the volume chart; the rest is "other". */
export const VOLUME_TOP_PRODUCTS = 10;
/** The most repeat customers and repeat products a report lists. */
export const REPEAT_TOP = 20;
/** The most survey comments a report lists (the latest). */
export const CSAT_COMMENTS_MAX = 50;

/**
 * The number of calendar days from `from` to `to`, both included.
 * @example periodDays('2026-03-01', '2026-03-31') // 31
 */
export function periodDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/**
 * The volume chart's buckets for a period: days up to 62 days, ISO weeks up to a year (366
 * days), months beyond.
 * @example granularityFor('2026-01-01', '2026-03-31') // 'week'
 */
export function granularityFor(from: string, to: string): Granularity {
  const days = periodDays(from, to);
  if (days <= DAILY_MAX_DAYS) return 'day';
  if (days <= WEEKLY_MAX_DAYS) return 'week';
  return 'month';
}

/**
 * The ISO 8601 week of a date (weeks start on Monday; week 1 holds the year's first Thursday),
 * as `YYYY-Www` with the ISO week-numbering year — what MongoDB's `%G-W%V` gives.
 * @example isoWeekKey('2027-01-01') // '2026-W53'
 */
export function isoWeekKey(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(date.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The bucket a calendar date falls in: the date itself, its ISO week (`2026-W09`) or its month (`2026-03`).
 * @example bucketKey('2026-03-02', 'week') // '2026-W10'
 */
export function bucketKey(day: string, granularity: Granularity): string {
  if (granularity === 'day') return day;
  if (granularity === 'week') return isoWeekKey(day);
  return day.slice(0, 7);
}

/**
 * Every bucket from `from` to `to` in order, including those with no claims (a chart needs the zeros).
 * @example bucketsBetween('2026-02-27', '2026-03-02', 'month') // ['2026-02', '2026-03']
 */
export function bucketsBetween(from: string, to: string, granularity: Granularity): string[] {
  const buckets: string[] = [];
  for (let day = from; day <= to; day = nextDay(day)) {
    const key = bucketKey(day, granularity);
    if (buckets.at(-1) !== key) buckets.push(key);
  }
  return buckets;
}

/** `value`: a category, product or channel; `other`: the folded tail; `none`: claims without a product. */
export type ItemKind = 'value' | 'other' | 'none';

/** One layer of a stacked chart: its counts, bucket by bucket. */
export interface SeriesItem {
  readonly key: string;
  readonly kind: ItemKind;
  readonly counts: readonly number[];
}

/** A stacked chart: the buckets (x axis) and one series per key; the series of a bucket add up to its claims. */
export interface StackedSeries {
  readonly buckets: readonly string[];
  readonly series: readonly SeriesItem[];
}

/** A count of claims in a bucket for a key (`null`: the claims have no value, e.g. no product). */
export interface BucketCount {
  readonly bucket: string;
  readonly key: string | null;
  readonly count: number;
}

const byCountThenKey = (a: { key: string; count: number }, b: { key: string; count: number }) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Turns counts per (bucket, key) into a stacked chart: zeros where a bucket has none, keys by
 * their total (largest first), the keys beyond `top` folded into one `other` series, and claims
 * without a value as a `none` series at the end. Counts in buckets not listed are ignored.
 * @example
 * stackSeries(['2026-03-01', '2026-03-02'], [{ bucket: '2026-03-02', key: 'defect', count: 3 }])
 * // { buckets: [...], series: [{ key: 'defect', kind: 'value', counts: [0, 3] }] }
 */
export function stackSeries(buckets: readonly string[], rows: readonly BucketCount[], top = Number.POSITIVE_INFINITY): StackedSeries {
  const index = new Map(buckets.map((bucket, i) => [bucket, i]));
  const perKey = new Map<string, number[]>();
  const none = buckets.map(() => 0);
  let anyNone = false;
  for (const row of rows) {
    const at = index.get(row.bucket);
    if (at === undefined) continue;
    if (row.key === null) {
      none[at] = (none[at] ?? 0) + row.count;
      anyNone = true;
      continue;
    }
    const counts = perKey.get(row.key) ?? buckets.map(() => 0);
    counts[at] = (counts[at] ?? 0) + row.count;
    perKey.set(row.key, counts);
  }
  const ordered = [...perKey.entries()].map(([key, counts]) => ({ key, counts, count: sum(counts) })).sort(byCountThenKey);
  const kept = ordered.slice(0, top);
  const rest = ordered.slice(kept.length);
  const series: SeriesItem[] = kept.map(({ key, counts }) => ({ key, kind: 'value', counts }));
  if (rest.length > 0) series.push({ key: 'other', kind: 'other', counts: buckets.map((_bucket, i) => sum(rest.map((item) => item.counts[i] ?? 0))) });
  if (anyNone) series.push({ key: 'none', kind: 'none', counts: none });
  return { buckets, series };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * The `p`-th quantile (0–1) of ascending values, interpolating linearly between the closest
 * ranks (as spreadsheets' PERCENTILE.INC and numpy's default do); undefined for no values.
 * @example percentile([1, 2, 3, 4], 0.5) // 2.5
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const lower = Math.floor(rank);
  const low = sorted[lower] ?? 0;
  const high = sorted[Math.min(lower + 1, sorted.length - 1)] ?? low;
  return low + (rank - lower) * (high - low);
}

/** How long something took, over the claims that reached it; hours, `null` without claims. */
export interface DurationStats {
  readonly count: number;
  readonly averageHours: number | null;
  readonly medianHours: number | null;
  readonly p90Hours: number | null;
}

/**
 * Average, median and 90th percentile of durations given in milliseconds, in hours.
 * @example durationStats([3_600_000, 7_200_000]) // { count: 2, averageHours: 1.5, medianHours: 1.5, p90Hours: 1.9 }
 */
export function durationStats(durationsMs: readonly number[]): DurationStats {
  const hours = durationsMs.map((ms) => ms / HOUR_MS).sort((a, b) => a - b);
  if (hours.length === 0) return { count: 0, averageHours: null, medianHours: null, p90Hours: null };
  return {
    count: hours.length,
    averageHours: sum(hours) / hours.length,
    medianHours: percentile(hours, 0.5) ?? null,
    p90Hours: percentile(hours, 0.9) ?? null,
  };
}

/** A part of a whole: `count` of `of`, and the share (0–1), `null` when `of` is 0. */
export interface Share {
  readonly count: number;
  readonly of: number;
  readonly share: number | null;
}

/** @example shareOf(3, 4) // { count: 3, of: 4, share: 0.75 } */
export function shareOf(count: number, of: number): Share {
  return { count, of, share: of > 0 ? count / of : null };
}

/** One bar of a Pareto chart. */
export interface ParetoItem {
  readonly key: string;
  readonly kind: Exclude<ItemKind, 'none'>;
  readonly count: number;
  /** This item's share of all claims counted (0–1). */
  readonly share: number;
  /** The share of this item and every bar before it (0–1; the last bar is 1). */
  readonly cumulativeShare: number;
}

/**
 * A Pareto chart: items by count, largest first (ties by key), each with its share and the
 * cumulative share; items beyond `top` are folded into one `other` bar at the end. Items with
 * no claims are left out.
 * @example pareto([{ key: 'a', count: 3 }, { key: 'b', count: 1 }]) // [{ key: 'a', share: 0.75, cumulativeShare: 0.75, … }, { key: 'b', share: 0.25, cumulativeShare: 1, … }]
 */
export function pareto(counts: readonly { readonly key: string; readonly count: number }[], top = PARETO_TOP): ParetoItem[] {
  const items = counts.filter((item) => item.count > 0).map((item) => ({ key: item.key, count: item.count })).sort(byCountThenKey);
  const total = sum(items.map((item) => item.count));
  const bars: { key: string; kind: 'value' | 'other'; count: number }[] = items.slice(0, top).map((item) => ({ ...item, kind: 'value' }));
  const rest = items.slice(top);
  if (rest.length > 0) bars.push({ key: 'other', kind: 'other', count: sum(rest.map((item) => item.count)) });
  let running = 0;
  return bars.map((bar) => {
    running += bar.count;
    return { ...bar, share: bar.count / total, cumulativeShare: running / total };
  });
}

/** Claims by status and decision, as the store counts them. */
export interface DecisionCount {
  readonly status: ClaimStatus;
  readonly outcome?: DecisionOutcome;
  readonly reason?: RejectionReason;
  readonly count: number;
}

/** Accepted and rejected claims (those resolved or closed with that decision), and those still open. */
export interface DecisionSummary {
  readonly open: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<RejectionReason, number>>;
  /** Accepted or rejected. */
  readonly decided: number;
  /** Of the decided claims. */
  readonly acceptedShare: number | null;
  readonly rejectedShare: number | null;
}

/**
 * Sums decision counts: open claims, accepted, rejected by reason.
 * @example decisionSummary([{ status: 'resolved', outcome: 'accepted', count: 2 }]) // { accepted: 2, decided: 2, acceptedShare: 1, … }
 */
export function decisionSummary(rows: readonly DecisionCount[]): DecisionSummary {
  const byReason = Object.fromEntries(REJECTION_REASONS.map((reason) => [reason, 0])) as Record<RejectionReason, number>;
  let open = 0;
  let accepted = 0;
  let rejected = 0;
  for (const row of rows) {
    if (OPEN_STATUSES.includes(row.status)) open += row.count;
    // a partial acceptance grants the customer something: it counts as accepted (#25)
    else if (row.outcome === 'accepted' || row.outcome === 'partially_accepted') accepted += row.count;
    else if (row.outcome === 'rejected') {
      rejected += row.count;
      byReason[row.reason ?? 'other'] += row.count;
    }
  }
  const decided = accepted + rejected;
  return { open, accepted, rejected, rejectedByReason: byReason, decided, acceptedShare: shareOf(accepted, decided).share, rejectedShare: shareOf(rejected, decided).share };
}

/** A customer's comment in the satisfaction survey. */
export interface CsatComment {
  readonly number: string;
  readonly score?: SurveyScore;
  readonly comment: string;
  /** When the comment was given. */
  readonly at: Date;
}

/** Satisfaction after resolution: the average score, how many answered, how many gave each score, the latest comments. */
export interface CsatSummary {
  readonly average: number | null;
  readonly count: number;
  readonly distribution: readonly { readonly score: SurveyScore; readonly count: number }[];
  /** Newest first, at most 50. */
  readonly comments: readonly CsatComment[];
}

/**
 * The CSAT summary from counts per score (1–5) and comments (any order).
 * @example csatSummary([{ score: 5, count: 3 }, { score: 2, count: 1 }], []).average // 4.25
 */
export function csatSummary(scores: readonly { readonly score: number; readonly count: number }[], comments: readonly CsatComment[]): CsatSummary {
  const distribution = SURVEY_SCORES.map((score) => ({ score, count: sum(scores.filter((row) => row.score === score).map((row) => row.count)) }));
  const count = sum(distribution.map((row) => row.count));
  const average = count > 0 ? sum(distribution.map((row) => row.score * row.count)) / count : null;
  return { average, count, distribution, comments: newestFirst(comments, CSAT_COMMENTS_MAX) };
}

/**
 * The newest `max` items by `at`, newest first.
 * @example newestFirst(comments, 50)
 */
export function newestFirst<T extends { readonly at: Date }>(items: readonly T[], max: number): T[] {
  return [...items].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, max);
}

/** A customer's claims as the store groups them. */
export interface CustomerClaims {
  readonly channel: Channel;
  readonly userId: string;
  readonly teamId?: string;
  readonly claims: readonly { readonly number: string; readonly createdAt: Date; readonly name: string }[];
}

/** A customer with several claims in the period. */
export interface RepeatCustomer {
  readonly channel: Channel;
  readonly userId: string;
  readonly teamId?: string;
  /** The contact name on their latest claim. */
  readonly name: string;
  readonly count: number;
  /** Newest first. */
  readonly numbers: readonly string[];
}

/**
 * Customers with at least two claims: most claims first (then the most recent), at most `top`,
 * each named as on their latest claim, with their claim numbers newest first.
 * @example repeatCustomers(groups)[0] // { channel: 'telegram', userId: '1001', name: 'Anna', count: 3, numbers: ['2026-000009', …] }
 */
export function repeatCustomers(groups: readonly CustomerClaims[], top = REPEAT_TOP): RepeatCustomer[] {
  return groups
    .filter((group) => group.claims.length >= 2)
    .map((group) => {
      const claims = [...group.claims].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.number < b.number ? 1 : -1));
      return {
        customer: {
          channel: group.channel,
          userId: group.userId,
          ...(group.teamId !== undefined ? { teamId: group.teamId } : {}),
          name: claims[0]?.name ?? '',
          count: claims.length,
          numbers: claims.map((claim) => claim.number),
        },
        latest: claims[0]?.createdAt.getTime() ?? 0,
      };
    })
    .sort((a, b) => b.customer.count - a.customer.count || b.latest - a.latest)
    .slice(0, top)
    .map((entry) => entry.customer);
}

/** A product with several claims in the period. */
export interface RepeatProduct {
  readonly product: string;
  readonly count: number;
  /** Different customers who claimed about it. */
  readonly customers: number;
}

/**
 * Products with at least two claims: most claims first (then most customers, then by name), at most `top`.
 * @example repeatProducts([{ product: 'Kettle', count: 3, customers: 2 }]) // [{ product: 'Kettle', count: 3, customers: 2 }]
 */
export function repeatProducts(products: readonly RepeatProduct[], top = REPEAT_TOP): RepeatProduct[] {
  return products
    .filter((item) => item.count >= 2)
    .map((item) => ({ product: item.product, count: item.count, customers: item.customers }))
    .sort((a, b) => b.count - a.count || b.customers - a.customers || (a.product < b.product ? -1 : a.product > b.product ? 1 : 0))
    .slice(0, top);
}

/** Everything the store counts for a report, before the domain shapes it. */
export interface ReportData {
  readonly timezone: string;
  /** The period's first and last day (YYYY-MM-DD, the desk's time zone). */
  readonly from: string;
  readonly to: string;
  readonly asOf: Date;
  readonly total: number;
  /** Counts per bucket (of the period's granularity) and key. */
  readonly byCategory: readonly BucketCount[];
  readonly byProduct: readonly BucketCount[];
  readonly byChannel: readonly BucketCount[];
  /** Per product (claims without one left out): claims and different customers. */
  readonly products: readonly RepeatProduct[];
  readonly claimsWithoutProduct: number;
  readonly firstResponseMs: readonly number[];
  readonly resolutionMs: readonly number[];
  readonly firstResponseOnTime: number;
  readonly firstResponseLate: number;
  readonly resolutionOnTime: number;
  readonly resolutionLate: number;
  readonly overdueOpen: number;
  readonly decisions: readonly DecisionCount[];
  readonly scores: readonly { readonly score: number; readonly count: number }[];
  readonly comments: readonly CsatComment[];
  readonly customers: readonly CustomerClaims[];
  /** Claims with an investigation record (#24). */
  readonly investigated: number;
  /** Investigated claims per cause category, and per root-cause summary ({@link rootCauseKey}). */
  readonly causeCategories: readonly { readonly key: string; readonly count: number }[];
  readonly rootCauses: readonly { readonly key: string; readonly count: number }[];
  /** Claims linked to a verified corrective action (#24 analysis; 0 when not counted). */
  readonly withVerifiedAction?: number;
}

/** The staff console's report of the claims a filter selects. */
export interface Report {
  readonly period: { readonly from: string; readonly to: string; readonly timezone: string; readonly granularity: Granularity };
  /** The instant "open" and "overdue" refer to. */
  readonly asOf: Date;
  /** Claims registered in the period (and matching the filter). */
  readonly total: number;
  /** Claims per bucket, stacked by category, by product (top 10, other, none) and by channel. */
  readonly volume: {
    readonly granularity: Granularity;
    readonly byCategory: StackedSeries;
    readonly byProduct: StackedSeries;
    readonly byChannel: StackedSeries;
  };
  /** From registration to the first staff action the customer is told of (take, a question, a decision…). */
  readonly firstResponse: DurationStats;
  /** From registration to the decision (for a reopened claim, its latest decision); resolved and closed claims. */
  readonly resolution: DurationStats;
  readonly withinSla: {
    /** First responses given by the first-response due time, of all first responses. */
    readonly firstResponse: Share;
    /** Decisions made by the resolution due time, of all decisions. */
    readonly resolution: Share;
    /** Claims open and overdue at `asOf` (see isOverdue). */
    readonly overdueOpen: number;
  };
  readonly decisions: DecisionSummary;
  readonly csat: CsatSummary;
  readonly pareto: {
    readonly categories: readonly ParetoItem[];
    /** Claims without a product are left out; `claimsWithoutProduct` counts them. */
    readonly products: readonly ParetoItem[];
    readonly claimsWithoutProduct: number;
  };
  readonly repeatCustomers: readonly RepeatCustomer[];
  readonly repeatProducts: readonly RepeatProduct[];
  /** Root causes (#24): the share of claims investigated and with a verified corrective action, and Pareto charts of the cause categories and of the root causes found. */
  readonly rootCause: {
    readonly investigated: Share;
    /** Claims linked to a verified corrective action, of all claims (#24 analysis). */
    readonly verifiedAction: Share;
    readonly categories: readonly ParetoItem[];
    readonly summaries: readonly ParetoItem[];
  };
}

/**
 * A root-cause summary as a grouping key: trimmed, case and inner spaces folded, a closing full
 * stop dropped — so "Worn die." and "worn  die" count as one cause.
 * @example rootCauseKey(' Worn  Die. ') // 'worn die'
 */
export function rootCauseKey(summary: string): string {
  return summary.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.!。]+$/u, '');
}

/**
 * Shapes the store's counts into the report: buckets filled with zeros, percentiles, shares,
 * Pareto folding, repeat customers and products.
 * @example const report = buildReport(data); report.withinSla.firstResponse.share // 0.8
 */
export function buildReport(data: ReportData): Report {
  const granularity = granularityFor(data.from, data.to);
  const buckets = bucketsBetween(data.from, data.to, granularity);
  const categoryTotals = new Map<string, number>();
  for (const row of data.byCategory) if (row.key !== null) categoryTotals.set(row.key, (categoryTotals.get(row.key) ?? 0) + row.count);
  return {
    period: { from: data.from, to: data.to, timezone: data.timezone, granularity },
    asOf: data.asOf,
    total: data.total,
    volume: {
      granularity,
      byCategory: stackSeries(buckets, data.byCategory),
      byProduct: stackSeries(buckets, data.byProduct, VOLUME_TOP_PRODUCTS),
      byChannel: stackSeries(buckets, data.byChannel),
    },
    firstResponse: durationStats(data.firstResponseMs),
    resolution: durationStats(data.resolutionMs),
    withinSla: {
      firstResponse: shareOf(data.firstResponseOnTime, data.firstResponseOnTime + data.firstResponseLate),
      resolution: shareOf(data.resolutionOnTime, data.resolutionOnTime + data.resolutionLate),
      overdueOpen: data.overdueOpen,
    },
    decisions: decisionSummary(data.decisions),
    csat: csatSummary(data.scores, data.comments),
    pareto: {
      categories: pareto([...categoryTotals.entries()].map(([key, count]) => ({ key, count }))),
      products: pareto(data.products.map((item) => ({ key: item.product, count: item.count }))),
      claimsWithoutProduct: data.claimsWithoutProduct,
    },
    repeatCustomers: repeatCustomers(data.customers),
    repeatProducts: repeatProducts(data.products),
    rootCause: {
      investigated: shareOf(data.investigated, data.total),
      verifiedAction: shareOf(data.withVerifiedAction ?? 0, data.total),
      categories: pareto(data.causeCategories),
      summaries: pareto(data.rootCauses),
    },
  };
}
