import type { Agenda } from 'agenda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionEvent, CorrectiveAction } from '../src/domain/capa.js';
import type { DeskConfig, StaffMember } from '../src/domain/desk.js';
import { createCore, type Core } from '../src/core.js';
import { ensureIndexes } from '../src/store/collections.js';
import { createScheduler, stopScheduler } from '../src/jobs/agenda.js';
import { scheduleCapaJobs } from '../src/jobs/capa.js';
import { releaseUnstartedJobs } from '../src/store/job-housekeeping.js';
import { openTestDatabase, type TestDatabase } from './support/db.js';
import { draft, eventually, exampleDesk, telegramCustomer } from './support/fixtures.js';
import { t } from '../src/i18n/index.js';

const HOUR = 3_600_000;
const START = new Date('2026-12-01T09:00:00Z');

describe('the CAPA desk on the database', () => {
  let database: TestDatabase;
  let desk: DeskConfig;
  let core: Core;
  let clock = START;
  const now = () => clock;
  let claimNumber = '';

  beforeAll(async () => {
    database = await openTestDatabase('capa');
    await ensureIndexes(database.db);
    desk = await exampleDesk();
    core = createCore(database.db, desk, { now });
    const { claim } = await core.registry.submit(draft({ category: 'defect' }), 'capa-1');
    claimNumber = claim.number;
  });

  afterAll(async () => {
    await database.close();
  });

  const dueIn = (hours: number) => new Date(clock.getTime() + hours * HOUR).toISOString();

  it('opens a numbered action for a claim, with its category and product key', async () => {
    const result = await core.capa.open({ staffId: 'maria' }, claimNumber, { kind: 'corrective', description: 'Check the KT-200 thermostats', ownerId: 'ivan', dueAt: dueIn(72) });
    expect(result.ok).toBe(true);
    const action = (result as { action: CorrectiveAction }).action;
    expect(action.number).toBe('A-2026-0001');
    expect(action).toMatchObject({ status: 'open', ownerId: 'ivan', department: 'quality', category: 'defect', productKey: 'kettlekt200' });
    const stored = await core.actions.findByNumber('A-2026-0001');
    expect(stored).toEqual(action);
    const second = await core.capa.open({ staffId: 'ivan' }, claimNumber, { kind: 'preventive', description: 'Brief the supplier', ownerId: 'ivan', dueAt: dueIn(200) });
    expect(second.ok && second.action.number).toBe('A-2026-0002');
  });

  it('refuses what the rules refuse and records nothing', async () => {
    const before = (await core.capa.list({}, { skip: 0, limit: 10 })).total;
    expect(await core.capa.open({ staffId: 'olga' }, claimNumber, { kind: 'corrective', description: 'x', ownerId: 'ivan', dueAt: dueIn(5) })).toMatchObject({ ok: false, reason: 'missing_right', right: 'open_action' });
    expect(await core.capa.open({ staffId: 'maria' }, '2026-999999', { kind: 'corrective', description: 'x', ownerId: 'ivan', dueAt: dueIn(5) })).toMatchObject({ ok: false, reason: 'not_found' });
    expect(await core.capa.open({ staffId: 'maria' }, claimNumber, { kind: 'corrective', description: '', ownerId: 'ivan', dueAt: dueIn(5) })).toMatchObject({ ok: false, reason: 'invalid_input' });
    expect(await core.capa.open({ staffId: 'nobody' }, claimNumber, { kind: 'corrective', description: 'x', ownerId: 'ivan', dueAt: dueIn(5) })).toMatchObject({ ok: false, reason: 'not_staff' });
    expect((await core.capa.list({}, { skip: 0, limit: 10 })).total).toBe(before);
    expect(await core.capa.act({ staffId: 'ivan' }, 'A-2026-0001', { type: 'verify', effective: true, note: 'fine' })).toMatchObject({ ok: false, reason: 'missing_right', right: 'verify_action' });
    expect((await core.actions.findByNumber('A-2026-0001'))?.version).toBe(1);
  });

  it('lists a member\'s open actions, soonest due first, and filters the register', async () => {
    const mine = await core.capa.mine({ staffId: 'ivan' });
    expect(mine?.actions.map((action) => action.number)).toEqual(['A-2026-0001', 'A-2026-0002']);
    expect(await core.capa.mine({ staffId: 'nobody' })).toBeUndefined();
    const numbers = async (filter: Parameters<Core['capa']['list']>[0]) => (await core.capa.list(filter, { skip: 0, limit: 10 })).actions.map((action) => action.number);
    expect(await numbers({ kind: 'preventive' })).toEqual(['A-2026-0002']);
    expect(await numbers({ productKey: 'kettlekt200', category: 'defect' })).toEqual(['A-2026-0002', 'A-2026-0001']);
    expect(await numbers({ overdueAt: new Date(START.getTime() + 100 * HOUR) })).toEqual(['A-2026-0001']);
    expect(await numbers({ ownerId: 'maria' })).toEqual([]);
  });

  it('links a later claim, once', async () => {
    const { claim } = await core.registry.submit(draft({ ...telegramCustomer('7002'), concerns: { product: 'kettle kt200' } }), 'capa-2');
    const linked = await core.capa.link({ staffId: 'maria' }, 'A-2026-0001', claim.number);
    expect(linked.ok && linked.action.claimIds).toHaveLength(2);
    const again = await core.capa.link({ staffId: 'maria' }, 'A-2026-0001', claim.number);
    expect(again.ok && again.action.version).toBe(linked.ok ? linked.action.version : -1);
    expect(await core.capa.list({ claimId: claim.id }, { skip: 0, limit: 10 })).toMatchObject({ total: 1 });
  });

  it('sends an action\'s alerts once when two sweeps deliver them at the same moment', async () => {
    const opened = await core.capa.open({ staffId: 'maria' }, claimNumber, { kind: 'correction', description: 'Replace the kettle', ownerId: 'ivan', dueAt: dueIn(30) });
    if (!opened.ok) throw new Error(opened.reason);
    const told: string[] = [];
    const slowSend = async (member: StaffMember) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      told.push(member.id);
    };
    const counts = await Promise.all([core.capa.deliverAlerts(opened.action.id, slowSend), core.capa.deliverAlerts(opened.action.id, slowSend)]);
    expect(told).toEqual(['ivan']);
    expect(counts.sort()).toEqual([0, 1]);
    // released: a later change's alerts go out
    expect(await core.capa.act({ staffId: 'maria' }, opened.action.number, { type: 'edit', ownerId: 'maria' })).toMatchObject({ ok: true });
    expect(await core.capa.deliverAlerts(opened.action.id, slowSend)).toBe(0); // maria made herself the owner: nobody to tell
    expect(await core.capa.act({ staffId: 'sergey' }, opened.action.number, { type: 'cancel', reason: 'Not needed' })).toMatchObject({ ok: true });
  });

  it('tells the customer the measures taken with the decision: the kinds of the claim\'s actions still standing, never their words', async () => {
    const claim = await core.claims.findByNumber(claimNumber);
    if (!claim) throw new Error('no claim');
    const decided = await core.staff.act({ staffId: 'sergey' }, claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'replacement', responseText: 'Заменим чайник. {measures}' } });
    expect(decided.ok).toBe(true);
    // A-0001 corrective and A-0002 preventive stand; A-0003 (a correction) was cancelled
    expect(decided.ok && decided.claim.decision?.responseText).toBe(`Заменим чайник. ${t('ru', 'capa.measure.corrective')} ${t('ru', 'capa.measure.preventive')}`);
    expect(decided.ok && decided.claim.decision?.responseText).not.toContain('KT-200');
  });

  describe('reminders and alerts with two workers', () => {
    const sent: { staffId: string; number: string; type: ActionEvent['type'] }[] = [];
    const send = (member: StaffMember, action: CorrectiveAction, event: ActionEvent) => {
      sent.push({ staffId: member.id, number: action.number, type: event.type });
      return Promise.resolve();
    };
    let workers: Agenda[] = [];

    beforeAll(async () => {
      workers = [createScheduler(database.db, { processEveryMs: 100 }), createScheduler(database.db, { processEveryMs: 100 })];
      for (const worker of workers) {
        await worker.ready;
        await scheduleCapaJobs(worker, { capa: core.capa, store: core.actions, send }, { every: 200, now });
        await worker.start();
      }
    });

    afterAll(async () => {
      for (const worker of workers) await stopScheduler(worker, (ids) => releaseUnstartedJobs(database.db, ids), 5_000);
    });

    const events = async (number: string, type: ActionEvent['type']) => (await core.actions.findByNumber(number))?.history.filter((event) => event.type === type) ?? [];

    it('pings the owner of a new action once (not the one who assigned it to themselves)', async () => {
      await eventually(() => sent.some((alert) => alert.number === 'A-2026-0001' && alert.type === 'assigned'), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(sent.filter((alert) => alert.type === 'assigned')).toEqual([{ staffId: 'ivan', number: 'A-2026-0001', type: 'assigned' }]);
    });

    it('reminds the owner once before the due date, then escalates to quality once when overdue', async () => {
      clock = new Date(START.getTime() + 49 * HOUR);
      await eventually(async () => (await events('A-2026-0001', 'due_soon')).length > 0, 10_000);
      await eventually(() => sent.some((alert) => alert.type === 'due_soon'), 10_000);
      clock = new Date(START.getTime() + 97 * HOUR);
      await eventually(async () => (await events('A-2026-0001', 'escalated')).length > 0, 10_000);
      await eventually(() => sent.some((alert) => alert.type === 'escalated'), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // more sweeps, more chances to double
      expect(await events('A-2026-0001', 'due_soon')).toHaveLength(1);
      expect(await events('A-2026-0001', 'escalated')).toHaveLength(1);
      // the sweep was late for the overdue notice: only the latest stage is said
      expect(await events('A-2026-0001', 'overdue')).toHaveLength(0);
      expect(sent.filter((alert) => alert.number === 'A-2026-0001' && alert.type !== 'assigned')).toEqual([
        { staffId: 'ivan', number: 'A-2026-0001', type: 'due_soon' },
        { staffId: 'maria', number: 'A-2026-0001', type: 'escalated' },
      ]);
    });

    it('tells quality an action is done, and the owner when it did not work', async () => {
      expect(await core.capa.act({ staffId: 'ivan' }, 'A-2026-0001', { type: 'complete', note: 'All checked' })).toMatchObject({ ok: true });
      await eventually(() => sent.some((alert) => alert.type === 'done'), 10_000);
      expect(await core.capa.act({ staffId: 'sergey' }, 'A-2026-0001', { type: 'verify', effective: false, note: 'Two new claims' })).toMatchObject({ ok: true, action: { status: 'open' } });
      await eventually(() => sent.some((alert) => alert.type === 'verification_failed'), 10_000);
      expect(sent.filter((alert) => alert.type === 'done' || alert.type === 'verification_failed')).toEqual([
        { staffId: 'maria', number: 'A-2026-0001', type: 'done' },
        { staffId: 'ivan', number: 'A-2026-0001', type: 'verification_failed' },
      ]);
    });
  });
});
