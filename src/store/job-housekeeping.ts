import { ObjectId, type Db } from 'mongodb';

/** Where Agenda keeps its jobs (the Mongo backend's default collection). */
const AGENDA_JOBS = 'agendaJobs';

/**
 * Deletes one-off jobs of these kinds that finished before `before` (a delivered notification's
 * job, for instance); recurring jobs (they have a next run) are never touched. Returns how many.
 * @example await pruneFinishedJobs(db, ['customer.notify'], sevenDaysAgo);
 */
export async function pruneFinishedJobs(db: Db, names: readonly string[], before: Date): Promise<number> {
  const result = await db.collection(AGENDA_JOBS).deleteMany({
    name: { $in: [...names] },
    nextRunAt: null,
    lastFinishedAt: { $lt: before },
  });
  return result.deletedCount;
}

/**
 * Releases jobs this worker had locked but never started (Agenda fetches jobs ahead of running
 * them; `drain()` leaves those locked until their lock lifetime ends). A job that started since it
 * was locked (it is running, or ran) is left alone. Returns how many were released.
 * @example await releaseUnstartedJobs(db, heldIds);
 */
export async function releaseUnstartedJobs(db: Db, ids: readonly string[]): Promise<number> {
  const objectIds = ids.filter((id) => /^[0-9a-f]{24}$/i.test(id)).map((id) => new ObjectId(id));
  if (objectIds.length === 0) return 0;
  const jobs = db.collection<{ _id: ObjectId; lockedAt?: Date | null; lastRunAt?: Date | null }>(AGENDA_JOBS);
  let released = 0;
  for (const job of await jobs.find({ _id: { $in: objectIds } }).toArray()) {
    if (!job.lockedAt) continue;
    if (job.lastRunAt && job.lastRunAt.getTime() >= job.lockedAt.getTime()) continue;
    const result = await jobs.updateOne({ _id: job._id, lockedAt: job.lockedAt }, { $set: { lockedAt: null } });
    released += result.modifiedCount;
  }
  return released;
}
