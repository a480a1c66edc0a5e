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
  /** Sign-in checks reserved since the record started (a successful sign-in deletes it). */
  failures: number;
  /** No check before this time. */
  nextAt: Date;
  /** After this the record is forgotten (and housekeeping deletes it). */
  expiresAt: Date;
}

/** Whether a sign-in check may run now for a throttle key, or from when. */
export type CheckReservation = { readonly ok: true } | { readonly ok: false; readonly until: Date };

/** How many times a reservation tries again when parallel attempts race for the same record. */
const RESERVE_TRIES = 8;

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

  /**
   * Reserves one sign-in check for a throttle key (a login's or a client address's hash) before
   * the password is checked. The n-th check since the record started sets the earliest time of
   * the next one to `now + delayMs(n)`; a check before that time is refused with that time. Every
   * change is a compare-and-swap on the count, so a burst of parallel attempts gets only the
   * checks whose delay is still zero, plus one. A record quiet for `forgetMs` after its next time
   * starts again.
   */
  async reserveCheck(key: string, now: Date, delayMs: (checks: number) => number, forgetMs: number): Promise<CheckReservation> {
    const times = (checks: number) => {
      const nextAt = new Date(now.getTime() + delayMs(checks));
      return { failures: checks, nextAt, expiresAt: new Date(nextAt.getTime() + forgetMs) };
    };
    for (let attempt = 0; attempt < RESERVE_TRIES; attempt++) {
      const doc = await this.throttle.findOne({ _id: key });
      if (!doc) {
        try {
          await this.throttle.insertOne({ _id: key, ...times(1) });
          return { ok: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          continue; // a parallel attempt made it first
        }
      }
      // a record without the current fields (an earlier version's) or past its time starts again
      const expired = !(doc.expiresAt instanceof Date) || !(doc.nextAt instanceof Date) || doc.expiresAt <= now;
      if (!expired && doc.nextAt > now) return { ok: false, until: doc.nextAt };
      const checks = expired ? 1 : doc.failures + 1;
      const swapped = await this.throttle.updateOne({ _id: key, failures: doc.failures, nextAt: doc.nextAt }, { $set: times(checks) });
      if (swapped.modifiedCount === 1) return { ok: true };
    }
    // too many parallel attempts on one key: this one waits a moment
    return { ok: false, until: new Date(now.getTime() + 1_000) };
  }

  /** Forgets the checks of these keys (a successful sign-in). */
  async clearChecks(keys: readonly string[]): Promise<void> {
    await this.throttle.deleteMany({ _id: { $in: [...keys] } });
  }

  /** Deletes throttle records that have expired by `now` (and those of an earlier version); returns how many. */
  async deleteExpiredChecks(now: Date): Promise<number> {
    const result = await this.throttle.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { expiresAt: { $exists: false } }] });
    return result.deletedCount;
  }
}
