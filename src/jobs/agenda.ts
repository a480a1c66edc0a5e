import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';

export interface SchedulerOptions {
  /** How often workers look for due jobs, in milliseconds (default 5 s; tests use less). */
  readonly processEveryMs?: number;
  /** After this long a locked job whose worker died is picked up by another worker. */
  readonly lockLifetimeMs?: number;
  /** How many jobs of all kinds run at once in this process (default 20, Agenda's). */
  readonly maxConcurrency?: number;
}

/**
 * Agenda on the desk's own database (jobs live in `agendaJobs`). Jobs are defined by the files
 * beside this one (one file per job kind); `main.ts` starts and stops it. A job saved as due now
 * (a customer notification) runs at once in the process that saved it, through Agenda's
 * in-process notification channel, instead of waiting for the next poll; other instances see it
 * at their next poll, and the poll stays the retry path.
 * @example const agenda = createScheduler(db); defineIdleSweep(agenda, runner); await agenda.start();
 */
export function createScheduler(db: Db, options: SchedulerOptions = {}): Agenda {
  return new Agenda({
    backend: new MongoBackend({ mongo: db }),
    processEvery: options.processEveryMs ?? 5_000,
    defaultLockLifetime: options.lockLifetimeMs ?? 10 * 60_000,
    maxConcurrency: options.maxConcurrency ?? 20,
    notificationChannel: new InMemoryNotificationChannel(),
  });
}

/** What a job run tells: its name, whether it succeeded, and how long it ran. */
export type JobRunListener = (name: string, outcome: 'success' | 'failure', seconds: number) => void;

interface RunJob {
  readonly attrs: { readonly name: string; readonly lastRunAt?: Date; readonly lastFinishedAt?: Date };
}

/**
 * Tells `listener` of every job this worker ran, from Agenda's own events (`success` and `fail`;
 * the events another process's runs raise here through a notification channel are left out).
 * @example watchJobRuns(agenda, (name, outcome, seconds) => metrics.jobs.ran(name, outcome, seconds));
 */
export function watchJobRuns(agenda: Agenda, listener: JobRunListener): void {
  const seconds = (job: RunJob) => (job.attrs.lastRunAt ? ((job.attrs.lastFinishedAt?.getTime() ?? Date.now()) - job.attrs.lastRunAt.getTime()) / 1000 : 0);
  agenda.on('success', (job: RunJob, remote?: boolean) => {
    if (remote !== true) listener(job.attrs.name, 'success', seconds(job));
  });
  agenda.on('fail', (_error: unknown, job: RunJob, remote?: boolean) => {
    // a failed run has no lastFinishedAt of this run: it ran until now
    if (remote !== true) listener(job.attrs.name, 'failure', job.attrs.lastRunAt ? (Date.now() - job.attrs.lastRunAt.getTime()) / 1000 : 0);
  });
}

/** Agenda's job processor as far as it is read here: the jobs it has locked (only their ids). */
interface HeldJobs {
  readonly lockedJobs: readonly { readonly attrs: { readonly _id?: { toString(): string } } }[];
}

/**
 * The jobs this worker has locked (fetched ahead, or running), or undefined when it is not running.
 * Agenda 6 has no API for them and none to release them at shutdown (`drain()` forgets them, and
 * `stop()` after it does nothing), so this reads its job processor's list: the one place that
 * touches Agenda's internals. `test/jobs/agenda-internals.test.ts` fails if Agenda changes it.
 */
export function heldJobs(agenda: Agenda): HeldJobs | undefined {
  const processor = (agenda as unknown as { jobProcessor?: { lockedJobs?: unknown } }).jobProcessor;
  if (!processor) return undefined;
  if (!Array.isArray(processor.lockedJobs)) throw new Error('agenda: the job processor keeps no lockedJobs list any more (Agenda changed); see heldJobs');
  return processor as HeldJobs;
}

/** The ids of held jobs. */
export function idsOf(held: HeldJobs | undefined): string[] {
  return (held?.lockedJobs ?? []).flatMap((job) => (job.attrs._id !== undefined ? [job.attrs._id.toString()] : []));
}

/**
 * Stops a worker gracefully: running jobs may finish (up to `timeoutMs`), then every lock it still
 * holds (jobs fetched but not started, or still running after the wait) is released through
 * `release`, so another worker takes them at once instead of after the lock lifetime. Agenda's
 * fetches already under way when it drains still land afterwards (one per job kind, one after the
 * other), so the list is read again every `settleMs` until three waits in a row bring no new lock (at
 * most `timeoutMs`).
 * @example await stopScheduler(agenda, (ids) => releaseUnstartedJobs(db, ids));
 */
export async function stopScheduler(agenda: Agenda, release: (ids: readonly string[]) => Promise<number>, timeoutMs = 20_000, settleMs = 100): Promise<void> {
  // keep hold of the list: drain() drops the processor, and a fetch still in flight adds to it after drain() returns
  const held = heldJobs(agenda);
  await agenda.drain({ timeout: timeoutMs, closeConnection: false });
  const released = new Set<string>();
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 3 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, settleMs)); // let an in-flight fetch land
    const fresh = idsOf(held).filter((id) => !released.has(id));
    if (fresh.length === 0) {
      quiet += 1;
      continue;
    }
    quiet = 0;
    await release(fresh);
    for (const id of fresh) released.add(id);
  }
}
