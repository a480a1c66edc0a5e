import { ObjectId, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';
import { nextSequence } from './counters.js';
import { formatClaimNumber } from '../domain/numbering.js';
import { DomainError } from '../domain/errors.js';
import {
  assignmentEvent,
  customerInfoEvent,
  deliveryFailedEvent,
  slaEvent,
  surveyEvent,
  CUSTOMER_INFO_TEXT_MAX,
  type DeliveryFailure,
  planTransition,
  OPEN_STATUSES,
  type Actor,
  type Claim,
  type ClaimCommand,
  type ClaimEvent,
  type TransitionPlan,
} from '../domain/lifecycle.js';
import type { PreparedRegistration } from '../domain/registration.js';
import type { DepartmentStats } from '../domain/stats.js';
import { dueSlaChecks, nextSlaCheckAt } from '../domain/sla.js';
import { nextSurveyStep, surveyStartAt, type SurveyScore } from '../domain/survey.js';
import { SurveyConfig } from '../domain/desk.js';
import type { Attachment, CustomerIdentity } from '../domain/claim.js';

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
  /** Set when an event for the customer is added, cleared once every such event is delivered or failed. */
  customerNotifyPending?: boolean;
  /** When the SLA sweep next looks at the claim; absent when no check is left. */
  slaNextCheckAt?: Date;
  /** When the survey sweep next looks at the claim (set on resolution); absent otherwise. */
  surveyNextAt?: Date;
};

/** Who took an idempotency key first; the winner alone allocates the number. */
interface SubmissionDocument {
  _id: string;
  claimId: ObjectId;
  claimedAt: Date;
}

export interface RegisterResult {
  readonly claim: Claim;
  /** false when the idempotency key had been used: the earlier claim is returned, no number burned. */
  readonly created: boolean;
}

export interface ClaimRepositoryOptions {
  /** How long a retried submit waits for the first one to finish. */
  readonly waitForPeerMs?: number;
  /** After this long an unfinished submission is taken over (its first attempt crashed). */
  readonly staleSubmissionMs?: number;
  readonly now?: () => Date;
  /** The desk's survey timing (delay after resolution, reminder, window, cooldown). */
  readonly survey?: SurveyConfig;
}

/** Maps a stored claim to the domain claim (drops `_id` and the registry's own fields; shared with claim-queries.ts). */
export function toClaim(doc: ClaimDocument): Claim {
  const { _id, idempotencyKey: _key, year: _year, seq: _seq, staffSyncPending: _sync, staffSyncRetryAt: _retry, customerNotifyPending: _notify, slaNextCheckAt: _sla, surveyNextAt: _survey, ...rest } = doc;
  return { ...rest, id: _id.toHexString() };
}

/** How many open claims a staff member's list shows by default (Slack "mine"). */
export const OPEN_FOR_ASSIGNEE_LIMIT = 50;

/** The registry's own fields of a stored claim, beside the domain claim (see {@link ClaimDocument}). */
export type ClaimDocumentOwnFields = Pick<ClaimDocument, 'idempotencyKey'> &
  Partial<Pick<ClaimDocument, 'staffSyncPending' | 'staffSyncRetryAt' | 'customerNotifyPending' | 'slaNextCheckAt' | 'surveyNextAt'>>;

/**
 * Maps a domain claim to its stored document, the inverse of {@link toClaim}: `_id` from the id,
 * `year` and `seq` from the number, and the registry's own fields as given. Throws a RangeError
 * for an id that is not an ObjectId or a number that is not canonical.
 * @example const doc = toClaimDocument(claim, { idempotencyKey: 'telegram:42:submit:7', staffSyncPending: true });
 */
export function toClaimDocument(claim: Claim, own: ClaimDocumentOwnFields): ClaimDocument {
  const _id = toObjectId(claim.id);
  if (!_id) throw new RangeError(`not a claim id: ${claim.id}`);
  const number = /^(\d{4})-(\d+)$/.exec(claim.number);
  if (!number) throw new RangeError(`not a canonical claim number: ${claim.number}`);
  const { id: _claimId, history, ...rest } = claim;
  return { _id, ...rest, history: [...history], year: Number(number[1]), seq: Number(number[2]), ...own };
}

/**
 * The claim a registration creates under its number: status `new`, version 1, the registration
 * event as its history (what `register` stores; shared with the registry benchmark's generator).
 * @example const claim = registeredClaim(prepareRegistration(draft, desk, now), new ObjectId().toHexString(), 123);
 */
export function registeredClaim(prepared: PreparedRegistration, id: string, seq: number): Claim {
  return {
    id,
    number: formatClaimNumber(prepared.year, seq),
    ...prepared.draft,
    status: 'new',
    version: 1,
    department: prepared.department,
    createdAt: prepared.receivedAt,
    updatedAt: prepared.receivedAt,
    sla: prepared.sla,
    reopenCount: 0,
    history: [prepared.event],
  };
}

/** One customer's claims: the channel, the user and, for Slack, the workspace (user ids are per workspace). */
function customerFilter(customer: CustomerIdentity): Filter<ClaimDocument> {
  return {
    'customer.channel': customer.channel,
    'customer.userId': customer.userId,
    ...(customer.teamId !== undefined ? { 'customer.teamId': customer.teamId } : {}),
  };
}

function toObjectId(id: string): ObjectId | undefined {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The claim registry: the only place that queries the `claims` collection.
 * @example
 * const claims = new ClaimRepository(db);
 * const { claim } = await claims.register(prepareRegistration(draft, desk, new Date()), 'telegram:42:submit:7');
 * await claims.apply(claim.id, { action: 'take' }, { kind: 'staff', staffId: 'anna' });
 */
export class ClaimRepository {
  private readonly claims: Collection<ClaimDocument>;
  private readonly submissions: Collection<SubmissionDocument>;
  private readonly waitForPeerMs: number;
  private readonly staleSubmissionMs: number;
  private readonly now: () => Date;
  private readonly survey: SurveyConfig;

  constructor(private readonly db: Db, options: ClaimRepositoryOptions = {}) {
    this.survey = options.survey ?? SurveyConfig.parse({});
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
   * Marks that the staff's view shows this version of the claim. A change made meanwhile (another
   * version) keeps the mark pending, so the sweeper syncs again.
   */
  async markStaffSynced(id: string, version: number): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.claims.updateOne({ _id, version }, { $unset: { staffSyncPending: '', staffSyncRetryAt: '' } });
  }

  /** Puts a claim whose sync failed back in the queue, not before `until`. */
  async deferStaffSync(id: string, until: Date): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.claims.updateOne({ _id }, { $set: { staffSyncRetryAt: until } });
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

  /**
   * Records that the customer was told about an event (no new version: the claim did not change).
   * Idempotent: an event already delivered keeps its first time.
   */
  async recordDelivered(id: string, eventId: string, at: Date): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    const doc = await this.claims.findOne({ _id }, { projection: { history: 1 } });
    if (doc?.history.find((event) => event.id === eventId)?.deliveredAt) return;
    await this.claims.updateOne({ _id, 'history.id': eventId }, { $set: { 'history.$.deliveredAt': at } as UpdateFilter<ClaimDocument>['$set'] });
  }

  /**
   * Records that an event could not be delivered for good, and tells staff: a `delivery_failed`
   * event is added (once per event; it reaches the claim's Slack thread), then the failure is
   * marked on the event itself.
   */
  async recordDeliveryFailed(id: string, eventId: string, failure: DeliveryFailure): Promise<Claim> {
    const claim = await this.update(id, undefined, (current, now) => {
      const about = current.history.find((event) => event.id === eventId);
      if (!about || current.history.some((event) => event.type === 'delivery_failed' && event.aboutEventId === eventId)) return 'unchanged';
      return { set: {}, unset: [], events: [deliveryFailedEvent(about, failure, now)], now };
    });
    await this.claims.updateOne({ _id: new ObjectId(claim.id), 'history.id': eventId }, { $set: { 'history.$.deliveryFailure': failure } as UpdateFilter<ClaimDocument>['$set'] });
    return (await this.findById(claim.id)) ?? claim;
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

  /** Clears the notify mark, unless the claim changed since `version` was read. */
  async clearNotifyPending(id: string, version: number): Promise<void> {
    const _id = toObjectId(id);
    if (!_id) return;
    await this.claims.updateOne({ _id, version }, { $unset: { customerNotifyPending: '' } });
  }

  /** Ids of claims whose next SLA check is due at `now`, the most overdue first. */
  async listSlaDue(now: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims.find({ slaNextCheckAt: { $lte: now } }, { projection: { _id: 1 } }).sort({ slaNextCheckAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /**
   * Records the SLA warnings and breaches due now as history events (each once per claim and
   * deadline: the events themselves say what was recorded, and the write is compare-and-swap) and
   * moves the claim's next check on. Returns the events recorded.
   */
  async runSlaChecks(id: string, warnAtShare: number): Promise<{ claim: Claim; recorded: readonly ClaimEvent[] }> {
    let recorded: ClaimEvent[] = [];
    const claim = await this.update(id, undefined, (current, now) => {
      recorded = dueSlaChecks(current, warnAtShare, now).map((check) => slaEvent(check, now));
      if (recorded.length === 0) return 'unchanged';
      const next = nextSlaCheckAt({ ...current, history: [...current.history, ...recorded] }, warnAtShare);
      return next ? { set: { slaNextCheckAt: next }, unset: [], events: recorded, now } : { set: {}, unset: ['slaNextCheckAt'], events: recorded, now };
    });
    if (recorded.length === 0) {
      // nothing due (staff answered, the claim was resolved): only the next check moves
      const next = nextSlaCheckAt(claim, warnAtShare);
      const _id = new ObjectId(claim.id);
      await this.claims.updateOne({ _id, version: claim.version }, next ? { $set: { slaNextCheckAt: next } } : { $unset: { slaNextCheckAt: '' } });
    }
    return { claim, recorded };
  }

  /** Ids of resolved claims whose survey step is due at `now`. */
  async listSurveyDue(now: Date, limit = 100): Promise<string[]> {
    const docs = await this.claims.find({ surveyNextAt: { $lte: now } }, { projection: { _id: 1 } }).sort({ surveyNextAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /**
   * Takes a resolved claim's survey one step on (send, skip, remind, close — see
   * src/domain/survey.ts), compare-and-swap, so two workers never send the same survey twice.
   * Returns the claim and the events recorded.
   */
  async advanceSurvey(id: string): Promise<{ claim: Claim; recorded: readonly ClaimEvent[] } | undefined> {
    const found = await this.findById(id);
    if (!found) return undefined;
    const since = new Date(this.now().getTime() - this.survey.cooldownHours * 3_600_000);
    const recently = found.survey === undefined && found.status === 'resolved' && (await this.surveyedSince(found.customer, since, id));
    let recorded: ClaimEvent[] = [];
    const claim = await this.update(id, undefined, (current, now) => {
      const step = nextSurveyStep(current, this.survey, now, recently);
      switch (step.kind) {
        case 'none':
        case 'wait':
          return 'unchanged';
        case 'send':
        case 'skip':
        case 'remind':
          recorded = [surveyEvent(step.kind === 'send' ? 'survey_sent' : step.kind === 'skip' ? 'survey_skipped' : 'survey_reminder', now, step.kind === 'skip' && step.record.skipped ? { note: step.record.skipped } : {})];
          return { set: { survey: step.record, surveyNextAt: step.nextAt }, unset: [], events: recorded, now };
        case 'close': {
          const plan = planTransition(current, { action: 'close' }, { kind: 'system', reason: 'survey window over' }, now);
          recorded = [plan.event];
          return { set: plan.set, unset: [...plan.unset, 'surveyNextAt'], events: recorded, now };
        }
      }
    });
    if (recorded.length === 0) {
      // nothing to do yet (or any more): only the time of the next look moves
      const step = nextSurveyStep(claim, this.survey, this.now(), recently);
      const _id = new ObjectId(claim.id);
      if (step.kind === 'wait') await this.claims.updateOne({ _id, version: claim.version }, { $set: { surveyNextAt: step.nextAt } });
      else if (step.kind === 'none') await this.claims.updateOne({ _id, version: claim.version }, { $unset: { surveyNextAt: '' } });
    }
    return { claim, recorded };
  }

  /** Whether a customer was sent a survey since `since` (for another claim): the cooldown. */
  private async surveyedSince(customer: CustomerIdentity, since: Date, exceptId: string): Promise<boolean> {
    const doc = await this.claims.findOne({ ...customerFilter(customer), 'survey.sentAt': { $gte: since }, _id: { $ne: new ObjectId(exceptId) } }, { projection: { _id: 1 } });
    return doc !== null;
  }

  /**
   * Records a customer's survey answer (a score, or a comment) on their resolved claim. Refused
   * as `CLAIM_NOT_FOUND` for someone else's claim, and as `INVALID_TRANSITION` when no survey is
   * open (never sent, or the window is over). The same score twice changes nothing.
   */
  async recordSurveyAnswer(customer: CustomerIdentity, number: string, answer: { readonly score: SurveyScore } | { readonly comment: string }): Promise<Claim> {
    const found = await this.findForCustomer(customer, number);
    if (!found) throw new DomainError('CLAIM_NOT_FOUND', 'no such claim', {});
    return this.update(found.id, undefined, (claim, now) => {
      const survey = claim.survey;
      if (claim.status !== 'resolved' || !survey?.sentAt || now.getTime() >= survey.closeAt.getTime()) {
        throw new DomainError('INVALID_TRANSITION', 'the survey of this claim is not open', { number: claim.number, from: claim.status, action: 'survey' });
      }
      if ('score' in answer) {
        if (survey.score === answer.score) return 'unchanged';
        return { set: { survey: { ...survey, score: answer.score, answeredAt: now } }, unset: [], events: [surveyEvent('survey_answered', now, { score: answer.score })], now };
      }
      const comment = answer.comment.trim().slice(0, CUSTOMER_INFO_TEXT_MAX);
      if (comment === '' || survey.comment === comment) return 'unchanged';
      return { set: { survey: { ...survey, comment } }, unset: [], events: [surveyEvent('survey_commented', now, { note: comment })], now };
    });
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

  /**
   * Moves a claim through its lifecycle. The transition table decides; the update is a
   * compare-and-swap on `version`, so a concurrent change is never overwritten: with
   * `expectedVersion` a conflict throws `CONCURRENT_UPDATE`, without it the change is re-planned
   * on the fresh claim (and refused if no longer allowed).
   */
  async apply(id: string, command: ClaimCommand, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.update(id, options.expectedVersion, (claim, now) => {
      const plan = planTransition(claim, command, actor, now);
      // a resolution starts the survey clock; a reopened claim gets a new survey when resolved again
      if (plan.to === 'resolved') return { set: { ...plan.set, surveyNextAt: surveyStartAt(now, this.survey) }, unset: [...plan.unset, 'survey'], events: [plan.event], now };
      // reopened: the SLA checks look at it again at once (a deadline passed meanwhile is a breach)
      if (command.action === 'reopen') return { set: { ...plan.set, slaNextCheckAt: now }, unset: [...plan.unset, 'surveyNextAt'], events: [plan.event], now };
      if (plan.from === 'resolved' || plan.to === 'closed') return { set: plan.set, unset: [...plan.unset, 'surveyNextAt'], events: [plan.event], now };
      return { set: plan.set, unset: plan.unset, events: [plan.event], now };
    });
  }

  /**
   * Records information the customer added (text and/or files) on their claim. A claim waiting
   * for the customer moves back to where it was, in the same write. Idempotent on `eventId`:
   * adding the same message again returns the claim unchanged. A claim of another customer is
   * `CLAIM_NOT_FOUND`; a resolved or closed claim is `INVALID_TRANSITION`.
   */
  async addCustomerInfo(
    id: string,
    customer: CustomerIdentity,
    info: { readonly text?: string; readonly attachments: readonly Attachment[] },
    eventId: string,
  ): Promise<Claim> {
    return this.update(id, undefined, (claim, now) => {
      if (claim.customer.channel !== customer.channel || claim.customer.userId !== customer.userId || claim.customer.teamId !== customer.teamId) {
        throw new DomainError('CLAIM_NOT_FOUND', 'no such claim', {});
      }
      if (claim.history.some((event) => event.id === eventId)) return 'unchanged';
      if (!OPEN_STATUSES.includes(claim.status)) {
        throw new DomainError('INVALID_TRANSITION', `cannot add information to a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'add_info' });
      }
      const event = customerInfoEvent(eventId, info, now);
      if (claim.status !== 'awaiting_customer') return { set: {}, unset: [], events: [event], now };
      const plan = planTransition(claim, { action: 'customer_replied' }, { kind: 'customer' }, now);
      return { set: plan.set, unset: plan.unset, events: [event, plan.event], now };
    });
  }

  /**
   * Take: starts the review of a new claim and makes the taker its assignee, in one write (so the
   * history never says one person took it while another is the assignee).
   */
  async take(id: string, staffId: string, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.update(id, options.expectedVersion, (claim, now) => {
      const actor: Actor = { kind: 'staff', staffId };
      const plan = planTransition(claim, { action: 'take' }, actor, now);
      const events = claim.assigneeId === staffId ? [plan.event] : [plan.event, assignmentEvent(staffId, actor, now)];
      return { set: { ...plan.set, assigneeId: staffId }, unset: plan.unset, events, now };
    });
  }

  /** Assigns a claim to a staff member (any status but closed). */
  async assign(id: string, assigneeId: string, actor: Actor, options: { expectedVersion?: number } = {}): Promise<Claim> {
    return this.update(id, options.expectedVersion, (claim, now) => {
      if (claim.status === 'closed') {
        throw new DomainError('INVALID_TRANSITION', 'cannot assign a closed claim', { number: claim.number, from: claim.status, action: 'assign' });
      }
      return { set: { assigneeId }, unset: [], events: [assignmentEvent(assigneeId, actor, now)], now };
    });
  }

  /**
   * Compare-and-swap on `version`: the change is written only if nobody changed the claim since
   * it was read, and the new state is derived from exactly that version (no second read).
   */
  private async update(id: string, expectedVersion: number | undefined, plan: (claim: Claim, now: Date) => Change | 'unchanged'): Promise<Claim> {
    const _id = toObjectId(id);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = _id ? await this.claims.findOne({ _id }) : null;
      if (!current) throw new DomainError('CLAIM_NOT_FOUND', 'no such claim', {});
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new DomainError('CONCURRENT_UPDATE', 'the claim was changed by someone else', { number: current.number, version: current.version });
      }
      const change = plan(toClaim(current), this.now());
      if (change === 'unchanged') return toClaim(current);
      const notify = change.events.some((event) => event.notifyCustomer);
      const update: UpdateFilter<ClaimDocument> = {
        $set: { ...change.set, updatedAt: change.now, staffSyncPending: true, ...(notify ? { customerNotifyPending: true } : {}) },
        $inc: { version: 1 },
        $push: { history: { $each: [...change.events] } },
      };
      if (change.unset.length > 0) update.$unset = Object.fromEntries(change.unset.map((field) => [field, ''])) as UpdateFilter<ClaimDocument>['$unset'];
      const filter: Filter<ClaimDocument> = { _id: current._id, version: current.version };
      const result = await this.claims.updateOne(filter, update);
      if (result.modifiedCount === 1) {
        const next: ClaimDocument = { ...current, ...change.set, updatedAt: change.now, staffSyncPending: true, ...(notify ? { customerNotifyPending: true } : {}), version: current.version + 1, history: [...current.history, ...change.events] };
        const unset = new Set<string>(change.unset);
        return toClaim(Object.fromEntries(Object.entries(next).filter(([field]) => !unset.has(field))) as ClaimDocument);
      }
      if (expectedVersion !== undefined) {
        throw new DomainError('CONCURRENT_UPDATE', 'the claim was changed by someone else', { number: current.number });
      }
    }
    throw new DomainError('CONCURRENT_UPDATE', 'the claim keeps changing; try again', {});
  }
}

/** A planned change of one claim. */
interface Change {
  readonly set: Partial<Omit<ClaimDocument, '_id' | 'history' | 'version'>>;
  readonly unset: readonly (TransitionPlan['unset'][number] | 'slaNextCheckAt' | 'surveyNextAt' | 'survey')[];
  readonly events: readonly ClaimEvent[];
  readonly now: Date;
}

