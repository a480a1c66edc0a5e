import type { Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';

interface CounterDocument {
  _id: string;
  seq: number;
}

/**
 * Takes the next value of a named sequence: 1, 2, 3… with no gaps and no repeats, even under
 * concurrency. A compare-and-swap (`updateOne({ _id, seq: n }, { $set: { seq: n + 1 } })`) rather
 * than `findOneAndUpdate` + `$inc`: the update is atomic on every supported server, but the
 * document `findOneAndUpdate` returns is not on all of them (mongo-java-server reads it after
 * the update, so two callers can see the same value). The counter is created by an insert, whose
 * `_id` is unique.
 * @example const seq = await nextSequence(db, 'claims-2026'); // 1, 2, 3…
 */
export async function nextSequence(db: Db, name: string): Promise<number> {
  const counters = db.collection<CounterDocument>(COLLECTIONS.counters);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const current = await counters.findOne({ _id: name });
    if (!current) {
      try {
        await counters.insertOne({ _id: name, seq: 1 });
        return 1;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        continue;
      }
    }
    const swapped = await counters.updateOne({ _id: name, seq: current.seq }, { $set: { seq: current.seq + 1 } });
    if (swapped.modifiedCount === 1) return current.seq + 1;
    if (attempt > 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt, 20)));
  }
  throw new Error(`counter ${name}: too much contention`);
}
