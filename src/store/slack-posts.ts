import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';

/** Where a claim is shown in Slack and which of its history events Slack has been told about. */
export interface SlackPost {
  readonly claimId: string;
  /** The department channel and the message's ts, once posted. */
  readonly channel?: string;
  readonly ts?: string;
  /** History events already carried out in Slack (threaded, pinged, notified). */
  readonly doneEvents: readonly string[];
}

interface SlackPostDocument {
  _id: string;
  channel?: string;
  ts?: string;
  doneEvents: string[];
  lockedUntil?: Date;
  lockToken?: string;
}

/**
 * The Slack side of each claim: its post and the events already shown. Also a short lease per
 * claim, so two app instances never sync one claim at the same time (no doubled thread replies).
 * @example
 * const posts = new SlackPostStore(db);
 * const token = await posts.lease(claimId, 150_000);
 * if (token) try { … } finally { await posts.release(claimId, token) }
 */
export class SlackPostStore {
  private readonly posts: Collection<SlackPostDocument>;

  constructor(db: Db, private readonly now: () => Date = () => new Date()) {
    this.posts = db.collection<SlackPostDocument>(COLLECTIONS.slackPosts);
  }

  async find(claimId: string): Promise<SlackPost | undefined> {
    const doc = await this.posts.findOne({ _id: claimId });
    if (!doc) return undefined;
    return {
      claimId: doc._id,
      doneEvents: doc.doneEvents,
      ...(doc.channel !== undefined ? { channel: doc.channel } : {}),
      ...(doc.ts !== undefined ? { ts: doc.ts } : {}),
    };
  }

  /**
   * Takes the claim's lease for `ms`: a token to renew and release it with, or undefined while
   * another holder's lease runs.
   */
  async lease(claimId: string, ms: number): Promise<string | undefined> {
    try {
      await this.posts.insertOne({ _id: claimId, doneEvents: [] });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const now = this.now();
    const token = randomUUID();
    const result = await this.posts.updateOne(
      { _id: claimId, $or: [{ lockedUntil: { $exists: false } }, { lockedUntil: { $lte: now } }] },
      { $set: { lockedUntil: new Date(now.getTime() + ms), lockToken: token } },
    );
    return result.modifiedCount === 1 ? token : undefined;
  }

  /** Extends a lease still held with `token`; false when it was lost (expired and taken). */
  async renew(claimId: string, token: string, ms: number): Promise<boolean> {
    const result = await this.posts.updateOne({ _id: claimId, lockToken: token }, { $set: { lockedUntil: new Date(this.now().getTime() + ms) } });
    return result.matchedCount === 1;
  }

  /** Releases a lease, only if still held with `token`. */
  async release(claimId: string, token: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId, lockToken: token }, { $unset: { lockedUntil: '', lockToken: '' } });
  }

  /** Records where the claim was posted. */
  async setMessage(claimId: string, channel: string, ts: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId }, { $set: { channel, ts } });
  }

  /** Records that a history event was carried out in Slack. */
  async markDone(claimId: string, eventId: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId }, { $addToSet: { doneEvents: eventId } });
  }
}
