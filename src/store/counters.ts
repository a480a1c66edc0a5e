import type { Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';

interface CounterDocument {
  _id: string;
  seq: number;
}

interface Waiter {
  readonly resolve: (value: number) => void;
  readonly reject: (error: unknown) => void;
}

/** The most values one compare-and-swap hands out. */
const GROUP_LIMIT = 1000;
/** Callers waiting for each sequence, per database handle (one process's queue per sequence). */
const queues = new WeakMap<Db, Map<string, Waiter[]>>();

/**
 * Takes the next value of a named sequence: 1, 2, 3… with no gaps and no repeats, even under
 * concurrency. A compare-and-swap (`updateOne({ _id, seq: n }, { $set: { seq: n + k } })`) rather
 * than `findOneAndUpdate` + `$inc`: the update is atomic on every supported server, but the
 * document `findOneAndUpdate` returns is not on all of them (mongo-java-server reads it after
 * the update, so two callers can see the same value). The counter is created by an insert, whose
 * `_id` is unique.
 *
 * Callers in one process share the work: while one compare-and-swap is on its way, those who
 * ask meanwhile wait, and the next one takes a block of values for all of them at once. So a
 * burst of claims costs one swap instead of a storm of retries; only other instances compete.
 * @example const seq = await nextSequence(db, 'claims-2026'); // 1, 2, 3…
 */
export function nextSequence(db: Db, name: string): Promise<number> {
  let byName = queues.get(db);
  if (!byName) {
    byName = new Map();
    queues.set(db, byName);
  }
  const waiting = byName.get(name);
  return new Promise<number>((resolve, reject) => {
    if (waiting) {
      waiting.push({ resolve, reject });
      return;
    }
    const queue: Waiter[] = [{ resolve, reject }];
    byName.set(name, queue);
    void serve(db, name, queue, byName);
  });
}

/** Hands out values to the queue's waiters, a block per swap, until nobody waits. */
async function serve(db: Db, name: string, queue: Waiter[], byName: Map<string, Waiter[]>): Promise<void> {
  while (queue.length > 0) {
    const group = queue.splice(0, GROUP_LIMIT);
    try {
      const first = await takeBlock(db, name, group.length);
      group.forEach((waiter, index) => waiter.resolve(first + index));
    } catch (error) {
      for (const waiter of group) waiter.reject(error);
    }
  }
  byName.delete(name);
}

/** Takes `count` consecutive values and returns the first. */
async function takeBlock(db: Db, name: string, count: number): Promise<number> {
  const counters = db.collection<CounterDocument>(COLLECTIONS.counters);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const current = await counters.findOne({ _id: name });
    if (!current) {
      try {
        await counters.insertOne({ _id: name, seq: count });
        return 1;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        continue;
      }
    }
    const swapped = await counters.updateOne({ _id: name, seq: current.seq }, { $set: { seq: current.seq + count } });
    if (swapped.modifiedCount === 1) return current.seq + 1;
    // another instance took values meanwhile: back off a little, more the longer it goes on
    if (attempt > 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt, 20)));
  }
  throw new Error(`counter ${name}: too much contention`);
}

/**
 * Deletes a named sequence (its owner is gone); a later `nextSequence` starts again at 1.
 * @example await dropSequence(db, `web-chat:${visitorId}`);
 */
export async function dropSequence(db: Db, name: string): Promise<void> {
  await db.collection<CounterDocument>(COLLECTIONS.counters).deleteOne({ _id: name });
}
