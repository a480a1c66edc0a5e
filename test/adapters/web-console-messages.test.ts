import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/** #25 in the web console: replies and notes, the three outcomes with an amount, by the same rules as Slack. */

interface ClaimBody {
  claim: {
    status: string;
    history: { type: string; text: string }[];
    actions: { action: string; allowed: boolean }[];
    decision: Record<string, unknown> | null;
    decisionSummary: string | null;
    templates: { id: string; outcome: string; text: string }[];
  };
}

describe('the web console: replies, notes and decisions (#25)', () => {
  let desk: ConsoleDesk;
  let ivan: ConsoleBrowser; // specialist, quality
  let olga: ConsoleBrowser; // operator, support
  let claim: Claim; // quality, Telegram customer 7101, Russian

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [ivan, olga] = await Promise.all([desk.signIn('ivan'), desk.signIn('olga')]);
    claim = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7101') }), 'web-console-messages-1')).claim;
  });
  afterAll(() => desk.stop());

  const path = () => `/console/api/claims/${claim.number}/actions`;
  const toCustomer = () => desk.telegram.to('7101').map((message) => message.text);

  it('offers a reply and a note on an open claim, with the partial-acceptance template', async () => {
    const { claim: shown } = (await (await ivan.get(`/console/api/claims/${claim.number}`)).json()) as ClaimBody;
    expect(shown.actions.map((a) => [a.action, a.allowed])).toEqual([['take', true], ['assign', true], ['resolve', true], ['reply', true], ['move', true], ['link_duplicate', true], ['note', true]]);
    expect(shown.templates.find((template) => template.id === 'partial-refund')).toMatchObject({ outcome: 'partially_accepted' });
    expect(shown.templates.find((template) => template.id === 'partial-refund')?.text).toContain('«The kettle stopped heating after two days.»');
  });

  it('a note shows in the history and never reaches the customer; a reply does, without changing the status', async () => {
    const noted = await ivan.post(path(), { action: 'note', text: 'Checked the batch: 3 more returns.' });
    expect(noted.status).toBe(200);
    const body = (await noted.json()) as ClaimBody;
    const last = body.claim.history.at(-1);
    expect({ type: last?.type, text: last?.text }).toEqual({ type: 'staff_note', text: t('ru', 'staff.history.staff_note', { who: 'Ivan Petrov', text: '\n\u2068Checked the batch: 3 more returns.\u2069' }) });

    const replied = await ivan.post(path(), { action: 'reply', text: 'Мы проверяем партию.' });
    expect(replied.status).toBe(200);
    expect(((await replied.json()) as ClaimBody).claim.status).toBe('new');
    await eventually(() => toCustomer().includes(t('ru', 'notice.reply', { number: claim.number, text: 'Мы проверяем партию.' })));
    expect(toCustomer().some((text) => text.includes('3 more returns'))).toBe(false);
    expect((await desk.app.claims.findById(claim.id))?.firstResponseAt).toBeInstanceOf(Date);
  });

  it('bad input and other departments are refused and change nothing', async () => {
    const version = (await desk.app.claims.findById(claim.id))?.version;
    expect((await ivan.post(path(), { action: 'note', text: '   ' })).status).toBe(400);
    expect((await ivan.post(path(), { action: 'reply', text: 'x'.repeat(4001) })).status).toBe(400);
    const other = await olga.post(path(), { action: 'note', text: 'from support' });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: 'other_department', message: t('ru', 'staff.refused.other_department') });
    const resolve = (amount: string) => ivan.post(path(), { action: 'resolve', decision: { outcome: 'partially_accepted', remedy: 'refund', amount, responseText: 'x' } });
    expect((await resolve('twelve')).status).toBe(400);
    expect((await resolve('0')).status).toBe(400);
    // the desk counts in roubles: dollars are refused
    expect((await resolve('$12')).status).toBe(400);
    expect((await ivan.post(path(), { action: 'resolve', decision: { outcome: 'rejected', reason: 'spam', amount: '12', responseText: 'x' } })).status).toBe(400);
    expect((await desk.app.claims.findById(claim.id))?.version).toBe(version);
  });

  it('decides a partial acceptance with an amount; the customer receives the text, signed', async () => {
    const res = await ivan.post(path(), { action: 'resolve', decision: { outcome: 'partially_accepted', remedy: 'refund', amount: '1299.90 ₽', responseText: 'Вернём {amount}.' } });
    expect(res.status).toBe(200);
    const { claim: decided } = (await res.json()) as ClaimBody;
    expect(decided.decision).toEqual({ outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 129990, currency: 'RUB' }, responseText: 'Вернём 1\u00a0299,90\u00a0₽.', decidedBy: 'ivan' });
    expect(decided.decisionSummary).toBe('удовлетворена частично: Возврат денег, 1\u00a0299,90\u00a0₽ — Ivan Petrov');
    const expected = `Решение по вашей претензии № ${claim.number}: претензия удовлетворена частично.\n\nВернём 1\u00a0299,90\u00a0₽.\n\nРешение принял(а): Ivan Petrov, специалист по рекламациям`;
    await eventually(() => toCustomer().includes(expected));
    // resolved: a note is still possible, a reply is not offered
    const { claim: shown } = (await (await ivan.get(`/console/api/claims/${claim.number}`)).json()) as ClaimBody;
    expect(shown.actions.map((a) => a.action)).toEqual(['close', 'reopen', 'note']); // staff may close a resolved claim (#25)
    expect((await ivan.post(path(), { action: 'reply', text: 'late' })).status).toBe(409);
  });
});
