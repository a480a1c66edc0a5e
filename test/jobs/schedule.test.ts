import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/store/local/paths.js';

let app: App;
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-cadence-'));
  const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, unknown>;
  config.jobs = { surveySweepEvery: '10 seconds', slaSweepEvery: '20 seconds', idleSweepEvery: '2 minutes' };
  await writeFile(path.join(folder, 'desk.yaml'), stringify(config));
  app = await startApp({
    env: { MONGODB_URI: `${inject('mongoUri')}cadence_${randomBytes(4).toString('hex')}`, PORT: '0', HOST: '127.0.0.1', DESK_CONFIG: path.join(folder, 'desk.yaml') },
    log: createLogger('error', () => undefined),
  });
});
afterAll(async () => {
  await app.db.dropDatabase();
  await app.stop();
  await rm(folder, { recursive: true, force: true });
});

describe('scheduleJobs', () => {
  it("runs each sweep at the desk's cadence, the rest at the defaults", async () => {
    const jobs = await app.db.collection('agendaJobs').find({ type: 'single' }).toArray();
    const every = Object.fromEntries(jobs.map((job) => [String(job.name), String(job.repeatInterval)]));
    expect(every).toMatchObject({
      'survey.sweep': '10 seconds',
      'sla.sweep': '20 seconds',
      'conversation.idle-sweep': '2 minutes',
      'customer.notify-sweep': '1 minute',
      'housekeeping.prune': '1 hour',
    });
  });
});
