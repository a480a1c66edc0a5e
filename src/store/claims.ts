import { ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey, toObjectId } from './mongo.js';
import { nextSequence } from './counters.js';
import { DomainError } from '../domain/errors.js';
import { claimNumberParts } from '../domain/numbering.js';
import { OPEN_STATUSES, type Claim, type ClaimEvent } from '../domain/lifecycle.js';
import { changedClaim, isEmptyChange, isNewVersion, type ClaimChange, type ClaimSchedule, type EventMark } from '../domain/claim-changes.js';
import type { ClaimOutbox, ClaimReads, ClaimStore, ClaimSweeps, RegisterResult } from '../domain/claim-ports.js';
import { registeredClaim, type PreparedRegistration } from '../domain/registration.js';
import type { DepartmentStats } from '../domain/stats.js';
import type { CustomerIdentity } from '../domain/claim.js';

export type { RegisterResult } from '../domain/claim-ports.js';

/** The stored shape of a claim: the domain claim with `_id` and the registry's own fields. */
export type ClaimDocument = Omit<Claim, 'id' | 'history'> & {
  _id: ObjectId;
  idempotencyKey: string;
  year: number;
  seq: number;
  history: ClaimEvent[];
  /** Set by every change, cleared once the staff's view (the Slack post) shows this version. */
  staffSyncPending?: boolean;
  /** After a failed sync: not before this time again (so a few failing claims never block the rest). */
  staffSyncRetryAt?: Date;
  /** Set by every change, cleared once the console's notifications of this version are stored (#25). */
  consoleAlertsPending?: boolean;
  /** Set when an event for the customer is added, cleared once every such event is delivered or failed. */
  customerNotifyPending?: boolean;
  /** When the SLA sweep next looks at the claim; absent when no check is left. */
  slaNextCheckAt?: Date;
  /** When the survey sweep next looks at the claim (set on resolution); absent otherwise. */
  surveyNextAt?: Date;
  /** When the fulfilment sweep next looks at the claim (a remedy's due date, its escalation; #25); absent otherwise. */
  fulfilmentNextAt?: Date;
};

/** Who took an idempotency key first; the winner alone allocates the number. */
interface SubmissionDocument {
  _id: string;
  claimId: ObjectId;
  claimedAt: Date;
}

export interface ClaimRepositoryOptions {
  /** How long a retried submit waits for the first one to finish. */
  readonly waitForPeerMs?: number;
  /** After this long an unfinished submission is taken over (its first attempt crashed). */
  readonly staleSubmissionMs?: number;
  readonly now?: () => Date;
}

/** Maps a stored claim to the domain claim (drops `_id` and the registry's own fields; shared with claim-queries.ts). */
export function toClaim(doc: ClaimDocument): Claim {
  const { _id, idempotencyKey: _key, year: _year, seq: _seq, staffSyncPending: _sync, staffSyncRetryAt: _retry, consoleAlertsPending: _alerts, customerNotifyPending: _notify, slaNextCheckAt: _sla, surveyNextAt: _survey, fulfilmentNextAt: _fulfilment, ...rest } = doc;
  return { ...rest, id: _id.toHexString() };
}

/** How many open claims a staff member's list shows by default (Slack "mine"). */
export const OPEN_FOR_ASSIGNEE_LIMIT = 50;

/** The registry's own fields of a stored claim, beside the domain claim (see {@link ClaimDocument}). */
export type ClaimDocumentOwnFields = Pick<ClaimDocument, 'idempotencyKey'> &
  Partial<Pick<ClaimDocument, 'staffSyncPending' | 'staffSyncRetryAt' | 'consoleAlertsPending' | 'customerNotifyPending' | 'slaNextCheckAt' | 'surveyNextAt' | 'fulfilmentNextAt'>>;

/**
 * Maps a domain claim to its stored document, the inverse of {@link toClaim}: `_id` from the id,
 * `year` and `seq` from the number, and the registry's own fields as given. Throws a RangeError
 * for an id that is not an ObjectId or a number that is not canonical.
 * @example const doc = toClaimDocument(claim, { idempotencyKey: 'telegram:42:submit:7', staffSyncPending: true });
 */
export function toClaimDocument(claim: Claim, own: ClaimDocumentOwnFields): ClaimDocument {
  const _id = toObjectId(claim.id);
  if (!_id) throw new RangeError(`not a claim id: ${claim.id}`);
  const number = claimNumberParts(claim.number);
  if (!number) throw new RangeError(`not a canonical claim number: ${claim.number}`);
  const { id: _claimId, history, ...rest } = claim;
  return { _id, ...rest, history: [...history], year: number.year, seq: number.sequence, ...own };
}

/** One customer's claims: the channel, the user and, for Slack, the workspace (user ids are per workspace). */
function customerFilter(customer: CustomerIdentity): Filter<ClaimDocument> {
  return {
    'customer.channel': customer.channel,
    'customer.userId': customer.userId,
    ...(customer.teamId !== undefined ? { 'customer.teamId': customer.teamId } : {}),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The claims collection: the only place that queries it. It registers claims, finds them, answers
 * the sweeps' queries, keeps the outbox marks, and applies a change planned in the domain
 * (src/domain/claim-changes.ts) by compare-and-swap on `version`. It decides nothing about what a
 * change does: the registry service plans, this writes. Every write of a claim goes through
 * `register` (the insert) or {@link ClaimRepository.write} (every update).
 * @example
 * const claims = new ClaimRepository(db);
 * const { claim } = await claims.register(prepareRegistration(draft, desk, new Date()), 'telegram:42:submit:7');
 * const result = plan(claim, { type: 'take', staffId: 'anna' }, changePolicy(desk), new Date());
 * if (!isRefusal(result)) await claims.apply(claim, result); // undefined: changed meanwhile, plan again
 */
export class ClaimRepository implements ClaimStore, ClaimReads, ClaimSweeps, ClaimOutbox {
  private readonly claims: Collection<ClaimDocument>;
  private readonly submissions: Collection<SubmissionDocument>;
  private readonly waitForPeerMs: number;
  private readonly staleSubmissionMs: number;
  private readonly now: () => Date;

  constructor(private readonly db: Db, options: ClaimRepositoryOptions = {}) {
    this.claims = db.collection<ClaimDocument>(COLLECTIONS.claims);
    this.submissions = db.collection<SubmissionDocument>(COLLECTIONS.claimSubmissions);
    this.waitForPeerMs = options.waitForPeerMs ?? 10_000;
    this.staleSubmissionMs = options.staleSubmissionMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Registers a claim under the next number of its year, idempotently on `idempotencyKey`:
   * a retried submit returns the first claim and burns no number.
   */
  async register(prepared: PreparedRegistration, idempotencyKey: string): Promise<RegisterResult> {
    const existing = await this.claims.findOne({ idempotencyKey });
    if (existing) return { claim: toClaim(existing), created: false };

    const submission: SubmissionDocument = { _id: idempotencyKey, claimId: new ObjectId(), claimedAt: this.now() };
    try {
      await this.submissions.insertOne(submission);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return this.awaitPeer(prepared, idempotencyKey);
    }
    return this.allocateAndInsert(prepared, idempotencyKey, submission.claimId);
  }

  private async allocateAndInsert(prepared: PreparedRegistration, idempotencyKey: string, claimId: ObjectId): Promise<RegisterResult> {
    const seq = await nextSequence(this.db, `claims-${prepared.year}`);
    const claim = registeredClaim(prepared, claimId.toHexString(), seq);
    const doc = toClaimDocument(claim, {
      idempotencyKey,
      staffSyncPending: true,
      consoleAlertsPending: true,
      slaNextCheckAt: prepared.slaNextCheckAt,
      ...(prepared.event.notifyCustomer && prepared.event.deliveredAt === undefined ? { customerNotifyPending: true } : {}),
    });
    try {
      await this.claims.insertOne(doc);
      return { claim, created: true };
    } catch (error) {
      // only after a takeover can the original attempt have finished meanwhile
      if (!isDuplicateKey(error)) throw error;
      const finished = await this.claims.findOne({ idempotencyKey });
      if (!finished) throw error;
      return { claim: toClaim(finished), created: false };
    }
  }

  /** Another call holds the key: wait for its claim; take over if that call died. */
  private async awaitPeer(prepared: PreparedRegistration, idempotencyKey: string): Promise<RegisterResult> {
    const deadline = Date.now() + this.waitForPeerMs;
    let delay = 20;
    for (;;) {
      const done = await this.claims.findOne({ idempotencyKey });
      if (done) return { claim: toClaim(done), created: false };
      const submission = await this.submissions.findOne({ _id: idempotencyKey });
      if (submission && this.now().getTime() - submission.claimedAt.getTime() >= this.staleSubmissionMs) {
        const takenOver = await this.submissions.findOneAndUpdate(
          { _id: idempotencyKey, claimedAt: submission.claimedAt },
          { $set: { claimedAt: this.now() } },
          { returnDocument: 'after' },
        );
        if (takenOver) return this.allocateAndInsert(prepared, idempotencyKey, submission.claimId);
      }
      if (Date.now() >= deadline) {
        throw new DomainError('REGISTRATION_STUCK', 'an earlier submit of this claim is still being registered', {});
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
    }
  }

  /** About how many claims are stored (from the collection's metadata: no scan). */
  /** About how many claims are stored (from the collection's metadata: no scan). */
  estimatedCount(): Promise<number> {
    return this.claims.estimatedDocumentCount();
  }

  /** A claim by its id, or undefined (also for a malformed id). */
  async findById(id: string): Promise<Claim | undefined> {
    const _id = toObjectId(id);
    if (!_id) return undefined;
    const doc = await this.claims.findOne({ _id });
    return doc ? toClaim(doc) : undefined;
  }

  /** A claim by its canonical number (`2026-000123`), or undefined. */
  async findByNumber(number: string): Promise<Claim | undefined> {
    const doc = await this.claims.findOne({ number: number });
    return doc ? toClaim(doc) : undefined;
  }

  /**
   * A customer's claim by its canonical number, or undefined — also when the number belongs to
   * someone else, so a customer cannot learn whether another customer's number exists.
   */
  async findForCustomer(customer: CustomerIdentity, number: string): Promise<Claim | undefined> {
    const doc = await this.claims.findOne({ number, ...customerFilter(customer) });
    return doc ? toClaim(doc) : undefined;
  }

  /** A customer's claims, newest first. */
  /** Whether the customer has any claim (the web chat's housekeeping keeps such a visitor). */
  async hasClaimsOf(customer: CustomerIdentity): Promise<boolean> {
    return (await this.claims.countDocuments(customerFilter(customer), { limit: 1 })) > 0;
  }

  /** The ids of the files the customer's claims hold, sent with them or added later (uploads no claim holds are pruned). */
  async fileIdsHeldBy(customer: CustomerIdentity): Promise<Set<string>> {
    const docs = await this.claims.find(customerFilter(customer), { projection: { 'attachments.fileId': 1, 'history.attachments.fileId': 1 } }).toArray();
    const held = new Set<string>();
    for (const doc of docs as Partial<Pick<ClaimDocument, 'attachments' | 'history'>>[]) {
      for (const file of doc.attachments ?? []) held.add(file.fileId);
      for (const event of doc.history ?? []) for (const file of event.attachments ?? []) held.add(file.fileId);
    }
    return held;
  }

  async listForCustomer(customer: CustomerIdentity, limit = 20): Promise<Claim[]> {
    const docs = await this.claims
      .find(customerFilter(customer))
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(toClaim);
  }

  /** A staff member's open claims, newest first (at most {@link OPEN_FOR_ASSIGNEE_LIMIT} unless told). */
  async listOpenForAssignee(staffId: string, limit = OPEN_FOR_ASSIGNEE_LIMIT): Promise<Claim[]> {
    const docs = await this.claims
      .find({ assigneeId: staffId, status: { $in: [...OPEN_STATUSES] } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(toClaim);
  }

  /**
   * A department's numbers for the digest: claims received since `since`, open now, overdue now
   * (open past the resolution due time), resolved since `since`, and the average survey score
   * of the answers given since `since` (undefined without answers).
   */
  async departmentStats(department: string, since: Date, now: Date): Promise<DepartmentStats> {
    const open = { department, status: { $in: [...OPEN_STATUSES] } };
    const [received, openCount, overdue, resolved, answers] = await Promise.all([
      this.claims.countDocuments({ department, createdAt: { $gte: since } }),
      this.claims.countDocuments(open),
      this.claims.countDocuments({ ...open, 'sla.resolutionDueAt': { $lt: now } }),
      this.claims.countDocuments({ department, resolvedAt: { $gte: since } }),
      this.claims.find({ department, 'survey.answeredAt': { $gte: since } }, { projection: { 'survey.score': 1 } }).toArray(),
    ]);
    const scores = answers.flatMap((doc) => (doc.survey?.score !== undefined ? [doc.survey.score] : []));
    const csat = scores.length > 0 ? scores.reduce((sum, score) => sum + score, 0) / scores.length : undefined;
    return { received, open: openCount, overdue, resolved, answers: scores.length, ...(csat !== undefined ? { csat } : {}) };
  }

  /** Ids of claims whose next SLA check is due at `now`, the most overdue first. */
  async listSlaDue(now: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims.find({ slaNextCheckAt: { $lte: now } }, { projection: { _id: 1 } }).sort({ slaNextCheckAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Ids of resolved claims whose survey step is due at `now`. */
  async listSurveyDue(now: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims.find({ surveyNextAt: { $lte: now } }, { projection: { _id: 1 } }).sort({ surveyNextAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Ids of claims whose fulfilment check (a remedy's due date or its escalation) is due at `now`, the most overdue first (#25). */
  async listFulfilmentDue(now: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims.find({ fulfilmentNextAt: { $lte: now } }, { projection: { _id: 1 } }).sort({ fulfilmentNextAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Ids of claims with events the customer may not have been told about, changed before `before`. */
  async listNotifyPending(before: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims
      .find({ customerNotifyPending: true, updatedAt: { $lt: before } }, { projection: { _id: 1 } })
      .sort({ updatedAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Ids of claims whose latest change the staff's view may not show yet, changed before `before`. */
  async listStaffSyncPending(before: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims
      .find(
        { staffSyncPending: true, updatedAt: { $lt: before }, $or: [{ staffSyncRetryAt: { $exists: false } }, { staffSyncRetryAt: { $lte: this.now() } }] },
        { projection: { _id: 1 } },
      )
      .sort({ updatedAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Whether a customer was sent a survey since `since` for another claim (the survey cooldown asks). */
  async surveyedSince(customer: CustomerIdentity, since: Date, exceptId: string): Promise<boolean> {
    const doc = await this.claims.findOne({ ...customerFilter(customer), 'survey.sentAt': { $gte: since }, _id: { $ne: new ObjectId(exceptId) } }, { projection: { _id: 1 } });
    return doc !== null;
  }

  /**
   * Marks that the staff's view shows this version of the claim. A change made meanwhile (another
   * version) keeps the mark pending, so the sweeper syncs again.
   */
  async markStaffSynced(id: string, version: number): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.write({ _id, version }, { $unset: { staffSyncPending: '', staffSyncRetryAt: '' } });
  }

  /** Ids of claims whose latest change may owe the console's notifications, changed before `before`, oldest first. */
  async listConsoleAlertsPending(before: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims.find({ consoleAlertsPending: true, updatedAt: { $lt: before } }, { projection: { _id: 1 } }).sort({ updatedAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** Marks that the console's notifications of this version are stored; a change made meanwhile keeps the mark. */
  async markConsoleAlerted(id: string, version: number): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.write({ _id, version }, { $unset: { consoleAlertsPending: '' } });
  }

  /** Puts a claim whose sync failed back in the queue, not before `until`. */
  async deferStaffSync(id: string, until: Date): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.write({ _id }, { $set: { staffSyncRetryAt: until } });
  }

  /** Clears the notify mark, unless the claim changed since `version` was read. */
  async clearNotifyPending(id: string, version: number): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.write({ _id, version }, { $unset: { customerNotifyPending: '' } });
  }

  /**
   * Applies a planned change (src/domain/claim-changes.ts) to the version of the claim it was
   * planned on: one `updateOne` filtered on `{ _id, version }`. A change with events is a new
   * version (`version` + 1, `updatedAt`, the events pushed, marked for the staff's view and, when
   * an event is for the customer, for the notifications); a change without is bookkeeping of the
   * same version (the sweeps' schedule, a mark on one event). Marks of a new version follow its
   * write, each on its own event. Returns the claim after the change, derived from the swapped
   * version (no second read), or undefined when the claim changed meanwhile: plan again.
   */
  async apply(claim: Claim, change: ClaimChange): Promise<Claim | undefined> {
    const _id = toObjectId(claim.id);
    if (!_id) throw new DomainError('CLAIM_NOT_FOUND', 'no such claim', {});
    if (isEmptyChange(change)) return claim;
    const update: { $set: Record<string, unknown>; $unset: Record<string, ''>; $inc?: { version: number }; $push?: { history: { $each: ClaimEvent[] } } } = { $set: {}, $unset: {} };
    scheduleUpdate(change.schedule, update);
    const filter: Filter<ClaimDocument> = { _id, version: claim.version };
    let later: readonly EventMark[] = change.marks;
    if (isNewVersion(change)) {
      const notify = change.events.some((event) => event.notifyCustomer);
      Object.assign(update.$set, change.set, { updatedAt: change.at, staffSyncPending: true, consoleAlertsPending: true }, notify ? { customerNotifyPending: true } : {});
      for (const field of change.unset) update.$unset[field] = '';
      update.$inc = { version: 1 };
      update.$push = { history: { $each: [...change.events] } };
    } else {
      // one mark goes with the same version's write (the positional operator takes one event)
      const [mark, ...rest] = change.marks;
      if (mark) {
        filter['history.id'] = mark.eventId;
        Object.assign(update.$set, markUpdate(mark));
      }
      later = rest;
    }
    if (Object.keys(update.$set).length === 0) delete (update as { $set?: unknown }).$set;
    if (Object.keys(update.$unset).length === 0) delete (update as { $unset?: unknown }).$unset;
    const result = await this.write(filter, update);
    if (result.matchedCount === 0) return undefined;
    // an event's mark touches only that event: after the swap, no other change can be overwritten
    for (const mark of later) await this.write({ _id, 'history.id': mark.eventId }, { $set: markUpdate(mark) as UpdateFilter<ClaimDocument>['$set'] });
    return changedClaim(claim, change);
  }

  /**
   * Writes a claim's erased form (src/domain/erasure.ts `erasedClaim`) by compare-and-swap on its
   * version: the personal fields replaced, the idempotency key (it names the chat) replaced by the
   * claim's id, a new version marked for the staff's view (Slack shows the erased card) and no
   * notification left pending (there is nobody to tell). Returns false when the claim changed
   * meanwhile (read it again and erase again).
   */
  async writeErased(claim: Claim, erased: Claim): Promise<boolean> {
    const _id = toObjectId(claim.id);
    if (!_id) return false;
    const fields = ['contact', 'description', 'attachments', 'concerns', 'customer', 'conversation', 'history', 'decision', 'survey', 'assessment', 'investigation', 'erasedAt'] as const;
    const $set: Record<string, unknown> = { idempotencyKey: `erased:${claim.id}`, version: claim.version + 1, updatedAt: erased.erasedAt ?? this.now(), staffSyncPending: true };
    for (const field of fields) if (erased[field] !== undefined) $set[field] = erased[field];
    const result = await this.write({ _id, version: claim.version }, { $set, $unset: { customerNotifyPending: '' } });
    return result.matchedCount === 1;
  }

  /** Every update of a claim goes through here (so what holds for claim writes holds for all of them). */
  private write(filter: Filter<ClaimDocument>, update: UpdateFilter<ClaimDocument>): Promise<{ readonly matchedCount: number }> {
    return this.claims.updateOne(filter, update);
  }
}

/** The sweeps' schedule as `$set` / `$unset` (null: no next look). */
function scheduleUpdate(schedule: ClaimSchedule, update: { $set: Record<string, unknown>; $unset: Record<string, ''> }): void {
  for (const [field, at] of Object.entries(schedule) as [keyof ClaimSchedule, Date | null | undefined][]) {
    if (at === undefined) continue;
    if (at === null) update.$unset[field] = '';
    else update.$set[field] = at;
  }
}

/** An event's mark as positional `$set` fields (the filter names the event by `history.id`). */
function markUpdate(mark: EventMark): Record<string, unknown> {
  return {
    ...(mark.deliveredAt ? { 'history.$.deliveredAt': mark.deliveredAt } : {}),
    ...(mark.deliveryFailure ? { 'history.$.deliveryFailure': mark.deliveryFailure } : {}),
    ...(mark.deliveredParts !== undefined ? { 'history.$.deliveredParts': mark.deliveredParts } : {}),
  };
}
