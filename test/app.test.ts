import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { startApp, type App } from '../src/main.js';
import { collectingLog } from './support/log.js';
import { projectRoot } from '../src/store/local/paths.js';
import { durableWriteConcern } from '../src/store/mongo.js';
import { draft } from './support/fixtures.js';
import { CollectingChannel } from './support/chat.js';
import type { LogRecord } from '../src/log.js';

const run = promisify(execFile);

function uriFor(database: string): string {
  return `${inject('mongoUri')}${database}`;
}

describe('the desk with MONGODB_URI', () => {
  let app: App;
  const { lines, log, records } = collectingLog();
  const database = `app_${Date.now().toString(36)}`;
  const telegram = new CollectingChannel();

  beforeAll(async () => {
    app = await startApp({ env: { MONGODB_URI: uriFor(database), PORT: '0', HOST: '127.0.0.1' }, log, senders: { telegram } });
  });
  afterAll(async () => {
    await app.db.dropDatabase();
    await app.stop();
  });

  it('answers /healthz with the database state', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    expect((await fetch(`${app.url}/nowhere`)).status).toBe(404);
    const wrong = await fetch(`${app.url}/healthz`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('logs one line per component and says which channels are off and why', () => {
    // every line is one JSON object
    expect(records()).toHaveLength(lines.length);
    expect(records()).toContainEqual(expect.objectContaining({ level: 'info', component: 'config', msg: 'desk configuration loaded' }));
    expect(records()).toContainEqual(expect.objectContaining({ component: 'database', msg: 'connected, indexes ready', database: expect.stringMatching(/^app_/) as unknown }));
    expect(records()).toContainEqual(expect.objectContaining({ component: 'http', msg: 'listening' }));
    expect(records()).toContainEqual(expect.objectContaining({ level: 'warn', component: 'telegram', msg: 'off: TELEGRAM_BOT_TOKEN is not set' }));
    expect(records()).toContainEqual(expect.objectContaining({ level: 'warn', component: 'slack', msg: 'off: SLACK_BOT_TOKEN is not set' }));
  });

  it('wires the conversation runner to the database and the channel senders', async () => {
    const from = { channel: 'telegram', chatId: '5150', userId: '5150', languageCode: 'en' } as const;
    const result = await app.conversations.handle({ updateId: 'app-u1', from, content: { type: 'text', text: '/start' } });
    expect(result.outcome).toBe('handled');
    expect(telegram.to('5150').map((m) => m.text)).toEqual(result.replies.map((r) => r.text));
    expect(await app.db.collection('conversations').countDocuments({ chatId: '5150' })).toBe(1);
    expect(records()).toContainEqual(expect.objectContaining({ component: 'jobs', msg: 'scheduler started' }));
  });

  it('created the indexes and registers claims in the named database', async () => {
    const indexes = await app.db.collection('claims').indexes();
    expect(indexes.map((i) => i.name)).toContain('number_unique');
    const { claim } = await app.registry.submit(draft(), 'app-1');
    expect(claim.number).toMatch(/^\d{4}-000001$/);
    expect(app.db.databaseName).toBe(database);
  });

  it('writes with a journaled write concern (a majority only on a replica set)', () => {
    expect(app.db.writeConcern).toMatchObject({ w: 1, journal: true });
    expect(durableWriteConcern(true)).toEqual({ w: 'majority', journal: true });
  });
});

describe('the desk without MONGODB_URI', () => {
  it('starts its own local database, keeps data across restarts, and reports an unreachable database as 503', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-app-'));
    try {
      const env = { CLAIMDESK_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
      const firstLog = collectingLog();
      const first = await startApp({ env, log: firstLog.log });
      expect(first.localServer?.kind).toBe('mongo-java-server');
      // an empty registry is far below the local server's size warning
      expect(firstLog.records().filter((line) => line.msg.includes('mongo-java-server holds'))).toEqual([]);
      const { claim } = await first.registry.submit(draft(), 'persist-1');
      await first.stop();

      const second = await startApp({ env, log: collectingLog().log });
      try {
        const again = await second.registry.submit(draft(), 'persist-1');
        expect(again).toMatchObject({ created: false, claim: { id: claim.id, number: claim.number } });
        expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
        await second.localServer?.stop();
        const down = await fetch(`${second.url}/healthz`);
        expect(down.status).toBe(503);
        expect(await down.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('npm start with a bad configuration', () => {
  async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    try {
      await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
      return { code: 0, stderr: '' };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, stderr: failed.stderr };
    }
  }

  it('stops with one clear line naming the variable', async () => {
    const { code, stderr } = await start({ PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^config error: PORT: expected a port number/)]);
  }, 30_000);

  it('stops with one clear line naming the desk config path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-bad-desk-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, 'desk: { name: { ru: Д, en: D } }\ndepartments: [{ id: a, name: { ru: А, en: A } }]\ncategories: [{ id: c, label: { ru: К, en: C }, department: qa }]\n');
    try {
      const { code, stderr } = await start({ DESK_CONFIG: file, MONGODB_URI: uriFor('never_used') });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/categories\[0\]\.department: expected one of the departments \(a\), got "qa"/)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the interface the desk listens on', () => {
  /** Starts the desk with no HOST, on a desk config changed by `change`; returns its log and stops it. */
  async function startedWithoutHost(change: (config: { staff: { console?: unknown }[] }) => void): Promise<LogRecord[]> {
    const { parse, stringify } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as { staff: { console?: unknown }[] };
    change(config);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-host-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    const { records, log } = collectingLog();
    const database = `host_${Date.now().toString(36)}`;
    const app = await startApp({ env: { MONGODB_URI: uriFor(database), PORT: '0', DESK_CONFIG: file }, log });
    await app.stop();
    // dropped once the desk is stopped (its jobs would write into it meanwhile)
    const client = await MongoClient.connect(inject('mongoUri'));
    await client.db(database).dropDatabase();
    await client.close();
    await rm(dir, { recursive: true, force: true });
    return records();
  }

  it('is 127.0.0.1 while a staff member has the example password and HOST is unset, and the warning says how to change it', async () => {
    const records = await startedWithoutHost(() => undefined);
    expect(records).toContainEqual(expect.objectContaining({ component: 'http', msg: 'listening', url: expect.stringMatching(/^http:/) as unknown, interface: '127.0.0.1' }));
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'console', msg: expect.stringMatching(/^staff sign in with the published example password; give each their own: npm run console:password.*listens on 127\.0\.0\.1 only \(set HOST=0\.0\.0\.0/) as unknown }),
    );
  });

  it('is every interface when nobody has the example password', async () => {
    const records = await startedWithoutHost((config) => {
      for (const member of config.staff) delete member.console;
    });
    expect(records).toContainEqual(expect.objectContaining({ component: 'http', msg: 'listening', interface: '0.0.0.0' }));
  });
});
