/**
 * The desk's own local database dies or freezes under it: the app restarts a dead database,
 * answers every request within a few seconds (503 with Retry-After, never 500, never a hang),
 * logs the outage once and the recovery once, and after recovery loses and doubles nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, EXAMPLE_CONSOLE_PASSWORD, type App } from '../src/main.js';
import { createLogger } from '../src/log.js';
import { logRecords } from './support/log.js';
import { draft, eventually } from './support/fixtures.js';
import { ChatClient } from './support/web-chat.js';
import { ConsoleBrowser } from './support/web-console.js';

let dataDir: string;
let app: App;
const lines: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-outage-'));
  app = await startApp({ env: { CLAIMDESK_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }, log: createLogger('debug', (line) => lines.push(line)), jobsEveryMs: 200 });
}, 60_000);
afterAll(async () => {
  await app.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function databasePid(): number {
  const pid = app.localServer?.pid;
  if (pid === undefined) throw new Error('the app started no local database');
  return pid;
}

/** A request with how long its answer took. */
async function timed(request: () => Promise<Response>): Promise<{ status: number; retryAfter: string | null; ms: number }> {
  const started = Date.now();
  const res = await request();
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
}

/** The lines of this component (and level, when given) whose message matches. */
function count(pattern: RegExp, component?: string, level?: string): number {
  return logRecords(lines).filter((line) => pattern.test(line.msg) && (component === undefined || line.component === component) && (level === undefined || line.level === level)).length;
}

async function signIn(): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app.url, undefined);
  const res = await browser.post('/console/api/login', { login: 'olga', password: EXAMPLE_CONSOLE_PASSWORD });
  expect(res.status).toBe(200);
  browser.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return browser;
}

describe('a frozen database (SIGSTOP)', () => {
  it('gets every request a 503 with Retry-After within 3 s, /healthz within 2 s, and everything back after it thaws', async () => {
    const chat = await ChatClient.open(app.url);
    expect((await chat.say('/start')).status).toBe(202);
    const staff = await signIn();
    const { claim } = await app.registry.submit(draft(), 'outage-frozen-1');

    process.kill(databasePid(), 'SIGSTOP');
    try {
      // the requests made while it is frozen, at once
      const [health, message, list, login] = await Promise.all([
        timed(() => fetch(`${app.url}/healthz`)),
        timed(() => chat.say('hello while frozen', 'frozen-message-1')),
        timed(() => staff.get('/console/api/claims')),
        timed(() => new ConsoleBrowser(app.url, undefined).post('/console/api/login', { login: 'ivan', password: EXAMPLE_CONSOLE_PASSWORD })),
      ]);
      expect(health.status).toBe(503);
      expect(health.ms).toBeLessThan(2_000);
      for (const answer of [message, list, login]) {
        expect(answer.status).toBe(503);
        expect(answer.retryAfter).not.toBeNull();
        expect(answer.ms).toBeLessThan(3_500);
      }
      // a request arriving after the outage is known waits no longer
      const later = await timed(() => staff.get(`/console/api/claims/${claim.number}`));
      expect(later.status).toBe(503);
      expect(later.ms).toBeLessThan(3_500);
    } finally {
      process.kill(databasePid(), 'SIGCONT');
    }

    await eventually(async () => (await fetch(`${app.url}/healthz`)).status === 200, 20_000);
    // the customer's page retries the message with the same id: it is taken once
    await eventually(async () => (await chat.say('hello while frozen', 'frozen-message-1')).status === 202, 20_000);
    expect((await chat.say('hello while frozen', 'frozen-message-1')).status).toBe(202);
    const mine = (await chat.transcript()).filter((entry) => entry.from === 'customer' && entry.text === 'hello while frozen');
    expect(mine).toHaveLength(1);
    expect((await staff.get('/console/api/claims')).status).toBe(200);
    expect(count(/^not answering/, 'database', 'warn')).toBe(1);
    expect(count(/^answering again/, 'database', 'info')).toBe(1);
  }, 90_000);
});

describe('a killed database (SIGKILL)', () => {
  it('is restarted by the app on the same address, with one line when it dies and one when it is back; nothing acknowledged is lost', async () => {
    const { claim } = await app.registry.submit(draft(), 'outage-killed-1');
    const before = count(/not answering/);
    const oldPid = databasePid();
    process.kill(oldPid, 'SIGKILL');

    const health = await timed(() => fetch(`${app.url}/healthz`));
    expect(health.ms).toBeLessThan(2_000);

    await eventually(async () => (await fetch(`${app.url}/healthz`)).status === 200, 30_000);
    expect(databasePid()).not.toBe(oldPid);
    expect(count(/^local database: the mongo-java-server process ended \(signal SIGKILL\); restarting it/, 'database', 'warn')).toBe(1);
    expect(count(/^local database: back after/, 'database', 'info')).toBe(1);
    expect(count(/not answering/) - before).toBeLessThanOrEqual(1);

    // the same client goes on: the claim is there, and a retried submit gets it, not a second number
    expect((await app.claims.findById(claim.id))?.number).toBe(claim.number);
    const again = await app.registry.submit(draft(), 'outage-killed-1');
    expect(again).toMatchObject({ created: false, claim: { number: claim.number } });
    const next = await app.registry.submit(draft(), 'outage-killed-2');
    expect(next.claim.number > claim.number).toBe(true);
    // the scheduler does not log every failed poll of the outage
    expect(count(/^scheduler error$/, 'jobs')).toBeLessThanOrEqual(1);
  }, 90_000);
});
