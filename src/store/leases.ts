import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from './mongo.js';

interface LeaseDocument {
  _id: string;
  token: string;
  until: Date;
}

/**
 * Short exclusive leases by key, shared by every app instance on the database: one holder at a
 * time, a token to renew and release with, and expiry so a crashed holder never blocks for long.
 * @example
 * const token = await leases.acquire('notify:42', 120_000);
 * if (token) try { … await leases.renew('notify:42', token, 120_000) … } finally { await leases.release('notify:42', token) }
 */
export class Leases {
  private readonly leases: Collection<LeaseDocument>;

  constructor(db: Db, collection: string, private readonly now: () => Date = () => new Date()) {
    this.leases = db.collection<LeaseDocument>(collection);
  }

  /** The lease for `ms`: a token, or undefined while another holder's lease runs. */
  async acquire(key: string, ms: number): Promise<string | undefined> {
    const now = this.now();
    const token = randomUUID();
    const until = new Date(now.getTime() + ms);
    const taken = await this.leases.updateOne({ _id: key, until: { $lte: now } }, { $set: { token, until } });
    if (taken.modifiedCount === 1) return token;
    try {
      await this.leases.insertOne({ _id: key, token, until });
      return token;
    } catch (error) {
      // someone holds it (or took it a moment ago)
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  /** Extends a lease still held with `token`; false when it was lost (expired and taken). */
  async renew(key: string, token: string, ms: number): Promise<boolean> {
    const result = await this.leases.updateOne({ _id: key, token }, { $set: { until: new Date(this.now().getTime() + ms) } });
    return result.matchedCount === 1;
  }

  /** Releases a lease, only if still held with `token`. */
  async release(key: string, token: string): Promise<void> {
    await this.leases.deleteOne({ _id: key, token });
  }
}
