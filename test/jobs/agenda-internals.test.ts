/**
 * The one place that reads Agenda's internals (src/jobs/agenda.ts): the jobs a worker has locked,
 * released at shutdown. If an Agenda upgrade changes them, this fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler, heldJobs, idsOf, stopScheduler } from '../../src/jobs/agenda.js';
import { releaseUnstartedJobs } from '../../src/store/job-housekeeping.js';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/fixtures.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('agenda');
});
afterAll(async () => {
  await t.close();
});

describe("Agenda's held jobs", () => {
  it('lists the jobs a worker locked, and stopping releases those it never started', async () => {
    const agenda = createScheduler(t.db, { processEveryMs: 100, maxConcurrency: 1 });
    let finish: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let started = 0;
    agenda.define('slow', async () => {
      started++;
      await running;
    }, { concurrency: 1, lockLimit: 3 });
    expect(heldJobs(agenda)).toBeUndefined();
    for (let i = 0; i < 3; i++) await agenda.now('slow', { n: i });
    await agenda.start();
    // one runs, the others are fetched and locked behind it
    await eventually(() => idsOf(heldJobs(agenda)).length === 3 && started === 1, 10_000);

    const stopped = stopScheduler(agenda, (ids) => releaseUnstartedJobs(t.db, ids), 300);
    await new Promise((resolve) => setTimeout(resolve, 500));
    finish();
    await stopped;
    const jobs = await t.db.collection('agendaJobs').find({ name: 'slow' }).toArray();
    // the two never started are free for another worker at once
    expect(jobs.filter((job) => !job.lastRunAt && job.lockedAt)).toEqual([]);
    expect(jobs.filter((job) => !job.lastRunAt)).toHaveLength(2);
  }, 30_000);
});
