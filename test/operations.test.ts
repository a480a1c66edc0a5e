import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startApp, type App } from '../src/main.js';
import { createLogger } from '../src/log.js';
import { isLoopback, metricsDecision } from '../src/operations.js';
import { createMetrics } from '../src/metrics.js';
import { projectRoot } from '../src/store/local/paths.js';
import { FakeTelegram, fakeUser } from './support/telegram-api.js';
import { BotUnderTest, fillIntake, TEST_BOT_TOKEN, TelegramCustomer } from './support/telegram-bot.js';
import { SlackDesk } from './support/slack-desk.js';
import { collectingLog, logRecords } from './support/log.js';
import { parsePrometheus, type PromScrape } from './support/prometheus.js';
import { eventually } from './support/fixtures.js';
import { t } from '../src/i18n/index.js';

async function scrape(url: string, headers: Record<string, string> = {}): Promise<PromScrape> {
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

/** Every string in a parsed log line, nested ones included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)]);
  return [];
}

describe('the logger', () => {
  it('writes one JSON object per line: level, time, component, msg and the fields; below its level nothing', () => {
    const { log, records, lines } = collectingLog('info');
    log.debug('web', 'not written');
    log.info('http', 'listening', { url: 'http://127.0.0.1:3000', port: 3000, secure: false });
    log.warn('jobs', 'failed', { claimId: 'c1', error: 'MongoNetworkError' });
    expect(lines).toHaveLength(2);
    expect(records()).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown, component: 'http', msg: 'listening', url: 'http://127.0.0.1:3000', port: 3000, secure: false },
      { level: 'warn', time: expect.any(String) as unknown, component: 'jobs', msg: 'failed', claimId: 'c1', error: 'MongoNetworkError' },
    ]);
  });

  it('redacts the known personal fields should a caller ever pass them', () => {
    const { log, records, lines } = collectingLog();
    // the type allows any field name: the guard is what keeps these out
    log.info('intake', 'oops', { name: 'Canary Name', phone: '+70000000001', email: 'canary@example.test', text: 'canary text', description: 'canary description', claimId: 'c1' });
    expect(records()[0]).toMatchObject({ name: '[redacted]', phone: '[redacted]', email: '[redacted]', text: '[redacted]', description: '[redacted]', claimId: 'c1' });
    for (const canary of ['Canary Name', '+70000000001', 'canary@example.test', 'canary text', 'canary description']) expect(lines.join('\n')).not.toContain(canary);
  });

  it('writes human-readable lines with LOG_FORMAT=pretty', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line), { format: 'pretty' }).warn('http', 'listening', { port: 3000 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[[^\]]+\] WARN: \[http\] listening\n\s+port: 3000$/);
  });
});

describe('who may read /metrics', () => {
  const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {} });

  it('with a token: only requests carrying it, on any interface', () => {
    const access = { token: 'scrape-token-0123456789', public: false, host: '0.0.0.0' };
    expect(metricsDecision(access, request('Bearer scrape-token-0123456789'))).toBe('serve');
    expect(metricsDecision({ ...access, host: '127.0.0.1' }, request())).toBe('unauthorized');
    expect(metricsDecision(access, request('Bearer scrape-token-012345678'))).toBe('unauthorized');
    expect(metricsDecision({ ...access, public: true }, request('Basic c2NyYXBl'))).toBe('unauthorized');
  });

  it('without a token: on loopback, or everywhere with METRICS_PUBLIC=true; hidden otherwise', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(metricsDecision({ public: false, host }, request()), host).toBe('serve');
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) expect(metricsDecision({ public: false, host }, request()), host).toBe('hidden');
    expect(metricsDecision({ public: true, host: '0.0.0.0' }, request())).toBe('serve');
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
  });
});

describe('operations of a running desk: Telegram intake through the fake Bot API', () => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;
  const logged = collectingLog('debug');
  const canaries = { name: 'Zyxwv Canaryson', phone: '79990001122', email: 'zyxwv.canary@example.test', product: 'Canaryphone X9', description: 'canary-description the lid melts' };
  const customers: TelegramCustomer[] = [];

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start('grammy-polling', { fake, mongoUri: inject('mongoUri'), database: `ops_${randomBytes(4).toString('hex')}`, logger: logged.log });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  it('counts the updates, the dialog steps and the registered claims; the logs are JSON with no personal data', async () => {
    const before = await scrape(bot.app.url);
    expect(before.value('claimdesk_claims_registered_total', { channel: 'telegram' }) ?? 0).toBe(0);
    const byPhone = new TelegramCustomer(bot, fakeUser());
    await fillIntake(byPhone, bot, { name: canaries.name, product: canaries.product, description: canaries.description, reach: { phone: canaries.phone } });
    await byPhone.presses(t('en', 'button.submit'));
    const byEmail = new TelegramCustomer(bot, fakeUser());
    await fillIntake(byEmail, bot, { name: canaries.name, reach: { typed: canaries.email } });
    await byEmail.presses(t('en', 'button.submit'));
    customers.push(byPhone, byEmail);
    expect(await bot.app.db.collection('claims').countDocuments({ 'contact.email': canaries.email })).toBe(1);
    expect(await bot.app.db.collection('claims').countDocuments({ 'contact.name': canaries.name })).toBe(2);

    const updates = byPhone.updates + byEmail.updates;
    const after = await scrape(bot.app.url);
    expect(after.types.get('claimdesk_updates_handled_total')).toBe('counter');
    expect(after.types.get('claimdesk_dialog_step_seconds')).toBe('histogram');
    expect(after.value('claimdesk_claims_registered_total', { channel: 'telegram' })).toBe(2);
    expect(after.value('claimdesk_updates_received_total', { channel: 'telegram' })).toBe(updates);
    expect(after.value('claimdesk_updates_handled_total', { channel: 'telegram', outcome: 'handled' })).toBe(updates);
    expect(after.value('claimdesk_updates_handled_total', { channel: 'telegram', outcome: 'failed' })).toBeUndefined();
    expect(after.value('claimdesk_dialog_step_seconds_count', { channel: 'telegram' })).toBe(updates);
    expect(after.value('claimdesk_dialog_step_seconds_bucket', { channel: 'telegram', le: '+Inf' })).toBe(updates);
    // the default process metrics are there too
    expect(after.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(after.sum('nodejs_heap_size_total_bytes')).toBeGreaterThan(0);
    // the earlier scrape is counted by route pattern and status
    expect(after.value('claimdesk_http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(1);

    const records = logRecords(logged.lines);
    expect(records.length).toBe(logged.lines.length);
    expect(records).toContainEqual(expect.objectContaining({ level: 'debug', component: 'http', msg: 'request', method: 'GET', route: '/metrics', status: 200, durationMs: expect.any(Number) as unknown }));
    const text = records.flatMap(stringsOf).join('\n');
    for (const canary of [...Object.values(canaries), '999 000', 'Canaryson', 'lid melts']) expect(text, canary).not.toContain(canary);
  });

  it('counts a transition, the notification it sends and the job that sent it', async () => {
    const customer = customers[0];
    if (!customer) throw new Error('the intake test did not run');
    const [found] = await bot.app.claims.listForCustomer({ channel: 'telegram', userId: customer.chatId });
    if (!found) throw new Error('no claim');
    await bot.app.staff.act({ staffId: 'ivan' }, found.id, { action: 'take' });
    // the job's run is counted once it has finished, a moment after its message went out
    await eventually(async () => {
      const now = await scrape(bot.app.url);
      return now.value('claimdesk_notifications_total', { channel: 'telegram', result: 'sent' }) === 1 && now.sum('claimdesk_jobs_total', { job: 'customer.notify', outcome: 'success' }) >= 1;
    }, 20_000);
    const metrics = await scrape(bot.app.url);
    expect(metrics.value('claimdesk_claim_transitions_total', { action: 'take' })).toBe(1);
    expect(metrics.value('claimdesk_notifications_total', { channel: 'telegram', result: 'failed' })).toBeUndefined();
    expect(metrics.sum('claimdesk_job_duration_seconds_count', { job: 'customer.notify' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('claimdesk_telegram_queue_wait_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(metrics.value('claimdesk_telegram_queue_depth')).toBe(0);
  });

  it('/readyz is 200 while Telegram polls, and 503 naming telegram once the Bot API is gone; /healthz stays 200', async () => {
    const ready = await fetch(`${bot.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', jobs: 'ok', telegram: 'ok' } });
    await fake.close();
    let body: unknown;
    await eventually(async () => {
      const res = await fetch(`${bot.app.url}/readyz`);
      body = await res.json();
      return res.status === 503;
    }, 15_000);
    expect(body).toEqual({ status: 'not_ready', notReady: ['telegram'], checks: { database: 'ok', jobs: 'ok', telegram: expect.stringMatching(/^polling failing \(\w+/) as unknown } });
    expect((await fetch(`${bot.app.url}/healthz`)).status).toBe(200);
  }, 30_000);
});

describe('/readyz with Slack', () => {
  let desk: SlackDesk;
  beforeAll(async () => {
    desk = await SlackDesk.start();
  });
  afterAll(async () => {
    await desk.stop();
  });

  it('names slack while auth.test fails, and is ready again once it passes', async () => {
    expect((await fetch(`${desk.app.url}/readyz`)).status).toBe(200);
    desk.fake.failNext('auth.test', { error: 'invalid_auth' });
    const down = await fetch(`${desk.app.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not_ready', notReady: ['slack'], checks: { database: 'ok', jobs: 'ok', slack: 'auth.test failed (invalid_auth)' } });
    expect((await fetch(`${desk.app.url}/readyz`)).status).toBe(200);
  });
});

describe('/metrics access on a running desk', () => {
  const client = new MongoClient(inject('mongoUri'));
  const apps: App[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startApp({ env: { MONGODB_URI: `${inject('mongoUri')}metrics_${randomBytes(4).toString('hex')}`, PORT: '0', ...env }, log: createLogger('error', () => undefined), digestEvery: false });
    apps.push(app);
    return app;
  };
  afterAll(async () => {
    for (const app of apps) {
      const name = app.db.databaseName;
      await app.stop();
      await client.db(name).dropDatabase();
    }
    await client.close();
  });

  it('with METRICS_TOKEN: 401 without or with a wrong bearer token, 200 with it', async () => {
    const app = await start({ HOST: '127.0.0.1', METRICS_TOKEN: 'scrape-token-0123456789' });
    const none = await fetch(`${app.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    await scrape(app.url, { authorization: 'Bearer scrape-token-0123456789' });
  });

  it('listening on every interface without a token: 404, unless METRICS_PUBLIC=true', async () => {
    const hidden = await start({ HOST: '0.0.0.0' });
    expect((await fetch(`${hidden.url}/metrics`)).status).toBe(404);
    const open = await start({ HOST: '0.0.0.0', METRICS_PUBLIC: 'true' });
    const metrics = await scrape(open.url);
    expect(metrics.types.get('claimdesk_claims_registered_total')).toBe('counter');
  });
});

describe('the monitoring files in docs/', () => {
  it('the Grafana dashboard queries only metrics the desk exposes', async () => {
    const dashboard = JSON.parse(await readFile(path.join(projectRoot, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    expect(exprs.length).toBeGreaterThan(15);
    const families = parsePrometheus(await createMetrics().registry.metrics()).types;
    const used = new Set(exprs.flatMap((expr) => expr.match(/\b(?:claimdesk|process|nodejs)_[a-z0-9_]+/g) ?? []));
    const missing = [...used].filter((name) => !families.has(name) && !families.has(name.replace(/_(bucket|sum|count)$/, '')));
    expect(missing).toEqual([]);
    // every desk metric is on the dashboard
    const desk = [...families.keys()].filter((name) => name.startsWith('claimdesk_'));
    expect(desk.filter((name) => ![...used].some((usedName) => usedName.startsWith(name)))).toEqual([]);
  });

  it('the Prometheus scrape config and the compose file are valid YAML; monitoring is an optional profile', async () => {
    const prometheus = parseYaml(await readFile(path.join(projectRoot, 'docs/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; metrics_path: string; authorization: { type: string } }[] };
    expect(prometheus.scrape_configs).toContainEqual(expect.objectContaining({ job_name: 'claimdesk', metrics_path: '/metrics', authorization: expect.objectContaining({ type: 'Bearer' }) as unknown }));
    const compose = parseYaml(await readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { profiles?: string[] }> };
    expect(compose.services.prometheus?.profiles).toEqual(['monitoring']);
    expect(compose.services.grafana?.profiles).toEqual(['monitoring']);
    expect(compose.services.app?.profiles).toBeUndefined();
  });
});
