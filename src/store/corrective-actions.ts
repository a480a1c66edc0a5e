import { ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import { changedAction, formatActionNumber, type ActionChange, type ActionFilter, type ActionOpening, type CorrectiveAction } from '../domain/capa.js';

export type { ActionFilter } from '../domain/capa.js';
import { COLLECTIONS } from './collections.js';
import { nextSequence } from './counters.js';
import { toObjectId } from './mongo.js';

/** The stored shape of an action: the domain action with `_id` and the sweeps' own fields. */
type ActionDocument = Omit<CorrectiveAction, 'id'> & {
  _id: ObjectId;
  year: number;
  seq: number;
  /** When the reminder sweep next looks at it; absent when nothing is left to say. */
  nextCheckAt?: Date;
  /** Set when an event that tells somebody is added; cleared once every such alert went out. */
  alertsPending?: boolean;
  /** The alerts sent, `<event id>:<staff id>`, so a retry never sends one twice. */
  alertsDone?: string[];
  /** After a failed delivery: not before this time again (a failing one never holds back the rest). */
  alertsRetryAt?: Date;
  /** While one worker delivers the alerts: until when it holds them (a crashed worker's hold runs out). */
  alertsLeaseUntil?: Date;
};

function toAction(doc: ActionDocument): CorrectiveAction {
  const { _id, year: _year, seq: _seq, nextCheckAt: _next, alertsPending: _pending, alertsDone: _done, alertsRetryAt: _retry, alertsLeaseUntil: _lease, ...rest } = doc;
  return { ...rest, id: _id.toHexString() };
}


/** The actions' ports: what the CAPA desk and its sweep need of the store. */
export interface ActionStore {
  open(opening: ActionOpening, year: number, alerts: boolean): Promise<CorrectiveAction>;
  findById(id: string): Promise<CorrectiveAction | undefined>;
  findByNumber(number: string): Promise<CorrectiveAction | undefined>;
  apply(action: CorrectiveAction, change: ActionChange, alerts: boolean): Promise<CorrectiveAction | undefined>;
  list(filter: ActionFilter, page: { readonly skip: number; readonly limit: number }): Promise<{ readonly actions: CorrectiveAction[]; readonly total: number }>;
  listDueChecks(now: Date, limit: number): Promise<string[]>;
  listAlertsPending(now: Date, limit: number): Promise<string[]>;
  deferAlerts(id: string, until: Date): Promise<void>;
  leaseAlerts(id: string, now: Date, ms: number): Promise<boolean>;
  releaseAlerts(id: string): Promise<void>;
  alertsDone(id: string): Promise<readonly string[]>;
  markAlerted(id: string, key: string): Promise<void>;
  clearAlertsPending(id: string, version: number): Promise<void>;
}

/**
 * The corrective and preventive actions (`corrective_actions`): numbered per year from the
 * counters, changed only by compare-and-swap on `version` with a change the domain planned
 * (src/domain/capa.ts), swept by `nextCheckAt` for reminders and by `alertsPending` for the
 * pings staff are owed.
 * @example const action = await store.open(opening, 2026, true); // A-2026-0001
 */
export class CorrectiveActionStore implements ActionStore {
  private readonly actions: Collection<ActionDocument>;

  constructor(private readonly db: Db) {
    this.actions = db.collection<ActionDocument>(COLLECTIONS.correctiveActions);
  }

  async open(opening: ActionOpening, year: number, alerts: boolean): Promise<CorrectiveAction> {
    const seq = await nextSequence(this.db, `actions-${year}`);
    const doc: ActionDocument = {
      _id: new ObjectId(),
      ...opening.action,
      number: formatActionNumber(year, seq),
      year,
      seq,
      nextCheckAt: opening.nextCheckAt,
      ...(alerts ? { alertsPending: true } : {}),
      alertsDone: [],
    };
    await this.actions.insertOne(doc);
    return toAction(doc);
  }

  async findById(id: string): Promise<CorrectiveAction | undefined> {
    const _id = toObjectId(id);
    const doc = _id ? await this.actions.findOne({ _id }) : null;
    return doc ? toAction(doc) : undefined;
  }

  async findByNumber(number: string): Promise<CorrectiveAction | undefined> {
    const doc = await this.actions.findOne({ number });
    return doc ? toAction(doc) : undefined;
  }

  async apply(action: CorrectiveAction, change: ActionChange, alerts: boolean): Promise<CorrectiveAction | undefined> {
    const _id = toObjectId(action.id);
    if (!_id) return undefined;
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, ''> = {};
    if (change.nextCheckAt === null) $unset.nextCheckAt = '';
    else if (change.nextCheckAt) $set.nextCheckAt = change.nextCheckAt;
    const update: UpdateFilter<ActionDocument> = {};
    if (change.events.length > 0) {
      Object.assign($set, change.set, { updatedAt: change.at }, alerts ? { alertsPending: true } : {});
      update.$inc = { version: 1 };
      update.$push = { history: { $each: [...change.events] } };
    }
    if (Object.keys($set).length > 0) update.$set = $set;
    if (Object.keys($unset).length > 0) update.$unset = $unset;
    if (Object.keys(update).length === 0) return action;
    const result = await this.actions.updateOne({ _id, version: action.version }, update);
    return result.matchedCount === 0 ? undefined : changedAction(action, change);
  }

  async list(filter: ActionFilter, page: { readonly skip: number; readonly limit: number }): Promise<{ readonly actions: CorrectiveAction[]; readonly total: number }> {
    const query = toQuery(filter);
    const [docs, total] = await Promise.all([
      this.actions.find(query).sort({ createdAt: -1, _id: -1 }).skip(page.skip).limit(page.limit).toArray(),
      this.actions.countDocuments(query),
    ]);
    return { actions: docs.map(toAction), total };
  }

  async listDueChecks(now: Date, limit: number): Promise<string[]> {
    const docs = await this.actions.find({ nextCheckAt: { $lte: now } }, { projection: { _id: 1 } }).sort({ nextCheckAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  async listAlertsPending(now: Date, limit: number): Promise<string[]> {
    const docs = await this.actions.find({ alertsPending: true, $or: [{ alertsRetryAt: { $exists: false } }, { alertsRetryAt: { $lte: now } }] }, { projection: { _id: 1 } }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Takes the hold on an action's alerts for `ms`, unless another worker holds it: only the holder sends. */
  async leaseAlerts(id: string, now: Date, ms: number): Promise<boolean> {
    const _id = toObjectId(id);
    if (!_id) return false;
    const result = await this.actions.updateOne(
      { _id, $or: [{ alertsLeaseUntil: { $exists: false } }, { alertsLeaseUntil: { $lte: now } }] },
      { $set: { alertsLeaseUntil: new Date(now.getTime() + ms) } },
    );
    return result.modifiedCount === 1;
  }

  async releaseAlerts(id: string): Promise<void> {
    const _id = toObjectId(id);
    if (_id) await this.actions.updateOne({ _id }, { $unset: { alertsLeaseUntil: '' } });
  }

  async deferAlerts(id: string, until: Date): Promise<void> {
    const _id = toObjectId(id);
    if (_id) await this.actions.updateOne({ _id }, { $set: { alertsRetryAt: until } });
  }

  async alertsDone(id: string): Promise<readonly string[]> {
    const _id = toObjectId(id);
    const doc = _id ? await this.actions.findOne({ _id }, { projection: { alertsDone: 1 } }) : null;
    return doc?.alertsDone ?? [];
  }

  async markAlerted(id: string, key: string): Promise<void> {
    const _id = toObjectId(id);
    if (_id) await this.actions.updateOne({ _id }, { $addToSet: { alertsDone: key } });
  }

  /** Clears the flag only for the version whose alerts were all sent (a newer change keeps it). */
  async clearAlertsPending(id: string, version: number): Promise<void> {
    const _id = toObjectId(id);
    if (_id) await this.actions.updateOne({ _id, version }, { $unset: { alertsPending: '', alertsRetryAt: '' } });
  }
}

function toQuery(filter: ActionFilter): Filter<ActionDocument> {
  const query: Record<string, unknown> = {};
  if (filter.status) query.status = filter.status;
  if (filter.ownerId) query.ownerId = filter.ownerId;
  if (filter.kind) query.kind = filter.kind;
  if (filter.category) query.category = filter.category;
  if (filter.productKey) query.productKey = filter.productKeys && filter.productKeys.length > 1 ? { $in: [...filter.productKeys] } : filter.productKey;
  if (filter.department) query.department = filter.department;
  if (filter.claimId) query.claimIds = filter.claimId;
  if (filter.overdueAt) {
    query.status = 'open';
    query.dueAt = { $lt: filter.overdueAt };
  }
  if (filter.from || filter.to) query.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
  return query;
}
