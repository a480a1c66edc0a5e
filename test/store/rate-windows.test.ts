import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { RateWindowStore } from '../../src/store/rate-windows.js';
import { COLLECTIONS, ensureIndexes } from '../../src/store/collections.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('ratewindows');
  await ensureIndexes(t.db);
});
afterAll(async () => {
  await t.close();
});

/** A clock a test moves by hand, starting at `ms`. */
function clockAt(ms: number) {
  const clock = { ms, now: () => new Date(clock.ms) };
  return clock;
}

describe('shared rate windows (store)', () => {
  it('of 40 takes at once from two clients of one database, exactly the limit are taken', async () => {
    const other = await MongoClient.connect(t.uri, { maxPoolSize: 20 });
    try {
      const clock = clockAt(Date.UTC(2026, 11, 3, 12, 0, 5));
      const first = new RateWindowStore(t.db, clock.now);
      const second = new RateWindowStore(other.db(t.db.databaseName), clock.now);
      const takes = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? first : second).take('race', 7, 60_000)));
      expect(takes.filter((take) => take.taken)).toHaveLength(7);
      // refused until the window ends, 55 s from now
      expect(takes.find((take) => !take.taken)).toEqual({ taken: false, retryAfterSeconds: 55 });
    } finally {
      await other.close();
    }
  });

  it('counts each key in its own window, starts afresh in the next window, and deletes ended windows', async () => {
    const clock = clockAt(Date.UTC(2026, 11, 3, 13, 0, 0));
    const store = new RateWindowStore(t.db, clock.now);
    const taken = async (key: string) => (await store.take(key, 2, 60_000)).taken;
    expect([await taken('a'), await taken('a'), await taken('a'), await taken('b')]).toEqual([true, true, false, true]);
    clock.ms += 59_999;
    expect(await store.take('a', 2, 60_000)).toEqual({ taken: false, retryAfterSeconds: 1 });
    clock.ms += 1;
    expect(await taken('a')).toBe(true);
    // the first take of the new window deleted the windows that had ended (the race's an hour ago too)
    const windows = await t.db.collection(COLLECTIONS.rateWindows).find({}).toArray();
    expect(windows.map((window) => window._id)).toEqual([`a@${String(clock.ms)}`]);
  });
});
