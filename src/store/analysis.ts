import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import type { CorrectiveAction } from '../domain/capa.js';
import type { DeskConfig } from '../domain/desk.js';
import { EffectivenessTally, effectivenessReport, effectivenessWindows, tallyRange, type EffectivenessFilter, type EffectivenessReport } from '../domain/effectiveness.js';
import type { SimilarCandidate } from '../domain/similarity.js';
import type { ClaimDocument } from './claims.js';
import { COLLECTIONS } from './collections.js';
import { toObjectId } from './mongo.js';

/** Rows fetched per round trip on the analysis' projected cursors. */
const BATCH = 1000;
/** The most earlier claims one similar-claims search reads (the newest of the window). */
export const SIMILAR_CANDIDATES_MAX = 20_000;

type ActionRow = Omit<CorrectiveAction, 'id'> & { _id: ObjectId };

/**
 * The ids of the claims linked to a verified corrective action (the report's share; index
 * `by_status_due` narrows to the verified actions).
 */
export async function claimsWithVerifiedAction(db: Db): Promise<Set<string>> {
  const ids = new Set<string>();
  const cursor = db.collection<ActionRow>(COLLECTIONS.correctiveActions).find({ status: 'verified', kind: 'corrective' }, { projection: { _id: 0, claimIds: 1 } }).batchSize(BATCH);
  for await (const doc of cursor) for (const id of doc.claimIds) ids.add(id);
  return ids;
}


/**
 * The analysis' reads (#24) within the portable subset (README, database compatibility rule: no
 * text index, no `$lookup`): the counts of the
 * CAPA effectiveness (one projected pass over the claims of the windows; the domain counts,
 * src/domain/effectiveness.ts) and the candidates of a similar-claims search (the domain scores
 * them, src/domain/similarity.ts).
 * @example const report = await new AnalysisQueries(db, desk).effectiveness({}, new Date());
 */
export class AnalysisQueries {
  private readonly claims: Collection<ClaimDocument>;
  private readonly actions: Collection<ActionRow>;

  constructor(
    db: Db,
    private readonly desk: Pick<DeskConfig, 'products' | 'analysis'>,
  ) {
    this.claims = db.collection<ClaimDocument>(COLLECTIONS.claims);
    this.actions = db.collection<ActionRow>(COLLECTIONS.correctiveActions);
  }

  /**
   * The CAPA effectiveness report: the verified corrective actions the filter selects, and the
   * claims of their windows counted in one pass over a projected cursor.
   */
  async effectiveness(filter: EffectivenessFilter, now: Date, days: number = this.desk.analysis.effectivenessDays): Promise<EffectivenessReport> {
    const query: Record<string, unknown> = { status: 'verified', kind: 'corrective' };
    if (filter.department !== undefined) query.department = filter.department;
    if (filter.category !== undefined) query.category = filter.category;
    if (filter.from || filter.to) query.verifiedAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    const docs = await this.actions.find(query as Filter<ActionRow>, { projection: { history: 0 } }).toArray();
    const actions = docs.map(({ _id, ...rest }): CorrectiveAction => ({ ...rest, history: [], id: _id.toHexString() }));
    const windows = effectivenessWindows(actions, this.desk, days, now);
    const range = tallyRange(windows);
    const tally = new EffectivenessTally(windows, this.desk);
    if (range) {
      const claimsQuery: Record<string, unknown> = { createdAt: { $gte: range.from, $lt: range.to } };
      if (range.categories) claimsQuery.category = range.categories.length === 1 ? range.categories[0] : { $in: [...range.categories] };
      const cursor = this.claims.find(claimsQuery as Filter<ClaimDocument>, { projection: { _id: 0, createdAt: 1, category: 1, 'concerns.product': 1 } }).batchSize(BATCH);
      for await (const doc of cursor) tally.add({ createdAt: doc.createdAt, category: doc.category, ...(doc.concerns.product !== undefined ? { product: doc.concerns.product } : {}) });
    }
    return effectivenessReport(windows, tally.counts(), days, now, (product) => tally.nameOf(product));
  }

  /**
   * The claims a similar-claims search scores: of `category`, registered in [since, before), not
   * `excludeId`, the newest {@link SIMILAR_CANDIDATES_MAX} (index `by_category`).
   */
  async similarCandidates(category: string, since: Date, before: Date, excludeId?: string): Promise<SimilarCandidate[]> {
    const query: Record<string, unknown> = { category, createdAt: { $gte: since, $lt: before } };
    const excluded = excludeId ? toObjectId(excludeId) : undefined;
    if (excluded) query._id = { $ne: excluded };
    const cursor = this.claims
      .find(query as Filter<ClaimDocument>, {
        projection: { _id: 1, number: 1, status: 1, createdAt: 1, department: 1, 'concerns.product': 1, description: 1, 'investigation.causeCategory': 1, 'investigation.rootCause': 1 },
      })
      .sort({ createdAt: -1 })
      .limit(SIMILAR_CANDIDATES_MAX)
      .batchSize(BATCH);
    const found: SimilarCandidate[] = [];
    for await (const doc of cursor) {
      const cause = doc.investigation?.causeCategory;
      const root = doc.investigation?.rootCause;
      found.push({
        id: doc._id.toHexString(),
        number: doc.number,
        status: doc.status,
        createdAt: doc.createdAt,
        department: doc.department,
        description: doc.description,
        ...(doc.concerns.product !== undefined ? { product: doc.concerns.product } : {}),
        ...(cause ? { causeCategory: cause } : {}),
        ...(root ? { rootCause: root } : {}),
      });
    }
    return found;
  }
}
