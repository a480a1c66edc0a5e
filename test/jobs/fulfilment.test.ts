import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { CollectingChannel } from '../support/chat.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';

/**
 * The fulfilment sweep (#25) with two workers on one database: a remedy past its due date is
 * recorded overdue once, then escalated once, however many sweeps of both workers look at it.
 */
describe('overdue fulfilment, two workers', () => {
  const database = `fulfilment_${randomBytes(4).toString('hex')}`;
  let apps: App[] = [];
  let file: string;

  beforeAll(async () => {
    // escalation 1.8 s after the due date
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, unknown>;
    config.decisions = { fulfilmentEscalateAfterHours: 0.0005 };
    const dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-fulfilment-'));
    file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    const start = () =>
      startApp({
        env: { MONGODB_URI: `${inject('mongoUri')}${database}?serverSelectionTimeoutMS=800`, PORT: '0', HOST: '127.0.0.1', DESK_CONFIG: file },
        log: createLogger('error', () => undefined),
        senders: { telegram: new CollectingChannel() },
        jobsEveryMs: 100,
        fulfilmentEvery: 100,
        notifications: { sweepEvery: 200, graceMs: 0 },
      });
    apps = [await start(), await start()];
  });
  afterAll(async () => {
    await apps[0]?.db.dropDatabase();
    for (const app of apps) await app.stop();
  });

  it('records the remedy overdue, then escalated, each once; a remedy done is left alone', async () => {
    const [a, b] = apps;
    if (!a || !b) throw new Error('apps did not start');
    const decision = { outcome: 'accepted' as const, remedy: 'refund' as const, responseText: 'We refund the price.' };
    const { claim: late } = await a.registry.submit(draft(telegramCustomer('8101')), 'fulfilment-1');
    const { claim: done } = await b.registry.submit(draft(telegramCustomer('8102')), 'fulfilment-2');
    for (const claim of [late, done]) {
      await a.registry.take(claim.id, 'ivan');
      const resolved = await b.registry.decide(claim.id, 'ivan', decision, 1);
      expect(resolved.fulfilment?.dueAt.getTime()).toBeGreaterThan(Date.now());
    }
    await b.registry.fulfil(done.id, 'ivan', undefined);
    // a day passes: the due dates move to the past (the sweeps' schedule with them)
    const past = new Date(Date.now() - 1_000);
    for (const claim of [late, done]) {
      await a.db.collection('claims').updateOne({ number: claim.number }, { $set: { 'fulfilment.dueAt': past, fulfilmentNextAt: past } });
    }
    const types = async (id: string) => ((await a.claims.findById(id))?.history ?? []).map((event) => event.type).filter((type) => type.startsWith('fulfilment_'));
    await eventually(async () => (await types(late.id)).includes('fulfilment_escalated'), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // more sweeps of both workers, more chances to record twice
    expect(await types(late.id)).toEqual(['fulfilment_overdue', 'fulfilment_escalated']);
    expect(await types(done.id)).toEqual([]);
    const stored = await a.claims.findById(late.id);
    expect(stored?.status).toBe('resolved');
    expect(stored?.fulfilment?.overdueAt).toBeInstanceOf(Date);
    expect(stored?.fulfilment?.escalatedAt).toBeInstanceOf(Date);
    expect(await a.db.collection('claims').countDocuments({ fulfilmentNextAt: { $exists: true } })).toBe(0);
  });
});
