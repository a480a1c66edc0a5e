import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { t } from '../../src/i18n/index.js';
import { formatDateTime } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/store/local/paths.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { dueSlaChecks, nextSlaCheckAt, pendingSlaChecks } from '../../src/domain/sla.js';
import { draft } from '../support/fixtures.js';
import { MARIA, QUALITY, SERGEY, SlackDesk } from '../support/slack-desk.js';

const SECOND = 1000;
const HOUR = 3_600_000;

describe('SLA checks (pure)', () => {
  const createdAt = new Date('2026-11-23T10:00:00Z');
  const claim = {
    createdAt,
    status: 'new',
    sla: { firstResponseDueAt: new Date(createdAt.getTime() + 24 * HOUR), resolutionDueAt: new Date(createdAt.getTime() + 240 * HOUR), firstResponseHours: 24, resolutionHours: 240 },
    history: [] as { type: string; slaDeadline?: 'first_response' | 'resolution' }[],
  };
  const at = (hours: number) => new Date(createdAt.getTime() + hours * HOUR);

  it('a warning at the share of each window and the breach at its due time, in time order', () => {
    expect(pendingSlaChecks(claim, 0.75).map((check) => [check.deadline, check.stage, check.at])).toEqual([
      ['first_response', 'warning', at(18)],
      ['first_response', 'breach', at(24)],
      ['resolution', 'warning', at(180)],
      ['resolution', 'breach', at(240)],
    ]);
    expect(nextSlaCheckAt(claim, 0.75)).toEqual(at(18));
  });

  it('what was recorded is not due again; a late sweep records the breach without the stale warning', () => {
    expect(dueSlaChecks(claim, 0.75, at(30)).map((check) => `${check.deadline}:${check.stage}`)).toEqual(['first_response:breach']);
    const warned = { ...claim, history: [{ type: 'sla_warning', slaDeadline: 'first_response' as const }] };
    expect(dueSlaChecks(warned, 0.75, at(20))).toEqual([]);
    const breached = { ...claim, history: [{ type: 'sla_breach', slaDeadline: 'first_response' as const }] };
    expect(pendingSlaChecks(breached, 0.75).map((check) => check.deadline)).toEqual(['resolution', 'resolution']);
  });

  it('a first response stops the first-response clock; a resolved claim has no checks left', () => {
    expect(pendingSlaChecks({ ...claim, firstResponseAt: at(1) }, 0.75).map((check) => check.deadline)).toEqual(['resolution', 'resolution']);
    expect(pendingSlaChecks({ ...claim, status: 'resolved' }, 0.75)).toEqual([]);
    expect(nextSlaCheckAt({ ...claim, status: 'closed' }, 0.75)).toBeUndefined();
  });
});

describe('SLA warnings and escalations, with the real scheduler and Slack', () => {
  let desk: SlackDesk;

  beforeAll(async () => {
    // a desk whose deadlines are seconds long: first response 2.16 s, resolution 4.32 s, warn at half
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as { sla: Record<string, unknown> };
    config.sla = { firstResponseHours: 0.0006, resolutionHours: 0.0012, warnAtShare: 0.5 };
    const dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-sla-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    desk = await SlackDesk.start({ env: { DESK_CONFIG: file }, slaEvery: 150 });
  });
  afterAll(async () => {
    await desk.stop();
  });

  const dms = (userId: string) => desk.fake.messagesIn(desk.fake.dmChannelFor(userId)).map((message) => message.text);
  const due = (claim: Claim, which: 'first' | 'resolution', locale: 'ru' | 'en' = 'ru') =>
    formatDateTime(which === 'first' ? claim.sla.firstResponseDueAt : claim.sla.resolutionDueAt, locale, 'Europe/Moscow');

  it('warns the assignee, escalates a breach to the heads, notes both on the claim — each once per deadline; a staff answer stops the first-response clock', async () => {
    const { claim: waiting } = await desk.app.registry.submit(draft({ customer: { channel: 'telegram', userId: '7001' }, conversation: { channel: 'telegram', chatId: '7001' } }), 'sla-1');
    const { claim: answered } = await desk.app.registry.submit(draft({ customer: { channel: 'telegram', userId: '7002' }, conversation: { channel: 'telegram', chatId: '7002' } }), 'sla-2');
    const taken = await desk.app.staff.act({ teamId: 'T0EXAMPLE1', userId: MARIA }, answered.id, { action: 'take' });
    expect(taken.ok).toBe(true);

    const events = async (claim: Claim) =>
      ((await desk.app.claims.findById(claim.id))?.history ?? []).filter((event) => event.type.startsWith('sla_')).map((event) => `${event.slaDeadline ?? ''}:${event.type}`);
    const deadline = Date.now() + 15 * SECOND;
    while ((await events(waiting)).length < 4 || (await events(answered)).length < 2) {
      if (Date.now() > deadline) throw new Error('the SLA events did not come');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await desk.settled();
    expect((await events(waiting)).sort()).toEqual(['first_response:sla_breach', 'first_response:sla_warning', 'resolution:sla_breach', 'resolution:sla_warning']);
    expect(await events(answered)).toEqual(['resolution:sla_warning', 'resolution:sla_breach']);

    // Sergey heads quality: both breaches of the waiting claim and the one of the answered claim, in English
    const sergey = dms(SERGEY);
    expect(sergey).toContain(t('en', 'staff.sla.breach.first_response', { number: waiting.number, due: due(waiting, 'first', 'en') }));
    expect(sergey).toContain(t('en', 'staff.sla.breach.resolution', { number: waiting.number, due: due(waiting, 'resolution', 'en') }));
    expect(sergey).toContain(t('en', 'staff.sla.breach.resolution', { number: answered.number, due: due(answered, 'resolution', 'en') }));
    expect(sergey).toHaveLength(3);
    // Maria is warned about her claim's resolution; nobody is warned about an unassigned claim by DM
    expect(dms(MARIA)).toEqual([t('ru', 'staff.sla.warning.resolution', { number: answered.number, due: due(answered, 'resolution') })]);
    // the notes are in the claims' threads
    const thread = desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts !== undefined).map((message) => message.text);
    expect(thread).toContain(t('ru', 'staff.sla.warning.first_response', { number: waiting.number, due: due(waiting, 'first') }));

    // later sweeps record nothing again; no check is left
    await new Promise((resolve) => setTimeout(resolve, 600));
    await desk.settled();
    expect(dms(SERGEY)).toHaveLength(3);
    expect((await events(waiting)).length).toBe(4);
    const stored = await desk.app.db.collection<{ slaNextCheckAt?: Date }>('claims').find({ number: { $in: [waiting.number, answered.number] } }).toArray();
    expect(stored.map((doc) => doc.slaNextCheckAt)).toEqual([undefined, undefined]);
  });
});
