import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';

/** A signed-in console session. Only the token's SHA-256 hash is kept, never the token. */
export interface ConsoleSession {
  readonly tokenHash: string;
  readonly staffId: string;
  readonly createdAt: Date;
  /** The hard end: the session is over at this time whatever happens. */
  readonly expiresAt: Date;
  /** The soft end: moved forward while the session is used. */
  readonly idleUntil: Date;
}

interface SessionDocument {
  _id: string;
  staffId: string;
  createdAt: Date;
  expiresAt: Date;
  idleUntil: Date;
}

interface LoginThrottleDocument {
  _id: string;
  windowStart: Date;
  failures: number;
}

/**
 * Console sessions and the failed sign-in counter, on the desk's database (so every app instance
 * sees the same sessions and the same lockouts).
 * @example
 * await sessions.create({ tokenHash, staffId: 'olga', createdAt: now, expiresAt, idleUntil });
 * const session = await sessions.find(tokenHash);
 */
export class ConsoleSessionStore {
  private readonly sessions: Collection<SessionDocument>;
  private readonly throttle: Collection<LoginThrottleDocument>;

  constructor(db: Db) {
    this.sessions = db.collection<SessionDocument>(COLLECTIONS.consoleSessions);
    this.throttle = db.collection<LoginThrottleDocument>(COLLECTIONS.consoleLogins);
  }

  async create(session: ConsoleSession): Promise<void> {
    const { tokenHash, ...rest } = session;
    await this.sessions.insertOne({ _id: tokenHash, ...rest });
  }

  async find(tokenHash: string): Promise<ConsoleSession | undefined> {
    const doc = await this.sessions.findOne({ _id: tokenHash });
    if (!doc) return undefined;
    const { _id, ...rest } = doc;
    return { tokenHash: _id, ...rest };
  }

  /** Moves the soft end of a session forward. */
  async touch(tokenHash: string, idleUntil: Date): Promise<void> {
    await this.sessions.updateOne({ _id: tokenHash }, { $set: { idleUntil } });
  }

  async delete(tokenHash: string): Promise<void> {
    await this.sessions.deleteOne({ _id: tokenHash });
  }

  /** Deletes every session that has ended by `now`; returns how many. */
  async deleteEnded(now: Date): Promise<number> {
    const result = await this.sessions.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { idleUntil: { $lte: now } }] });
    return result.deletedCount;
  }

  /** Failed sign-ins for a login (by its hash) since the window started, or undefined. */
  async failures(loginHash: string): Promise<{ readonly windowStart: Date; readonly failures: number } | undefined> {
    const doc = await this.throttle.findOne({ _id: loginHash });
    return doc ? { windowStart: doc.windowStart, failures: doc.failures } : undefined;
  }

  /** Counts a failed sign-in: starts a new window when the last one is older than `windowStartAfter`. */
  async recordFailure(loginHash: string, now: Date, windowStartAfter: Date): Promise<void> {
    const restarted = await this.throttle.updateOne({ _id: loginHash, windowStart: { $lte: windowStartAfter } }, { $set: { windowStart: now, failures: 1 } });
    if (restarted.matchedCount > 0) return;
    await this.throttle.updateOne({ _id: loginHash }, { $inc: { failures: 1 }, $setOnInsert: { windowStart: now } }, { upsert: true });
  }

  async clearFailures(loginHash: string): Promise<void> {
    await this.throttle.deleteOne({ _id: loginHash });
  }
}
