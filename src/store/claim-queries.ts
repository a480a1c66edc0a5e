import type { Collection, Db, Filter } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { toClaim, type ClaimDocument } from './claims.js';
import { periodBounds, zonedDay, LIST_LIMIT_MAX, type ClaimFilter, type ListPaging } from '../domain/claim-filter.js';
import { OPEN_STATUSES, type Claim, type ClaimStatus, type RejectionReason } from '../domain/lifecycle.js';
import type { Channel } from '../domain/claim.js';
import { buildReport, granularityFor, newestFirst, CSAT_COMMENTS_MAX, REPEAT_TOP, type BucketCount, type CsatComment, type CustomerClaims, type Granularity, type Report, type RepeatProduct } from '../domain/reports.js';
import { isSurveyScore } from '../domain/survey.js';

/** `$dateToString` formats giving exactly the bucket keys of `bucketKey` in src/domain/reports.ts. */
const BUCKET_FORMATS: Readonly<Record<Granularity, string>> = { day: '%Y-%m-%d', week: '%G-W%V', month: '%Y-%m' };
/** Claims fetched per round trip when streaming the register, unless told otherwise. */
const STREAM_BATCH = 200;
/** Rows fetched per round trip when the report reads a projected cursor. */
const REPORT_BATCH = 1000;

/**
 * The query of "overdue at `now`" — the same rule as `isOverdue` in src/domain/claim-filter.ts:
 * open, and past the resolution due time or, never answered by staff, past the first-response due time.
 */
function overdueQuery(now: Date): Filter<ClaimDocument> {
  return {
    status: { $in: [...OPEN_STATUSES] },
    $or: [{ 'sla.resolutionDueAt': { $lt: now } }, { firstResponseAt: { $exists: false }, 'sla.firstResponseDueAt': { $lt: now } }],
  };
}

/**
 * The MongoDB query of a claims filter. Every value is a parsed string or number put in a fixed
 * field, so no input can become an operator; `q` matches the number exactly or the sequence.
 * @example claimsQuery({ department: 'quality', status: ['new'] }, new Date(), 'Europe/Moscow') // { department: 'quality', status: 'new' }
 */
export function claimsQuery(filter: ClaimFilter, now: Date, timezone: string): Filter<ClaimDocument> {
  const query: Record<string, unknown> = {};
  if (filter.department !== undefined) query.department = filter.department;
  if (filter.assignee !== undefined) query.assigneeId = filter.assignee === null ? { $exists: false } : filter.assignee;
  if (filter.status !== undefined) query.status = filter.status.length === 1 ? filter.status[0] : { $in: [...filter.status] };
  if (filter.category !== undefined) query.category = filter.category;
  if (filter.channel !== undefined) query['customer.channel'] = filter.channel;
  if (filter.product !== undefined) query['concerns.product'] = filter.product;
  if (filter.q !== undefined) {
    if ('number' in filter.q) query.number = filter.q.number;
    else query.seq = filter.q.sequence;
  }
  const { since, until } = periodBounds(filter, timezone);
  if (since !== undefined || until !== undefined) query.createdAt = { ...(since ? { $gte: since } : {}), ...(until ? { $lt: until } : {}) };
  const fields = query as Filter<ClaimDocument>;
  if (filter.overdue === undefined) return fields;
  const overdue: Filter<ClaimDocument> = filter.overdue ? overdueQuery(now) : { $nor: [overdueQuery(now)] };
  return Object.keys(query).length === 0 ? overdue : { $and: [fields, overdue] };
}

/** One page of the claims list. */
export interface ClaimPage {
  readonly claims: readonly Claim[];
  /** Claims matching the filter, on all pages. */
  readonly total: number;
  readonly page: number;
  readonly limit: number;
}

interface FacetResult {
  total: { n: number }[];
  byCategory: { _id: { b: string; k?: string }; n: number }[];
  byChannel: { _id: { b: string; k?: Channel }; n: number }[];
  sla: { frOn: number; frLate: number; resOn: number; resLate: number }[];
  decisions: { _id: { s: ClaimStatus; o?: 'accepted' | 'rejected'; r?: RejectionReason }; n: number }[];
  scores: { _id: number; n: number }[];
}

interface CustomerGroup {
  _id: { ch: Channel; u: string; t?: string };
  claims: { number: string; createdAt: Date; name: string }[];
}

/**
 * The staff console's reads of the claims register: the filtered list, the register export and
 * the report. Dates in filters (`from`, `to`) and report buckets are days in `timezone` (the desk's).
 * @example
 * const queries = new ClaimQueries(db, { timezone: desk.desk.timezone });
 * const { claims, total } = await queries.list({ status: ['new'] }, { page: 1, limit: 50 }, new Date());
 */
export class ClaimQueries {
  private readonly claims: Collection<ClaimDocument>;
  private readonly timezone: string;
  private readonly streamBatch: number;

  /** `timezone`: the desk's (default UTC); `streamBatch`: claims per round trip of `stream` (default 200). */
  constructor(db: Db, options: { readonly timezone?: string; readonly streamBatch?: number } = {}) {
    this.claims = db.collection<ClaimDocument>(COLLECTIONS.claims);
    this.timezone = options.timezone ?? 'UTC';
    this.streamBatch = options.streamBatch ?? STREAM_BATCH;
  }

  /**
   * A page of the claims matching a filter, newest first (ties by id), and how many match in all.
   * Paging is by page number (skip): fine for the pages people click through; deep pages cost a
   * scan of the skipped index entries.
   * @example await queries.list({ assignee: 'ivan', status: ['in_review'] }, { page: 2, limit: 20 }, new Date())
   */
  async list(filter: ClaimFilter, paging: ListPaging, now: Date): Promise<ClaimPage> {
    if (!Number.isInteger(paging.limit) || paging.limit < 1 || paging.limit > LIST_LIMIT_MAX) throw new RangeError(`limit must be 1–${LIST_LIMIT_MAX}, got ${paging.limit}`);
    if (!Number.isInteger(paging.page) || paging.page < 1) throw new RangeError(`page must be 1 or more, got ${paging.page}`);
    const query = claimsQuery(filter, now, this.timezone);
    const [docs, total] = await Promise.all([
      this.claims
        .find(query)
        .sort({ createdAt: -1, _id: -1 })
        .skip((paging.page - 1) * paging.limit)
        .limit(paging.limit)
        .toArray(),
      this.claims.countDocuments(query),
    ]);
    return { claims: docs.map(toClaim), total, page: paging.page, limit: paging.limit };
  }

  /**
   * Every claim matching a filter, oldest first (a register reads in order of registration),
   * fetched 200 at a time (`streamBatch`) through a cursor: memory stays flat however many there are. Breaking
   * out of the loop closes the cursor.
   * @example for await (const claim of queries.stream(filter, new Date())) res.write(registerCsvRow(claim, options));
   */
  async *stream(filter: ClaimFilter, now: Date): AsyncGenerator<Claim, void, undefined> {
    const cursor = this.claims.find(claimsQuery(filter, now, this.timezone)).sort({ createdAt: 1, _id: 1 }).batchSize(this.streamBatch);
    try {
      for await (const doc of cursor) yield toClaim(doc);
    } finally {
      await cursor.close();
    }
  }

  /**
   * The report of the claims a filter selects (see `Report` in src/domain/reports.ts). The period
   * runs from the filter's `from` (or the first matching claim's day) to its `to` (or today).
   * Counting and grouping run in the database (`$facet`, `$group`); the percentiles read the two
   * durations over a projected cursor (a few bytes a claim: fine up to a few million claims in
   * the period), the comments keep only the newest 50 while reading.
   * @example const report = await queries.report({ department: 'quality', from: '2026-11-01', to: '2026-11-30' }, new Date());
   */
  async report(filter: ClaimFilter, now: Date, timezone: string = this.timezone): Promise<Report> {
    const query = claimsQuery(filter, now, timezone);
    const to = filter.to ?? zonedDay(now, timezone);
    let from = filter.from;
    if (from === undefined) {
      const first = await this.claims.findOne(query, { sort: { createdAt: 1 }, projection: { createdAt: 1 } });
      from = first ? zonedDay(first.createdAt, timezone) : to;
      if (from > to) from = to;
    }
    const bucket = { $dateToString: { format: BUCKET_FORMATS[granularityFor(from, to)], date: '$createdAt', timezone } };

    const [facets, products, byProduct, customers, durations, comments, overdueOpen] = await Promise.all([
      this.facets(query, bucket),
      this.productTotals(query),
      this.claims
        .aggregate<{ _id: { b: string; p?: string }; n: number }>([{ $match: query }, { $group: { _id: { b: bucket, p: '$concerns.product' }, n: { $sum: 1 } } }])
        .batchSize(REPORT_BATCH)
        .toArray(),
      this.repeatCustomerGroups(query),
      this.durations(query),
      this.latestComments(query),
      this.claims.countDocuments({ $and: [query, overdueQuery(now)] }),
    ]);
    const total = facets.total[0]?.n ?? 0;
    const sla = facets.sla[0] ?? { frOn: 0, frLate: 0, resOn: 0, resLate: 0 };
    const row = (group: { _id: { b: string; k?: string | undefined }; n: number }): BucketCount => ({ bucket: group._id.b, key: group._id.k ?? null, count: group.n });
    return buildReport({
      timezone,
      from,
      to,
      asOf: now,
      total,
      byCategory: facets.byCategory.map(row),
      byChannel: facets.byChannel.map(row),
      byProduct: byProduct.map((group) => ({ bucket: group._id.b, key: group._id.p ?? null, count: group.n })),
      products,
      claimsWithoutProduct: total - products.reduce((sum, item) => sum + item.count, 0),
      firstResponseMs: durations.firstResponse,
      resolutionMs: durations.resolution,
      firstResponseOnTime: sla.frOn,
      firstResponseLate: sla.frLate,
      resolutionOnTime: sla.resOn,
      resolutionLate: sla.resLate,
      overdueOpen,
      decisions: facets.decisions.map((group) => ({
        status: group._id.s,
        ...(group._id.o !== undefined ? { outcome: group._id.o } : {}),
        ...(group._id.r !== undefined ? { reason: group._id.r } : {}),
        count: group.n,
      })),
      scores: facets.scores.map((group) => ({ score: group._id, count: group.n })),
      comments,
      customers: customers.map((group) => ({
        channel: group._id.ch,
        userId: group._id.u,
        ...(group._id.t !== undefined && group._id.t !== null ? { teamId: group._id.t } : {}),
        claims: group.claims,
      })) satisfies CustomerClaims[],
    });
  }

  /** The small counts, in one pass: total, per bucket by category and channel, SLA, decisions, scores. */
  private async facets(query: Filter<ClaimDocument>, bucket: object): Promise<FacetResult> {
    const onTime = (field: string, value: boolean) => ({ $sum: { $cond: [{ $eq: [`$${field}`, value] }, 1, 0] } });
    const [result] = await this.claims
      .aggregate<FacetResult>([
        { $match: query },
        {
          $facet: {
            total: [{ $count: 'n' }],
            byCategory: [{ $group: { _id: { b: bucket, k: '$category' }, n: { $sum: 1 } } }],
            byChannel: [{ $group: { _id: { b: bucket, k: '$customer.channel' }, n: { $sum: 1 } } }],
            sla: [{ $group: { _id: null, frOn: onTime('firstResponseWithinSla', true), frLate: onTime('firstResponseWithinSla', false), resOn: onTime('resolvedWithinSla', true), resLate: onTime('resolvedWithinSla', false) } }],
            decisions: [{ $group: { _id: { s: '$status', o: '$decision.outcome', r: '$decision.reason' }, n: { $sum: 1 } } }],
            scores: [{ $match: { 'survey.score': { $exists: true } } }, { $group: { _id: '$survey.score', n: { $sum: 1 } } }],
          },
        },
      ])
      .toArray();
    return result ?? { total: [], byCategory: [], byChannel: [], sla: [], decisions: [], scores: [] };
  }

  /** Per product: claims and different customers (channel, user and workspace). */
  private async productTotals(query: Filter<ClaimDocument>): Promise<RepeatProduct[]> {
    const groups = await this.claims
      .aggregate<{ _id: string; n: number; customers: number }>([
        { $match: { $and: [query, { 'concerns.product': { $exists: true } }] } },
        { $group: { _id: { p: '$concerns.product', ch: '$customer.channel', u: '$customer.userId', t: '$customer.teamId' }, n: { $sum: 1 } } },
        { $group: { _id: '$_id.p', n: { $sum: '$n' }, customers: { $sum: 1 } } },
      ])
      .batchSize(REPORT_BATCH)
      .toArray();
    return groups.map((group) => ({ product: group._id, count: group.n, customers: group.customers }));
  }

  /** The customers with the most claims (two or more), with their claims, newest first. */
  private repeatCustomerGroups(query: Filter<ClaimDocument>): Promise<CustomerGroup[]> {
    return this.claims
      .aggregate<CustomerGroup>([
        { $match: query },
        { $sort: { createdAt: -1 } },
        {
          $group: {
            _id: { ch: '$customer.channel', u: '$customer.userId', t: '$customer.teamId' },
            n: { $sum: 1 },
            latest: { $max: '$createdAt' },
            claims: { $push: { number: '$number', createdAt: '$createdAt', name: '$contact.name' } },
          },
        },
        { $match: { n: { $gte: 2 } } },
        { $sort: { n: -1, latest: -1, '_id.ch': 1, '_id.u': 1 } },
        { $limit: REPEAT_TOP },
      ])
      .toArray();
  }

  /** First-response and resolution durations (ms) over a projected cursor. */
  private async durations(query: Filter<ClaimDocument>): Promise<{ firstResponse: number[]; resolution: number[] }> {
    const firstResponse: number[] = [];
    const resolution: number[] = [];
    const cursor = this.claims
      .find(query, { projection: { _id: 0, firstResponseMs: 1, resolutionMs: 1 } })
      .batchSize(REPORT_BATCH);
    for await (const doc of cursor) {
      if (typeof doc.firstResponseMs === 'number') firstResponse.push(doc.firstResponseMs);
      if (typeof doc.resolutionMs === 'number') resolution.push(doc.resolutionMs);
    }
    return { firstResponse, resolution };
  }

  /**
   * The newest survey comments. A comment's time is that of its `survey_commented` history event
   * (the survey record keeps none), so the cursor reads the event types and times and keeps the newest 50.
   */
  private async latestComments(query: Filter<ClaimDocument>): Promise<CsatComment[]> {
    let kept: CsatComment[] = [];
    const cursor = this.claims
      .find({ $and: [query, { 'survey.comment': { $exists: true } }] }, { projection: { _id: 0, number: 1, survey: 1, 'history.type': 1, 'history.at': 1 } })
      .batchSize(REPORT_BATCH);
    for await (const doc of cursor) {
      const survey = doc.survey;
      if (survey?.comment === undefined) continue;
      const event = doc.history.filter((item) => item.type === 'survey_commented').at(-1);
      const at = event?.at ?? survey.answeredAt ?? survey.sentAt ?? survey.closeAt;
      kept.push({ number: doc.number, ...(survey.score !== undefined && isSurveyScore(survey.score) ? { score: survey.score } : {}), comment: survey.comment, at });
      if (kept.length >= CSAT_COMMENTS_MAX * 2) kept = newestFirst(kept, CSAT_COMMENTS_MAX);
    }
    return newestFirst(kept, CSAT_COMMENTS_MAX);
  }
}
