import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';

interface ActionBody {
  action: {
    number: string;
    kind: string;
    status: string;
    owner: { id: string; name: string };
    overdue: boolean;
    claims: string[];
    category: string | null;
    history: { type: string; text: string }[];
  };
}
interface ListBody {
  total: number;
  actions: ActionBody['action'][];
}

const DAY = 86_400_000;

describe('corrective actions in the web console', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality
  let maria: ConsoleBrowser; // quality, every department
  let defect: Claim; // quality
  let later: Claim; // quality, the same product typed differently

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [olga, ivan, maria] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan'), desk.signIn('maria')]);
    defect = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7101') }), 'capa-console-1')).claim;
    later = (await desk.app.registry.submit(draft({ category: 'defect', concerns: { product: 'kettle kt200' }, ...telegramCustomer('7102') }), 'capa-console-2')).claim;
  });
  afterAll(() => desk.stop());

  const due = (days: number) => new Date(Date.now() + days * DAY).toISOString();

  it('opens an action for a claim: 201 with its number; bad input is a 400 and the rules answer 403 in the member\'s words', async () => {
    const body = { claimNumber: defect.number, kind: 'corrective', description: 'Check the thermostat of every KT-200 in stock', ownerId: 'ivan', dueAt: due(3) };
    expect((await maria.post('/console/api/capa', { ...body, kind: 'fix' })).status).toBe(400);
    expect((await maria.post('/console/api/capa', { ...body, claimNumber: 'x' })).status).toBe(400);
    expect((await maria.post('/console/api/capa', { ...body, dueAt: due(-1) })).status).toBe(400);
    expect((await maria.post('/console/api/capa', { ...body, claimNumber: '2026-999999' })).status).toBe(404);
    const operator = await olga.post('/console/api/capa', body);
    expect(operator.status).toBe(403);
    expect(((await operator.json()) as { message: string }).message).toBe(
      t('ru', 'staff.refused.missing_right', { right: t('ru', 'staff.right.open_action'), roles: [t('ru', 'staff.role.specialist'), t('ru', 'staff.role.quality'), t('ru', 'staff.role.head')].join(', ') }),
    );
    const wrongOwner = await maria.post('/console/api/capa', { ...body, ownerId: 'olga' });
    expect([wrongOwner.status, ((await wrongOwner.json()) as { message: string }).message]).toEqual([400, t('ru', 'capa.refused.owner_cannot_own')]);
    expect(((await (await maria.get('/console/api/capa')).json()) as ListBody).total).toBe(0);

    const res = await maria.post('/console/api/capa', body);
    expect(res.status).toBe(201);
    const { action } = (await res.json()) as ActionBody;
    expect(action).toMatchObject({ number: `A-${new Date().getUTCFullYear()}-0001`, kind: 'corrective', status: 'open', owner: { id: 'ivan', name: 'Ivan Petrov' }, claims: [defect.number], category: 'defect', overdue: false });
    expect(action.history.map((event) => event.text)).toEqual([t('ru', 'capa.history.opened', { who: 'Maria Kuznetsova' }), t('ru', 'capa.history.assigned', { who: 'Maria Kuznetsova', owner: 'Ivan Petrov' })]);
  });

  it('links a later claim, and the owner completes it; only quality or a head verifies it', async () => {
    const number = `A-${new Date().getUTCFullYear()}-0001`;
    const path = `/console/api/capa/${number}/actions`;
    const linked = await maria.post(path, { type: 'link', claimNumber: later.number });
    expect(((await linked.json()) as ActionBody).action.claims).toEqual([defect.number, later.number]);
    // a link naming a claim by id and department is not what the console takes
    expect((await maria.post(path, { type: 'link', claimId: later.id, department: 'logistics' })).status).toBe(400);
    expect((await ivan.post(path, { type: 'complete', note: '' })).status).toBe(400);
    const done = await ivan.post(path, { type: 'complete', note: 'All 40 checked, 3 replaced' });
    expect(((await done.json()) as ActionBody).action.status).toBe('done');
    const byIvan = await ivan.post(path, { type: 'verify', effective: true, note: 'fine' });
    expect(byIvan.status).toBe(403);
    const again = await ivan.post(path, { type: 'complete', note: 'again' });
    expect([again.status, ((await again.json()) as { message: string }).message]).toEqual([409, t('ru', 'capa.refused.invalid_transition', { status: t('ru', 'capa.status.done') })]);
    const verified = await maria.post(path, { type: 'verify', effective: true, note: 'No new thermostat claims' });
    expect(((await verified.json()) as ActionBody).action.status).toBe('verified');
    expect((await maria.get(`/console/api/capa/${number.toLowerCase()}`)).status).toBe(200);
    expect((await maria.get('/console/api/capa/B-1')).status).toBe(400);
  });

  it('filters the register and exports it as CSV in the member\'s language', async () => {
    await maria.post('/console/api/capa', { claimNumber: defect.number, kind: 'preventive', description: 'Brief the supplier', ownerId: 'maria', dueAt: due(10) });
    const numbers = async (query: string) => ((await (await ivan.get(`/console/api/capa?${query}`)).json()) as ListBody).actions.map((action) => action.number);
    const year = new Date().getUTCFullYear();
    expect(await numbers('')).toEqual([`A-${year}-0002`, `A-${year}-0001`]);
    expect(await numbers('status=verified')).toEqual([`A-${year}-0001`]);
    expect(await numbers('owner=maria&kind=preventive')).toEqual([`A-${year}-0002`]);
    expect(await numbers('product=KETTLE%20kt-200&category=defect')).toEqual([`A-${year}-0002`, `A-${year}-0001`]);
    expect(await numbers('overdue=true')).toEqual([]);
    expect((await ivan.get('/console/api/capa?owner=nobody')).status).toBe(400);
    expect((await ivan.get('/console/api/capa?colour=red')).status).toBe(400);

    const csv = await (await maria.get('/console/api/capa.csv?kind=corrective')).text();
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe(['number', 'kind', 'status', 'description', 'owner', 'due', 'overdue', 'department', 'category', 'claims', 'opened'].map((column) => t('ru', `capa.csv.${column}` as 'capa.csv.number')).join(';'));
    expect(lines).toHaveLength(2);
    expect(lines[1]?.split(';').slice(0, 5)).toEqual([`A-${year}-0001`, 'corrective', 'verified', 'Check the thermostat of every KT-200 in stock', 'ivan']);
    expect((await desk.anonymous().get('/console/api/capa.csv')).status).toBe(401);
  });
});
