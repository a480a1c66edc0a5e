import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claim } from '../../src/domain/lifecycle.js';
import { t } from '../../src/i18n/index.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';

interface SimilarBody {
  similar: { number: string; status: string; score: number; sameProduct: boolean; description: string | null; rootCause: string | null; actions: { number: string; status: string }[] }[];
}
interface EffectivenessBody {
  days: number;
  actions: { number: string; outcome: string; scopeText: string; before: { claims: number }; after: { days: number; rate: number | null } }[];
  notFallen: unknown[];
}

const DAY = 86_400_000;

describe('the analysis in the web console (#24)', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality
  let maria: ConsoleBrowser; // quality, every department
  let leak: Claim; // quality: a leaking kettle, with a corrective action
  let toaster: Claim;
  let again: Claim; // quality: the kettle leaks again, the product spelled otherwise
  let action: string;

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [olga, ivan, maria] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan'), desk.signIn('maria')]);
    const submit = async (key: string, description: string, product: string, customer: string) =>
      (await desk.app.registry.submit(draft({ category: 'defect', concerns: { product }, description, ...telegramCustomer(customer) }), key)).claim;
    leak = await submit('analysis-1', 'The kettle leaks from the bottom: a puddle of water on the table every time.', 'Kettle KT-200', '7201');
    toaster = await submit('analysis-2', 'The toaster burns the bread even on the lowest setting.', 'Toaster TS-1', '7202');
    again = await submit('analysis-3', 'Water leaks out of the kettle bottom onto the table.', 'kettle kt200', '7203');
    const opened = await maria.post('/console/api/capa', { claimNumber: leak.number, kind: 'corrective', description: 'Replace the seals of the KT-200 batch', ownerId: 'ivan', dueAt: new Date(Date.now() + 3 * DAY).toISOString() });
    action = ((await opened.json()) as { action: { number: string } }).action.number;
    await ivan.post(`/console/api/capa/${action}/actions`, { type: 'complete', note: 'All seals replaced' });
    const verified = await maria.post(`/console/api/capa/${action}/actions`, { type: 'verify', effective: true, note: 'Checked' });
    expect(verified.status).toBe(200);
  });
  afterAll(() => desk.stop());

  it('similar claims: the earlier leaking kettle first, with its action; the toaster is not similar', async () => {
    const res = await maria.get(`/console/api/claims/${again.number}/similar`);
    expect(res.status).toBe(200);
    const { similar } = (await res.json()) as SimilarBody;
    expect(similar.map((item) => item.number)).toEqual([leak.number]);
    expect(similar[0]).toMatchObject({ sameProduct: true, description: leak.description, actions: [{ number: action, status: 'verified' }] });
    expect(similar.map((item) => item.number)).not.toContain(toaster.number);
    // nothing before the first claim
    expect(((await (await maria.get(`/console/api/claims/${leak.number}/similar`)).json()) as SimilarBody).similar).toEqual([]);
  });

  it('a member who may not see the similar claim\'s personal data gets no description', async () => {
    const { similar } = (await (await olga.get(`/console/api/claims/${again.number}/similar`)).json()) as SimilarBody;
    expect(similar.map((item) => [item.number, item.description])).toEqual([[leak.number, null]]);
  });

  it('bad numbers are a 400, unknown claims a 404, nobody signed in a 401', async () => {
    expect((await maria.get('/console/api/claims/nonsense/similar')).status).toBe(400);
    expect((await maria.get('/console/api/claims/2026-999999/similar')).status).toBe(404);
    expect((await desk.anonymous().get(`/console/api/claims/${again.number}/similar`)).status).toBe(401);
  });

  it('one click links the later claim to the similar claim\'s action; the report counts the claims with a verified corrective action', async () => {
    const before = (await (await maria.get('/console/api/reports')).json()) as { total: number; rootCause: { verifiedAction: { count: number; of: number } } };
    expect(before.rootCause.verifiedAction).toMatchObject({ count: 1, of: before.total });
    const linked = await maria.post(`/console/api/capa/${action}/actions`, { type: 'link', claimNumber: again.number });
    expect(((await linked.json()) as { action: { claims: string[] } }).action.claims).toEqual([leak.number, again.number]);
    const after = (await (await maria.get('/console/api/reports')).json()) as { rootCause: { verifiedAction: { count: number } } };
    expect(after.rootCause.verifiedAction.count).toBe(2);
  });

  it('CAPA effectiveness: for the reports right only; JSON and CSV; a bad filter names the parameter', async () => {
    const refused = await olga.get('/console/api/reports/effectiveness');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe(
      t('ru', 'staff.refused.missing_right', { right: t('ru', 'staff.right.all_reports'), roles: [t('ru', 'staff.role.quality'), t('ru', 'staff.role.head')].join(', ') }),
    );
    expect((await ivan.get('/console/api/reports/effectiveness.csv')).status).toBe(403);
    const res = await maria.get('/console/api/reports/effectiveness');
    expect(res.status).toBe(200);
    const report = (await res.json()) as EffectivenessBody;
    expect(report.days).toBe(90);
    // verified a moment ago: not one day has passed
    expect(report.actions.map((row) => [row.number, row.outcome, row.scopeText, row.before.claims, row.after.days, row.after.rate])).toEqual([[action, 'too_early', 'Kettle KT-200', 2, 0, null]]); // before it was opened: the two kettle claims (one spelled otherwise), not the toaster
    expect(report.notFallen).toEqual([]);
    const csv = await maria.get('/console/api/reports/effectiveness.csv?category=defect');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]?.split(';')[0]).toBe(t('ru', 'console.analysis.col.number'));
    expect(lines[1]).toContain(action);
    expect(lines[1]).toContain(t('ru', 'console.analysis.outcome.too_early'));
    const bad = await maria.get('/console/api/reports/effectiveness?category=ghost');
    expect([bad.status, ((await bad.json()) as { message: string }).message]).toEqual([400, expect.stringMatching(/^category: expected one of/)]);
    expect((await maria.get('/console/api/reports/effectiveness?status=open')).status).toBe(400);
  });
});
