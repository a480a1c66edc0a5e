import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { pruneFinishedJobs } from '../../src/store/job-housekeeping.js';
import { NOTIFY_JOB } from '../../src/jobs/customer-notification.js';
import { DIGEST_JOB } from '../../src/jobs/digest.js';
import { t } from '../../src/i18n/index.js';
import { CollectingChannel } from '../support/chat.js';
import { draft, eventually, exampleDesk, telegramCustomer } from '../support/fixtures.js';
import { ClaimRegistry } from '../../src/registry.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { QUALITY, SlackDesk, LOGISTICS, SUPPORT } from '../support/slack-desk.js';

const staff = { kind: 'staff' as const, staffId: 'maria' };

describe('several workers on one database', () => {
  const database = `workers_${randomBytes(4).toString('hex')}`;
  const uri = () => `${inject('mongoUri')}${database}?serverSelectionTimeoutMS=800`;
  const start = (sender: CollectingChannel, extra: Parameters<typeof startApp>[0] = {}) =>
    startApp({
      env: { MONGODB_URI: uri(), PORT: '0', HOST: '127.0.0.1' },
      log: createLogger('error', () => undefined),
      senders: { telegram: sender },
      jobsEveryMs: 100,
      notifications: { sweepEvery: 200, graceMs: 0 },
      ...extra,
    });
  let apps: App[] = [];

  afterAll(async () => {
    await apps[0]?.db.dropDatabase();
    for (const app of apps) await app.stop();
  });

  it('two workers never send a notification twice', async () => {
    const first = new CollectingChannel();
    const second = new CollectingChannel();
    apps = [await start(first), await start(second)];
    const [a, b] = apps;
    if (!a || !b) throw new Error('apps did not start');
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) {
      const { claim } = await a.registry.submit(draft(telegramCustomer(`90${String(n).padStart(2, '0')}`)), `workers-${String(n)}`);
      ids.push(claim.id);
      // changes made through both workers: each delivers its own at once, and both poll and sweep
      await (n % 2 === 0 ? b : a).registry.apply(claim.id, { action: 'take' }, staff);
    }
    await eventually(() => first.sent.length + second.sent.length >= 12, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 800)); // more sweeps, more chances to double-send
    const sent = [...first.sent, ...second.sent].map((entry) => entry.to.chatId).sort();
    expect(sent).toEqual(ids.map((_, n) => `90${String(n).padStart(2, '0')}`).sort());
    expect(first.sent.length).toBeGreaterThan(0);
    expect(second.sent.length).toBeGreaterThan(0);
    for (const id of ids) {
      const claim = await a.claims.findById(id);
      expect(claim?.history.find((event) => event.action === 'take')?.deliveredAt).toBeInstanceOf(Date);
    }
  });

  it('housekeeping prunes finished one-off jobs and leaves the recurring ones', async () => {
    const [a] = apps;
    if (!a) throw new Error('no app');
    const jobs = a.db.collection('agendaJobs');
    const finished = await jobs.countDocuments({ name: NOTIFY_JOB, nextRunAt: null, lastFinishedAt: { $ne: null } });
    expect(finished).toBeGreaterThanOrEqual(12);
    const recurring = await jobs.countDocuments({ nextRunAt: { $ne: null } });
    expect(await pruneFinishedJobs(a.db, [NOTIFY_JOB], new Date(Date.now() - 3_600_000))).toBe(0); // nothing older than an hour
    expect(await pruneFinishedJobs(a.db, [NOTIFY_JOB], new Date(Date.now() + 1_000))).toBe(finished);
    expect(await jobs.countDocuments({ nextRunAt: { $ne: null } })).toBe(recurring);
  });
});

describe('a worker killed in the middle of a job', () => {
  const database = `killed_${randomBytes(4).toString('hex')}`;
  const uri = `${inject('mongoUri')}${database}?serverSelectionTimeoutMS=800`;
  let survivor: App | undefined;

  afterAll(async () => {
    await survivor?.db.dropDatabase();
    await survivor?.stop();
  });

  it('another worker takes the job over once its lock expires: one delivery', async () => {
    // node itself with tsx as a loader (not the tsx CLI, which would run the worker as a grandchild
    // that SIGKILL does not reach)
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/notify-worker.ts'], {
      cwd: projectRoot,
      env: { ...process.env, MONGODB_URI: uri },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await eventually(() => out.includes('ready'), 30_000);
      // register and change the claim through the registry alone (no scheduler of its own: a desk
      // would deliver at once itself); the child's sweep finds the change and takes the job
      const writerClient = await MongoClient.connect(uri);
      const desk = await exampleDesk();
      const writer = new ClaimRegistry(desk, new ClaimRepository(writerClient.db()));
      const { claim } = await writer.submit(draft(telegramCustomer('9101')), 'killed-1');
      await writer.apply(claim.id, { action: 'take' }, staff);
      await writerClient.close();
      await eventually(() => out.includes('sending 9101'), 30_000);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const sender = new CollectingChannel();
      survivor = await startApp({ env: { MONGODB_URI: uri, PORT: '0', HOST: '127.0.0.1' }, log: createLogger('error', () => undefined), senders: { telegram: sender }, jobsEveryMs: 100, jobsLockLifetimeMs: 1_500, notifications: { sweepEvery: 200, graceMs: 0, leaseMs: 1_500 } });
      await eventually(() => sender.to('9101').length === 1, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(sender.to('9101')).toHaveLength(1);
      expect(sender.to('9101')[0]?.text).toContain(claim.number);
      const stored = await survivor.claims.findById(claim.id);
      expect(stored?.history.find((event) => event.action === 'take')?.deliveredAt).toBeInstanceOf(Date);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 100_000);
});

describe('the digest', () => {
  let desk: SlackDesk;

  beforeAll(async () => {
    desk = await SlackDesk.start({ digestEvery: '1 day' });
  });
  afterAll(async () => {
    await desk.stop();
  });

  it('posts each department its numbers: new, open, overdue, resolved, satisfaction', async () => {
    // the digest runs once as the desk starts (nothing to report), then on its schedule
    const posted = (channel: string, text: string) => desk.fake.messagesIn(channel).some((message) => JSON.stringify(message.blocks ?? []).includes(text));
    const empty = t('ru', 'staff.digest.numbers', { received: 0, open: 0, overdue: 0, resolved: 0 });
    await eventually(() => posted(SUPPORT, empty) && posted(QUALITY, empty) && posted(LOGISTICS, empty), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first run has finished
    const { claim } = await desk.app.registry.submit(draft(telegramCustomer('9201')), 'digest-1');
    await desk.app.registry.submit(draft(telegramCustomer('9202')), 'digest-2');
    await desk.app.registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'repair', responseText: 'Repaired.' } }, staff);
    await desk.app.jobs.now(DIGEST_JOB);
    const numbers = t('ru', 'staff.digest.numbers', { received: 2, open: 1, overdue: 0, resolved: 1 });
    await eventually(() => posted(QUALITY, numbers), 15_000);
    const digest = desk.fake.messagesIn(QUALITY).find((message) => JSON.stringify(message.blocks ?? []).includes(numbers));
    expect(JSON.stringify(digest?.blocks)).toContain(t('ru', 'staff.digest.no_csat'));
    // the other departments get theirs too, with nothing to report
    await eventually(() => desk.fake.messagesIn(SUPPORT).filter((message) => JSON.stringify(message.blocks ?? []).includes(empty)).length === 2, 15_000);
  });

  it('the numbers count what the period holds: an answered survey gives the average', async () => {
    const since = new Date(Date.now() - 60_000);
    const { claim } = await desk.app.registry.submit(draft({ ...telegramCustomer('9203'), category: 'refund' }), 'digest-3');
    await desk.app.db.collection('claims').updateOne({ number: claim.number }, { $set: { status: 'resolved', resolvedAt: new Date(), survey: { sentAt: new Date(), closeAt: new Date(Date.now() + 60_000), score: 4, answeredAt: new Date() } } });
    const stats = await desk.app.claims.departmentStats('support', since, new Date());
    expect(stats).toEqual({ received: 1, open: 0, overdue: 0, resolved: 1, answers: 1, csat: 4 });
  });
});

describe('npm start and SIGTERM', () => {
  it('the process starts the scheduler, and on SIGTERM stops it gracefully: exit 0, no job left locked', async () => {
    const database = `sigterm_${randomBytes(4).toString('hex')}`;
    const uri = `${inject('mongoUri')}${database}?serverSelectionTimeoutMS=800`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: { ...process.env, MONGODB_URI: uri, PORT: '0', HOST: '127.0.0.1', TELEGRAM_BOT_TOKEN: '', SLACK_BOT_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await eventually(() => out.includes('scheduler started'), 30_000);
      // at once: the sweeps' first runs are fetched and locked, some not started yet
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('SIGTERM: stopping');
      const client = await MongoClient.connect(uri);
      try {
        const jobs = await client.db(database).collection('agendaJobs').find({}).toArray();
        expect(jobs.length).toBeGreaterThan(0);
        expect(jobs.filter((job) => job.lockedAt !== null && job.lockedAt !== undefined).map((job) => String(job.name))).toEqual([]);
      } finally {
        await client.db(database).dropDatabase();
        await client.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
