import type { Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';

interface CounterDocument {
  _id: string;
  seq: number;
}

/**
 * Atomically takes the next value of a named sequence (`findOneAndUpdate` + `$inc`, upserting
 * the counter on first use). Two racing first upserts can collide on `_id`: the loser retries.
 * @example const seq = await nextSequence(db, 'claims-2026'); // 1, 2, 3…
 */
export async function nextSequence(db: Db, name: string): Promise<number> {
  const counters = db.collection<CounterDocument>(COLLECTIONS.counters);
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await counters.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
      if (!doc) throw new Error(`counter ${name} returned no document`);
      return doc.seq;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= 5) throw error;
    }
  }
}
