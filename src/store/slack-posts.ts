import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { Leases } from './leases.js';

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
  /** The other messages posted about the claim (thread lines, alerts), so an erasure can rewrite them (#26). */
  messages?: { channel: string; ts: string }[];
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

  private readonly leases: Leases;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.posts = db.collection<SlackPostDocument>(COLLECTIONS.slackPosts);
    this.leases = new Leases(db, COLLECTIONS.slackLeases, now);
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

  /** The claim whose card is the message `ts` in `channel` (a thread's parent), or undefined. */
  async claimOfMessage(channel: string, ts: string): Promise<string | undefined> {
    const doc = await this.posts.findOne({ channel, ts }, { projection: { _id: 1 } });
    return doc?._id;
  }

  /** Takes the claim's lease for `ms`: a token, or undefined while another holder's lease runs. */
  lease(claimId: string, ms: number): Promise<string | undefined> {
    return this.leases.acquire(claimId, ms);
  }

  /** Extends a lease still held with `token`; false when it was lost. */
  renew(claimId: string, token: string, ms: number): Promise<boolean> {
    return this.leases.renew(claimId, token, ms);
  }

  /** Releases a lease, only if still held with `token`. */
  release(claimId: string, token: string): Promise<void> {
    return this.leases.release(claimId, token);
  }

  /** Records where the claim was posted. */
  async setMessage(claimId: string, channel: string, ts: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId }, { $set: { channel, ts }, $setOnInsert: { doneEvents: [] } }, { upsert: true });
  }

  /** Records a message posted about the claim besides its card (a thread line, an alert). */
  async recordMessage(claimId: string, channel: string, ts: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId }, { $addToSet: { messages: { channel, ts } }, $setOnInsert: { doneEvents: [] } }, { upsert: true });
  }

  /** The messages posted about the claim besides its card. */
  async messagesOf(claimId: string): Promise<{ readonly channel: string; readonly ts: string }[]> {
    const doc = await this.posts.findOne({ _id: claimId }, { projection: { messages: 1 } });
    return doc?.messages ?? [];
  }

  /** Forgets a message once it was rewritten (an erasure goes on from the next one after a crash). */
  async forgetMessage(claimId: string, channel: string, ts: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId }, { $pull: { messages: { channel, ts } } });
  }

  /** Records that a history event was carried out in Slack. */
  async markDone(claimId: string, eventId: string): Promise<void> {
    await this.posts.updateOne({ _id: claimId }, { $addToSet: { doneEvents: eventId } }, { upsert: true });
  }
}
