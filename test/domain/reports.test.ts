import { describe, expect, it } from 'vitest';
import {
  bucketKey,
  bucketsBetween,
  buildReport,
  csatSummary,
  decisionSummary,
  durationStats,
  granularityFor,
  isoWeekKey,
  pareto,
  percentile,
  periodDays,
  repeatCustomers,
  repeatProducts,
  shareOf,
  stackSeries,
  type CsatComment,
  type ReportData,
} from '../../src/domain/reports.js';
import { rootCauseKey } from '../../src/domain/reports.js';
import { zonedDay } from '../../src/domain/claim-filter.js';

const HOUR = 3_600_000;

describe('percentiles and durations', () => {
  it('interpolates between the closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
    expect(percentile([1, 2, 3], 0.5)).toBe(2);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([1, 5], 0)).toBe(1);
    expect(percentile([1, 5], 1)).toBe(5);
    expect(percentile([], 0.5)).toBeUndefined();
  });

  it('gives average, median and p90 in hours, whatever the order of the durations', () => {
    const stats = durationStats([10 * HOUR, 1 * HOUR, 3 * HOUR, 2 * HOUR]);
    expect(stats.count).toBe(4);
    expect(stats.averageHours).toBe(4);
    expect(stats.medianHours).toBe(2.5);
    // rank 0.9 × 3 = 2.7: 3 + 0.7 × (10 − 3)
    expect(stats.p90Hours).toBeCloseTo(7.9, 10);
    expect(durationStats([])).toEqual({ count: 0, averageHours: null, medianHours: null, p90Hours: null });
    expect(durationStats([90 * 60_000]).medianHours).toBe(1.5);
  });

  it('computes shares, null of nothing', () => {
    expect(shareOf(3, 4)).toEqual({ count: 3, of: 4, share: 0.75 });
    expect(shareOf(0, 0)).toEqual({ count: 0, of: 0, share: null });
  });
});

describe('Pareto', () => {
  it('sorts by count (ties by key) with shares and cumulative shares', () => {
    const bars = pareto([{ key: 'b', count: 2 }, { key: 'c', count: 5 }, { key: 'a', count: 2 }, { key: 'z', count: 0 }, { key: 'd', count: 1 }]);
    expect(bars.map((bar) => bar.key)).toEqual(['c', 'a', 'b', 'd']);
    expect(bars.map((bar) => bar.share)).toEqual([0.5, 0.2, 0.2, 0.1]);
    expect(bars.map((bar) => bar.cumulativeShare)).toEqual([0.5, 0.7, 0.9, 1]);
    expect(bars.every((bar) => bar.kind === 'value')).toBe(true);
  });

  it('folds the tail beyond the top 15 into "other"', () => {
    // k01 … k18 with 18 … 1 claims: 171 in all; the top 15 go down to 4 claims, the other three make 6
    const counts = Array.from({ length: 18 }, (_, i) => ({ key: `k${String(i + 1).padStart(2, '0')}`, count: 18 - i }));
    const bars = pareto(counts);
    expect(bars).toHaveLength(16);
    expect(bars.slice(0, 15).map((bar) => bar.count)).toEqual([18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect(bars[15]).toEqual({ key: 'other', kind: 'other', count: 6, share: 6 / 171, cumulativeShare: 1 });
    expect(bars[0]?.share).toBeCloseTo(18 / 171, 12);
    expect(bars[14]?.cumulativeShare).toBeCloseTo(165 / 171, 12);
  });

  it('folds nothing at exactly 15 items, and handles none', () => {
    expect(pareto(Array.from({ length: 15 }, (_, i) => ({ key: `k${i}`, count: 1 }))).some((bar) => bar.kind === 'other')).toBe(false);
    expect(pareto([], 2)).toEqual([]);
    const bars = pareto([{ key: 'a', count: 5 }, { key: 'b', count: 3 }, { key: 'c', count: 1 }, { key: 'd', count: 1 }], 2);
    expect(bars.map((bar) => [bar.key, bar.count, bar.cumulativeShare])).toEqual([['a', 5, 0.5], ['b', 3, 0.8], ['other', 2, 1]]);
  });
});

describe('buckets', () => {
  it('counts the days of a period, both ends included', () => {
    expect(periodDays('2026-03-01', '2026-03-31')).toBe(31);
    expect(periodDays('2026-03-01', '2026-03-01')).toBe(1);
    // across the Berlin/Moscow clock changes it is still calendar days
    expect(periodDays('2026-03-28', '2026-03-30')).toBe(3);
  });

  it('picks days up to 62 days, ISO weeks up to a year, months beyond', () => {
    expect(granularityFor('2026-01-01', '2026-03-03')).toBe('day'); // 62 days
    expect(granularityFor('2026-01-01', '2026-03-04')).toBe('week'); // 63
    expect(granularityFor('2024-01-01', '2024-12-31')).toBe('week'); // 366, a leap year
    expect(granularityFor('2026-01-01', '2027-01-01')).toBe('week'); // 366
    expect(granularityFor('2026-01-01', '2027-01-02')).toBe('month'); // 367
  });

  it('names ISO weeks by their week-numbering year', () => {
    expect(isoWeekKey('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeekKey('2026-03-01')).toBe('2026-W09'); // a Sunday
    expect(isoWeekKey('2026-03-02')).toBe('2026-W10'); // the Monday after
    expect(isoWeekKey('2027-01-03')).toBe('2026-W53'); // 2026 has 53 weeks
    expect(isoWeekKey('2024-12-30')).toBe('2025-W01');
    expect(isoWeekKey('2021-01-03')).toBe('2020-W53');
  });

  it('lists every bucket of a period, empty ones too', () => {
    expect(bucketsBetween('2026-02-27', '2026-03-02', 'day')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(bucketsBetween('2026-12-28', '2027-01-10', 'week')).toEqual(['2026-W53', '2027-W01']);
    expect(bucketsBetween('2026-12-27', '2027-01-04', 'week')).toEqual(['2026-W52', '2026-W53', '2027-W01']);
    expect(bucketsBetween('2025-11-15', '2026-02-01', 'month')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(bucketsBetween('2026-03-05', '2026-03-05', 'day')).toEqual(['2026-03-05']);
  });

  it('a claim at 23:30 UTC on a Sunday falls on Monday, in the next ISO week, in Moscow', () => {
    const at = new Date('2026-03-01T23:30:00Z');
    expect(bucketKey(zonedDay(at, 'Europe/Moscow'), 'day')).toBe('2026-03-02');
    expect(bucketKey(zonedDay(at, 'Europe/Moscow'), 'week')).toBe('2026-W10');
    expect(bucketKey(zonedDay(at, 'UTC'), 'week')).toBe('2026-W09');
    expect(bucketKey(zonedDay(new Date('2026-03-31T21:30:00Z'), 'Europe/Moscow'), 'month')).toBe('2026-04');
  });

  it('stacks counts into series with zeros, the largest first', () => {
    const buckets = ['2026-03-01', '2026-03-02', '2026-03-03'];
    const stacked = stackSeries(buckets, [
      { bucket: '2026-03-02', key: 'delivery', count: 1 },
      { bucket: '2026-03-01', key: 'defect', count: 2 },
      { bucket: '2026-03-03', key: 'defect', count: 1 },
      { bucket: '2026-03-03', key: 'delivery', count: 1 },
      { bucket: '2026-03-03', key: 'refund', count: 2 },
      { bucket: '2026-02-28', key: 'defect', count: 9 }, // outside the period: ignored
    ]);
    expect(stacked).toEqual({
      buckets,
      series: [
        { key: 'defect', kind: 'value', counts: [2, 0, 1] },
        { key: 'delivery', kind: 'value', counts: [0, 1, 1] },
        { key: 'refund', kind: 'value', counts: [0, 0, 2] },
      ],
    });
  });

  it('folds keys beyond the top into "other" and claims without a value into "none"', () => {
    const buckets = ['2026-W10', '2026-W11'];
    const stacked = stackSeries(
      buckets,
      [
        { bucket: '2026-W10', key: 'Kettle', count: 5 },
        { bucket: '2026-W11', key: 'Toaster', count: 3 },
        { bucket: '2026-W10', key: 'Iron', count: 1 },
        { bucket: '2026-W11', key: 'Mixer', count: 2 },
        { bucket: '2026-W11', key: null, count: 4 },
      ],
      2,
    );
    expect(stacked.series).toEqual([
      { key: 'Kettle', kind: 'value', counts: [5, 0] },
      { key: 'Toaster', kind: 'value', counts: [0, 3] },
      { key: 'other', kind: 'other', counts: [1, 2] },
      { key: 'none', kind: 'none', counts: [0, 4] },
    ]);
  });
});

describe('decisions, satisfaction, repeats', () => {
  it('sums decisions: open, accepted, rejected by reason', () => {
    const summary = decisionSummary([
      { status: 'new', count: 3 },
      { status: 'awaiting_customer', count: 1 },
      { status: 'resolved', outcome: 'accepted', count: 2 },
      { status: 'closed', outcome: 'accepted', count: 1 },
      { status: 'closed', outcome: 'rejected', reason: 'spam', count: 2 },
      { status: 'resolved', outcome: 'rejected', reason: 'not_covered', count: 1 },
    ]);
    expect(summary).toEqual({
      open: 4,
      accepted: 3,
      rejected: 3,
      rejectedByReason: { unfounded: 0, not_covered: 1, not_a_customer: 0, duplicate: 0, spam: 2, other: 0 },
      decided: 6,
      acceptedShare: 0.5,
      rejectedShare: 0.5,
    });
    expect(decisionSummary([]).acceptedShare).toBeNull();
  });

  it('summarises scores and keeps the newest 50 comments', () => {
    const comments: CsatComment[] = Array.from({ length: 60 }, (_, i) => ({ number: `2026-${String(i + 1).padStart(6, '0')}`, comment: `c${i}`, at: new Date(Date.UTC(2026, 2, 1) + ((i * 7) % 60) * HOUR) }));
    const summary = csatSummary([{ score: 5, count: 3 }, { score: 2, count: 1 }, { score: 7, count: 4 }], comments);
    expect(summary.average).toBe(4.25); // (15 + 2) / 4; a score outside 1–5 is not counted
    expect(summary.count).toBe(4);
    expect(summary.distribution).toEqual([{ score: 1, count: 0 }, { score: 2, count: 1 }, { score: 3, count: 0 }, { score: 4, count: 0 }, { score: 5, count: 3 }]);
    expect(summary.comments).toHaveLength(50);
    const times = summary.comments.map((comment) => comment.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Math.min(...times)).toBe(Date.UTC(2026, 2, 1) + 10 * HOUR); // hours 0–9 are the 10 oldest, left out
    expect(csatSummary([], []).average).toBeNull();
  });

  it('lists repeat customers by their number of claims, named as on their latest claim', () => {
    const at = (day: number) => new Date(Date.UTC(2026, 2, day));
    const list = repeatCustomers(
      [
        { channel: 'telegram', userId: '1', claims: [{ number: '2026-000001', createdAt: at(1), name: 'Anna' }, { number: '2026-000005', createdAt: at(5), name: 'Anna K.' }] },
        { channel: 'slack', userId: 'U1', teamId: 'T1', claims: [{ number: '2026-000002', createdAt: at(2), name: 'Bob' }] },
        { channel: 'web', userId: 'v9', claims: [{ number: '2026-000003', createdAt: at(3), name: 'Vera' }, { number: '2026-000004', createdAt: at(4), name: 'Vera' }, { number: '2026-000006', createdAt: at(6), name: 'Vera P.' }] },
        { channel: 'slack', userId: 'U2', teamId: 'T1', claims: [{ number: '2026-000007', createdAt: at(7), name: 'Cleo' }, { number: '2026-000008', createdAt: at(8), name: 'Cleo' }] },
      ],
      20,
    );
    expect(list).toEqual([
      { channel: 'web', userId: 'v9', name: 'Vera P.', count: 3, numbers: ['2026-000006', '2026-000004', '2026-000003'] },
      { channel: 'slack', userId: 'U2', teamId: 'T1', name: 'Cleo', count: 2, numbers: ['2026-000008', '2026-000007'] },
      { channel: 'telegram', userId: '1', name: 'Anna K.', count: 2, numbers: ['2026-000005', '2026-000001'] },
    ]);
    expect(repeatCustomers([{ channel: 'web', userId: 'a', claims: [{ number: '2026-000001', createdAt: at(1), name: 'A' }, { number: '2026-000002', createdAt: at(2), name: 'A' }] }], 0)).toEqual([]);
  });

  it('lists repeat products by claims, then customers', () => {
    expect(
      repeatProducts([
        { product: 'Iron', count: 1, customers: 1 },
        { product: 'Toaster', count: 3, customers: 1 },
        { product: 'Kettle', count: 3, customers: 3 },
        { product: 'Mixer', count: 2, customers: 2 },
      ]),
    ).toEqual([
      { product: 'Kettle', count: 3, customers: 3 },
      { product: 'Toaster', count: 3, customers: 1 },
      { product: 'Mixer', count: 2, customers: 2 },
    ]);
  });
});

describe('building the report', () => {
  const data: ReportData = {
    timezone: 'Europe/Moscow',
    from: '2026-03-01',
    to: '2026-03-03',
    asOf: new Date('2026-03-10T00:00:00Z'),
    total: 5,
    byCategory: [
      { bucket: '2026-03-01', key: 'defect', count: 2 },
      { bucket: '2026-03-03', key: 'delivery', count: 3 },
    ],
    byChannel: [
      { bucket: '2026-03-01', key: 'telegram', count: 2 },
      { bucket: '2026-03-03', key: 'web', count: 3 },
    ],
    byProduct: [
      { bucket: '2026-03-01', key: 'Kettle', count: 2 },
      { bucket: '2026-03-03', key: null, count: 3 },
    ],
    products: [{ product: 'Kettle', count: 2, customers: 1 }],
    claimsWithoutProduct: 3,
    firstResponseMs: [2 * HOUR, 4 * HOUR],
    resolutionMs: [48 * HOUR],
    firstResponseOnTime: 1,
    firstResponseLate: 1,
    resolutionOnTime: 1,
    resolutionLate: 0,
    overdueOpen: 2,
    decisions: [{ status: 'new', count: 4 }, { status: 'resolved', outcome: 'accepted', count: 1 }],
    scores: [{ score: 4, count: 1 }],
    comments: [],
    customers: [],
    investigated: 4,
    causeCategories: [{ key: 'machines', count: 1 }, { key: 'materials', count: 3 }],
    rootCauses: [{ key: 'worn die', count: 2 }, { key: 'cheap seal', count: 1 }],
  };

  it('shares the investigated claims and draws the root causes as Pareto charts, largest first', () => {
    const { rootCause } = buildReport(data);
    expect(rootCause.investigated).toEqual({ count: 4, of: 5, share: 0.8 });
    expect(rootCause.categories.map((item) => [item.key, item.count, item.share, item.cumulativeShare])).toEqual([
      ['materials', 3, 0.75, 0.75],
      ['machines', 1, 0.25, 1],
    ]);
    expect(rootCause.summaries.map((item) => [item.key, item.count])).toEqual([
      ['worn die', 2],
      ['cheap seal', 1],
    ]);
  });

  it('shares the claims with a verified corrective action (none counted: 0 of all)', () => {
    expect(buildReport({ ...data, withVerifiedAction: 2 }).rootCause.verifiedAction).toEqual({ count: 2, of: 5, share: 0.4 });
    expect(buildReport(data).rootCause.verifiedAction).toEqual({ count: 0, of: 5, share: 0 });
    expect(buildReport({ ...data, total: 0, withVerifiedAction: 0 }).rootCause.verifiedAction).toEqual({ count: 0, of: 0, share: null });
  });

  it('folds root-cause summaries typed differently into one key', () => {
    expect([' Worn  Die. ', 'worn die', 'WORN DIE!'].map(rootCauseKey)).toEqual(['worn die', 'worn die', 'worn die']);
    expect(rootCauseKey('Изношенный штамп.')).toBe('изношенный штамп');
  });

  it('fills the buckets, derives the category Pareto and keeps the counts', () => {
    const report = buildReport(data);
    expect(report.period).toEqual({ from: '2026-03-01', to: '2026-03-03', timezone: 'Europe/Moscow', granularity: 'day' });
    expect(report.volume.byCategory).toEqual({
      buckets: ['2026-03-01', '2026-03-02', '2026-03-03'],
      series: [
        { key: 'delivery', kind: 'value', counts: [0, 0, 3] },
        { key: 'defect', kind: 'value', counts: [2, 0, 0] },
      ],
    });
    expect(report.volume.byProduct.series).toEqual([
      { key: 'Kettle', kind: 'value', counts: [2, 0, 0] },
      { key: 'none', kind: 'none', counts: [0, 0, 3] },
    ]);
    expect(report.pareto.categories.map((bar) => [bar.key, bar.share, bar.cumulativeShare])).toEqual([['delivery', 0.6, 0.6], ['defect', 0.4, 1]]);
    expect(report.pareto.products).toEqual([{ key: 'Kettle', kind: 'value', count: 2, share: 1, cumulativeShare: 1 }]);
    expect(report.pareto.claimsWithoutProduct).toBe(3);
    expect(report.firstResponse).toEqual({ count: 2, averageHours: 3, medianHours: 3, p90Hours: 3.8 });
    expect(report.withinSla).toEqual({ firstResponse: { count: 1, of: 2, share: 0.5 }, resolution: { count: 1, of: 1, share: 1 }, overdueOpen: 2 });
    expect(report.decisions.open).toBe(4);
    expect(report.csat.average).toBe(4);
    expect(report.repeatProducts).toEqual([{ product: 'Kettle', count: 2, customers: 1 }]);
  });

  it('uses weeks for a quarter', () => {
    const report = buildReport({ ...data, from: '2026-01-01', to: '2026-03-31', byCategory: [{ bucket: '2026-W10', key: 'defect', count: 2 }] });
    expect(report.period.granularity).toBe('week');
    expect(report.volume.byCategory.buckets[0]).toBe('2026-W01');
    expect(report.volume.byCategory.buckets.at(-1)).toBe('2026-W14');
    expect(report.volume.byCategory.series[0]?.counts[9]).toBe(2);
  });
});
