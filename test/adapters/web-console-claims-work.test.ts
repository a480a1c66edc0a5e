import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import type { StaffRight } from '../../src/domain/staff.js';
import { rolesWith } from '../../src/domain/staff.js';

/** The claims work over HTTP (#24): assessment, investigate, the investigation record, by the role table. */

interface ClaimBody {
  claim: {
    number: string;
    status: string;
    version: number;
    severity: string;
    sla: { firstResponseDueAt: string; resolutionDueAt: string };
    history: { type: string; text: string }[];
    actions: { action: string; allowed: boolean; reason?: string }[];
    assessment: null | { customer: string; warranty: string; warrantyDerived: string; warrantyReason: string | null; justified: string; severity: string; by: { id: string } };
    warrantyDerived: string;
    investigation: null | { facts: string | null; whys: { why: string; because: string }[]; causeCategory: string | null; rootCause: string | null; updatedBy: { id: string } };
    nextStep: string | null;
  };
}
interface ErrorBody {
  error: string;
  message: string;
}

const missingRight = (locale: 'ru' | 'en', right: StaffRight) =>
  t(locale, 'staff.refused.missing_right', { right: t(locale, `staff.right.${right}`), roles: rolesWith(right).map((role) => t(locale, `staff.role.${role}`)).join(', ') });

describe('the web console: assessment and investigation', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality
  let sergey: ConsoleBrowser; // head (English)
  let defect: Claim; // quality, bought within the 12-month warranty
  let refund: Claim; // support

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [olga, ivan, sergey] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan'), desk.signIn('sergey')]);
    const recently = new Date(Date.now() - 30 * 24 * 3_600_000).toISOString().slice(0, 10);
    defect = (await desk.app.registry.submit(draft({ category: 'defect', concerns: { product: 'Kettle KT-200', purchaseDate: recently }, ...telegramCustomer('8101'), locale: 'en' }), 'claims-work-1')).claim;
    refund = (await desk.app.registry.submit(draft({ category: 'refund', desiredRemedy: 'refund', ...telegramCustomer('8102') }), 'claims-work-2')).claim;
  });
  afterAll(() => desk.stop());

  const get = async (browser: ConsoleBrowser, number: string) => ((await (await browser.get(`/console/api/claims/${number}`)).json()) as ClaimBody).claim;
  const act = (browser: ConsoleBrowser, number: string, body: unknown) => browser.post(`/console/api/claims/${number}/actions`, body);

  it('shows a claim never assessed nor investigated as such (null), with the warranty the dates say', async () => {
    const claim = await get(ivan, defect.number);
    expect(claim.assessment).toBeNull();
    expect(claim.investigation).toBeNull();
    expect(claim.warrantyDerived).toBe('yes');
    expect(claim.severity).toBe('normal');
    // a new claim: neither assessing nor investigating is offered before it is taken
    expect(claim.actions.map((a) => a.action)).not.toContain('assess');
    expect(claim.nextStep).toBeNull();
    const me = (await (await ivan.get('/console/api/me')).json()) as { desk: { causes: { id: string; label: string }[]; severities: { id: string }[] } };
    expect(me.desk.causes).toContainEqual({ id: 'machines', label: 'Оборудование' });
    expect(me.desk.severities.map((s) => s.id)).toEqual(['low', 'normal', 'high', 'critical']);
  });

  it('offers assess and investigate on a claim in review, and points to the assessment', async () => {
    expect((await act(ivan, defect.number, { action: 'take' })).status).toBe(200);
    const claim = await get(ivan, defect.number);
    expect(claim.actions.filter((a) => a.allowed).map((a) => a.action)).toEqual(['assign', 'assess', 'investigate', 'request_info', 'resolve', 'reply', 'move', 'link_duplicate', 'note']);
    expect(claim.nextStep).toBe('assess');
  });

  it('answers a bad assessment 400 and changes nothing', async () => {
    const before = (await desk.app.claims.findById(defect.id))?.version;
    for (const body of [
      { action: 'assess', customer: 'yes', justified: 'needs_investigation', severity: 'urgent' },
      { action: 'assess', customer: 'perhaps', justified: 'yes', severity: 'high' },
      { action: 'assess', customer: 'yes', justified: 'yes', severity: 'high', warrantyOverride: { within: 'no' } },
      { action: 'assess', customer: 'yes', justified: 'yes', severity: 'high', extendReason: '' },
    ]) {
      const res = await act(ivan, defect.number, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error).toBe('invalid_input');
    }
    expect((await desk.app.claims.findById(defect.id))?.version).toBe(before);
  });

  it('records an assessment: the values, the derived warranty, the severity and earlier due times, a history line', async () => {
    const before = await desk.app.claims.findById(defect.id);
    const res = await act(ivan, defect.number, { action: 'assess', customer: 'yes', justified: 'needs_investigation', severity: 'critical' });
    expect(res.status).toBe(200);
    const { claim } = (await res.json()) as ClaimBody;
    expect(claim.assessment).toMatchObject({ customer: 'yes', warranty: 'yes', warrantyDerived: 'yes', warrantyReason: null, justified: 'needs_investigation', severity: 'critical', by: { id: 'ivan' } });
    expect(claim.severity).toBe('critical');
    // critical: a decision within 48 h of receipt (the example desk), earlier than the 240 h promised
    expect(new Date(claim.sla.resolutionDueAt).getTime()).toBe(defect.createdAt.getTime() + 48 * 3_600_000);
    expect(new Date(claim.sla.resolutionDueAt).getTime()).toBeLessThan(before?.sla.resolutionDueAt.getTime() ?? 0);
    expect(claim.history.map((event) => event.type)).toEqual(expect.arrayContaining(['assessed', 'deadline_changed']));
    expect(claim.history.find((event) => event.type === 'assessed')?.text).toMatch(/^Ivan Petrov /);
    expect(claim.nextStep).toBe('investigate');
  });

  it('lets only a head extend the due times past the promise, and tells the customer the reason', async () => {
    const path = { action: 'assess', customer: 'yes', justified: 'needs_investigation', severity: 'normal', extendReason: 'The laboratory test takes a week.' };
    const before = await desk.app.claims.findById(defect.id);
    const refused = await act(ivan, defect.number, path);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'missing_right', message: missingRight('ru', 'extend_deadline') });
    expect((await desk.app.claims.findById(defect.id))?.version).toBe(before?.version);
    // without the reason, a lower severity never moves the due times later
    const lowered = (await (await act(ivan, defect.number, { ...path, extendReason: undefined })).json()) as ClaimBody;
    expect(lowered.claim.severity).toBe('normal');
    expect(new Date(lowered.claim.sla.resolutionDueAt).getTime()).toBe(before?.sla.resolutionDueAt.getTime());
    const res = await act(sergey, defect.number, path);
    expect(res.status).toBe(200);
    const { claim } = (await res.json()) as ClaimBody;
    expect(new Date(claim.sla.resolutionDueAt).getTime()).toBe(defect.createdAt.getTime() + 240 * 3_600_000);
    await eventually(() => desk.telegram.to('8101').some((m) => m.text.includes('The laboratory test takes a week.') && m.text.includes(defect.number)));
    // nothing more to extend: refused, unchanged
    expect((await act(sergey, defect.number, path)).status).toBe(400);
  });

  it('refuses investigating to an operator, naming the right; the claim stays as it was', async () => {
    expect((await act(olga, refund.number, { action: 'take' })).status).toBe(200);
    const assessed = await act(olga, refund.number, { action: 'assess', customer: 'unknown', justified: 'no', severity: 'low' });
    expect(assessed.status).toBe(200);
    expect(((await assessed.json()) as ClaimBody).claim.nextStep).toBe('reject');
    const before = await desk.app.claims.findById(refund.id);
    for (const body of [{ action: 'investigate' }, { action: 'record_investigation', whys: [], rootCause: 'x' }]) {
      const res = await act(olga, refund.number, body);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'missing_right', message: missingRight('ru', 'investigate') });
    }
    const after = await desk.app.claims.findById(refund.id);
    expect([after?.status, after?.version]).toEqual([before?.status, before?.version]);
    const page = await get(olga, refund.number);
    expect(page.actions.find((a) => a.action === 'investigate')).toEqual({ action: 'investigate', allowed: false, reason: missingRight('ru', 'investigate') });
  });

  it('investigates: the customer is told in their language; the record is editable, each edit a history line', async () => {
    const started = await act(ivan, defect.number, { action: 'investigate' });
    expect(started.status).toBe(200);
    expect(((await started.json()) as ClaimBody).claim.status).toBe('investigating');
    await eventually(() => desk.telegram.to('8101').some((m) => m.text === t('en', 'notice.investigate', { number: defect.number })));

    const record = {
      action: 'record_investigation',
      facts: 'Batch 12: the heating-element seal is cut on 14 of 2000 kettles.',
      whys: [
        { why: 'Why did it stop heating?', because: 'Water reached the element.' },
        { why: 'Why did water reach it?', because: 'The seal was cut by a worn die.' },
      ],
      causeCategory: 'machines',
      rootCause: 'A worn pressing die',
    };
    const res = await act(ivan, defect.number, record);
    expect(res.status).toBe(200);
    const { claim } = (await res.json()) as ClaimBody;
    expect(claim.investigation).toMatchObject({ facts: record.facts, whys: record.whys, causeCategory: 'machines', rootCause: 'A worn pressing die', updatedBy: { id: 'ivan' } });
    const line = claim.history.filter((event) => event.type === 'investigation_recorded').at(-1)?.text ?? '';
    expect(line).toContain('Ivan Petrov');
    expect(line).toContain('Оборудование');
    expect(line).toContain('A worn pressing die');
    expect(line).not.toContain('Batch 12');
  });

  it('answers a bad investigation record 400 and changes nothing', async () => {
    const before = await desk.app.claims.findById(defect.id);
    const pair = { why: 'Why?', because: 'Because.' };
    for (const body of [
      { action: 'record_investigation', whys: [pair, pair, pair, pair, pair, pair] },
      { action: 'record_investigation', whys: [{ why: 'Why?', because: '' }] },
      { action: 'record_investigation', whys: [], causeCategory: 'luck' },
      { action: 'record_investigation', whys: [], rootCause: 'two\nlines' },
      { action: 'record_investigation', whys: [], facts: 'f'.repeat(3001) },
    ]) {
      const res = await act(ivan, defect.number, body);
      expect(res.status).toBe(400);
    }
    const after = await desk.app.claims.findById(defect.id);
    expect(after?.version).toBe(before?.version);
    expect(after?.investigation).toEqual(before?.investigation);
  });
});
