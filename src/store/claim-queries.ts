import type { Collection, Db, Filter } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { toClaim, type ClaimDocument } from './claims.js';
import { periodBounds, zonedDay, LIST_LIMIT_MAX, type ClaimFilter, type ListPaging } from '../domain/claim-filter.js';
import { OPEN_STATUSES, type Claim } from '../domain/lifecycle.js';
import type { Channel } from '../domain/claim.js';
import { bucketKey, buildReport, rootCauseKey, granularityFor, newestFirst, CSAT_COMMENTS_MAX, REPEAT_TOP, type BucketCount, type CsatComment, type CustomerClaims, type DecisionCount, type Report, type RepeatProduct } from '../domain/reports.js';
import { isSurveyScore } from '../domain/survey.js';
import type { DeskConfig } from '../domain/desk.js';
import { catalogueProduct, productGroup } from '../domain/products.js';
import { claimsWithVerifiedAction } from './analysis.js';

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
  private readonly catalogue: Pick<DeskConfig, 'products' | 'desk'>;

  /**
   * `timezone`: the desk's (default UTC); `streamBatch`: claims per round trip of `stream` (default
   * 200); `desk`: its product catalogue and language, by which the report groups and names products.
   */
  constructor(
    private readonly db: Db,
    options: { readonly timezone?: string; readonly streamBatch?: number; readonly desk?: Pick<DeskConfig, 'products' | 'desk'> } = {},
  ) {
    this.catalogue = options.desk ?? { products: [], desk: { name: { ru: '', en: '' }, timezone: 'UTC', defaultLocale: 'ru', currency: 'RUB' } };
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
   * Within the portable subset (README, "Database compatibility rule"): one projected cursor reads
   * what each claim contributes (a few hundred bytes a claim: fine up to a few million claims in
   * the period) and the counting, bucketing and percentiles happen in code; the database only
   * counts (repeat customers: `$group` with `$sum`), and the comments keep only the newest 50.
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
    const granularity = granularityFor(from, to);
    const verified = await claimsWithVerifiedAction(this.db);
    const [pass, customers, comments, overdueOpen] = await Promise.all([
      this.onePass(query, (at) => bucketKey(zonedDay(at, timezone), granularity), verified),
      this.repeatCustomerGroups(query),
      this.latestComments(query),
      this.claims.countDocuments({ $and: [query, overdueQuery(now)] }),
    ]);
    return buildReport({ timezone, from, to, asOf: now, ...pass, overdueOpen, comments, customers });
  }

  /**
   * Everything a claim adds to the report's counts, read in one pass over a projected cursor.
   * Products are counted by group (src/domain/products.ts) and named by the catalogue (the desk's
   * language) or else by the spelling most claims of the group use.
   */
  private async onePass(query: Filter<ClaimDocument>, bucketOf: (at: Date) => string, verified: ReadonlySet<string>) {
    const counter = <K>() => {
      const counts = new Map<string, { key: K; count: number }>();
      return {
        add(id: string, key: K) {
          const item = counts.get(id);
          if (item) item.count++;
          else counts.set(id, { key, count: 1 });
        },
        items: () => [...counts.values()],
      };
    };
    const byCategory = counter<BucketCount>();
    const byChannel = counter<BucketCount>();
    const byProduct = counter<BucketCount>();
    const decisions = counter<Omit<DecisionCount, 'count'>>();
    const scores = counter<number>();
    const causeCategories = new Map<string, number>();
    const rootCauses = new Map<string, number>();
    let investigated = 0;
    let withVerifiedAction = 0;
    const spellings = new Map<string, Map<string, number>>();
    const products = new Map<string, { count: number; customers: Set<string> }>();
    const firstResponseMs: number[] = [];
    const resolutionMs: number[] = [];
    let total = 0;
    let withoutProduct = 0;
    let firstResponseOnTime = 0;
    let firstResponseLate = 0;
    let resolutionOnTime = 0;
    let resolutionLate = 0;
    const cursor = this.claims
      .find(query, {
        projection: {
          _id: 1, createdAt: 1, category: 1, status: 1, customer: 1, 'concerns.product': 1, 'decision.outcome': 1, 'decision.reason': 1,
          'survey.score': 1, firstResponseMs: 1, resolutionMs: 1, firstResponseWithinSla: 1, resolvedWithinSla: 1,
          'investigation.causeCategory': 1, 'investigation.rootCause': 1,
        },
      })
      .batchSize(REPORT_BATCH);
    for await (const doc of cursor) {
      total++;
      const bucket = bucketOf(doc.createdAt);
      const product = productGroup(this.catalogue, doc.concerns.product);
      if (product !== undefined && doc.concerns.product !== undefined) {
        const names = spellings.get(product) ?? new Map<string, number>();
        names.set(doc.concerns.product, (names.get(doc.concerns.product) ?? 0) + 1);
        spellings.set(product, names);
      }
      if (verified.has(doc._id.toHexString())) withVerifiedAction++;
      byCategory.add(`${bucket}\u0000${doc.category}`, { bucket, key: doc.category, count: 0 });
      byChannel.add(`${bucket}\u0000${doc.customer.channel}`, { bucket, key: doc.customer.channel, count: 0 });
      byProduct.add(`${bucket}\u0000${product ?? ''}`, { bucket, key: product ?? null, count: 0 });
      if (product === undefined) withoutProduct++;
      else {
        const item = products.get(product) ?? { count: 0, customers: new Set<string>() };
        item.count++;
        item.customers.add(`${doc.customer.channel}\u0000${doc.customer.userId}\u0000${doc.customer.teamId ?? ''}`);
        products.set(product, item);
      }
      const outcome = doc.decision?.outcome;
      const reason = doc.decision?.outcome === 'rejected' ? doc.decision.reason : undefined;
      decisions.add(`${doc.status}|${outcome ?? ''}|${reason ?? ''}`, { status: doc.status, ...(outcome ? { outcome } : {}), ...(reason ? { reason } : {}) });
      const score = doc.survey?.score;
      if (score !== undefined) scores.add(String(score), score);
      if (typeof doc.firstResponseMs === 'number') firstResponseMs.push(doc.firstResponseMs);
      if (typeof doc.resolutionMs === 'number') resolutionMs.push(doc.resolutionMs);
      if (doc.firstResponseWithinSla === true) firstResponseOnTime++;
      if (doc.firstResponseWithinSla === false) firstResponseLate++;
      if (doc.resolvedWithinSla === true) resolutionOnTime++;
      if (doc.resolvedWithinSla === false) resolutionLate++;
      if (doc.investigation) {
        investigated++;
        const cause = doc.investigation.causeCategory;
        if (cause) causeCategories.set(cause, (causeCategories.get(cause) ?? 0) + 1);
        const summary = doc.investigation.rootCause ? rootCauseKey(doc.investigation.rootCause) : '';
        if (summary !== '') rootCauses.set(summary, (rootCauses.get(summary) ?? 0) + 1);
      }
    }
    const counts = (map: Map<string, number>) => [...map].map(([key, count]) => ({ key, count }));
    const rows = (items: { key: BucketCount; count: number }[]): BucketCount[] => items.map(({ key, count }) => ({ ...key, count }));
    const name = (group: string) => {
      const listed = catalogueProduct(this.catalogue, group);
      if (listed) return listed.name[this.catalogue.desk.defaultLocale];
      const used = [...(spellings.get(group) ?? [])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      return used[0]?.[0] ?? group;
    };
    return {
      total,
      byCategory: rows(byCategory.items()),
      byChannel: rows(byChannel.items()),
      byProduct: rows(byProduct.items()).map((row) => (row.key === null ? row : { ...row, key: name(row.key) })),
      products: [...products].map(([product, item]): RepeatProduct => ({ product: name(product), count: item.count, customers: item.customers.size })),
      claimsWithoutProduct: withoutProduct,
      firstResponseMs,
      resolutionMs,
      firstResponseOnTime,
      firstResponseLate,
      resolutionOnTime,
      resolutionLate,
      decisions: decisions.items().map(({ key, count }) => ({ ...key, count })),
      scores: scores.items().map(({ key, count }) => ({ score: key, count })),
      investigated,
      causeCategories: counts(causeCategories),
      rootCauses: counts(rootCauses),
      withVerifiedAction,
    };
  }

  /**
   * The customers with the most claims (two or more), with their claims, newest first: the
   * database counts claims per customer (`$group` with `$sum`), then the top customers' claims are read.
   */
  private async repeatCustomerGroups(query: Filter<ClaimDocument>): Promise<CustomerClaims[]> {
    const counted = await this.claims
      .aggregate<{ _id: { ch: Channel; u: string; t?: string | null }; n: number }>([
        { $match: query },
        { $group: { _id: { ch: '$customer.channel', u: '$customer.userId', t: '$customer.teamId' }, n: { $sum: 1 } } },
        { $match: { n: { $gte: 2 } } },
        { $sort: { n: -1 } },
      ])
      .batchSize(REPORT_BATCH)
      .toArray();
    // ties at the cut are settled by the latest claim (in code), so read a few more than the top
    const top = counted.slice(0, REPEAT_TOP * 2);
    return Promise.all(
      top.map(async (group) => {
        const teamId = group._id.t ?? undefined;
        const docs = await this.claims
          .find({ $and: [query, { 'customer.channel': group._id.ch, 'customer.userId': group._id.u, ...(teamId !== undefined ? { 'customer.teamId': teamId } : { 'customer.teamId': { $exists: false } }) }] }, { projection: { _id: 0, number: 1, createdAt: 1, 'contact.name': 1 } })
          .sort({ createdAt: -1 })
          .toArray();
        return {
          channel: group._id.ch,
          userId: group._id.u,
          ...(teamId !== undefined ? { teamId } : {}),
          claims: docs.map((doc) => ({ number: doc.number, createdAt: doc.createdAt, name: doc.contact.name })),
        };
      }),
    );
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
