import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';

/**
 * One staff action, done or refused: the audit trail. Ids and codes only — never the text a
 * staff member typed (a question or reply may quote the customer).
 */
export interface StaffActionRecord {
  readonly at: Date;
  readonly action: string;
  readonly outcome: 'done' | 'refused';
  /** Why it was refused (a StaffRefusal, or invalid_transition, conflict, not_found…). */
  readonly reason?: string;
  readonly claimId?: string;
  /** The desk-config id, when the person is listed. */
  readonly staffId?: string;
  /** Where it came from: a Slack button, modal or command, or the web console. */
  readonly via?: 'slack' | 'console';
  readonly slack?: { readonly teamId: string; readonly userId: string };
}

type StaffActionDocument = StaffActionRecord;

/**
 * The staff action log.
 * @example await new StaffActionLog(db).record({ at: new Date(), action: 'take', outcome: 'refused', reason: 'not_staff', slack });
 */
export class StaffActionLog {
  private readonly actions: Collection<StaffActionDocument>;

  constructor(db: Db) {
    this.actions = db.collection<StaffActionDocument>(COLLECTIONS.staffActions);
  }

  async record(entry: StaffActionRecord): Promise<void> {
    await this.actions.insertOne({ ...entry });
  }

  /** The entries about a claim, newest first. */
  async forClaim(claimId: string, limit = 50): Promise<StaffActionRecord[]> {
    const docs = await this.actions.find({ claimId }, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
    return docs;
  }

  /** The entries of one Slack user, newest first (refusals of people not on the staff list). */
  async forSlackUser(teamId: string, userId: string, limit = 50): Promise<StaffActionRecord[]> {
    const docs = await this.actions.find({ 'slack.teamId': teamId, 'slack.userId': userId }, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
    return docs;
  }
}
