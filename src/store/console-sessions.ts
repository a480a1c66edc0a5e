import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';

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

  /** Sign-in attempts for a login (by its hash) since the window started, or undefined. */
  async failures(loginHash: string): Promise<{ readonly windowStart: Date; readonly failures: number } | undefined> {
    const doc = await this.throttle.findOne({ _id: loginHash });
    return doc ? { windowStart: doc.windowStart, failures: doc.failures } : undefined;
  }

  /**
   * Reserves one sign-in attempt for a login before its password is checked: true while fewer
   * than `max` attempts were made in the window (a window older than `windowStartAfter` starts
   * again). The count only goes up by a conditional update, so a burst of parallel attempts gets
   * at most `max` checks. A successful sign-in clears it (`clearFailures`).
   */
  async reserveAttempt(loginHash: string, now: Date, windowStartAfter: Date, max: number): Promise<boolean> {
    await this.throttle.updateOne({ _id: loginHash, windowStart: { $lte: windowStartAfter } }, { $set: { windowStart: now, failures: 0 } });
    try {
      await this.throttle.updateOne({ _id: loginHash }, { $setOnInsert: { windowStart: now, failures: 0 } }, { upsert: true });
    } catch (error) {
      // two first attempts at once: the other one inserted the document
      if (!isDuplicateKey(error)) throw error;
    }
    const reserved = await this.throttle.updateOne({ _id: loginHash, failures: { $lt: max } }, { $inc: { failures: 1 } });
    return reserved.modifiedCount === 1;
  }

  async clearFailures(loginHash: string): Promise<void> {
    await this.throttle.deleteOne({ _id: loginHash });
  }
}
