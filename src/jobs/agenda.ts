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
