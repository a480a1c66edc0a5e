import type { Db } from 'mongodb';

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
