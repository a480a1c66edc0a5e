import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/**
 * #25: a customer with neither a messenger nor an e-mail hears of their claim only from staff. The
 * claim page lists what to tell them; staff record, through the claim's action endpoint, that they
 * told them (how, with a note): the notice moves to the told list (who, when, how) and the history
 * says so. Through a signed-in console client against the real local database.
 */

interface Told {
  eventId: string;
  text: string | null;
  by: { id: string; name: string } | null;
  means: string;
  note: string | null;
  line: string;
}
interface ClaimBody {
  claim: {
    number: string;
    status: string;
    history: { type: string; text: string }[];
    tellCustomer: { eventId: string; text: string }[];
    toldCustomer: Told[];
    tell: { allowed: boolean; reason?: string };
  };
}

const form = (over: Record<string, unknown> = {}) => ({
  requestId: crypto.randomUUID(),
  channel: 'letter',
  kind: 'claim',
  category: 'refund',
  product: 'Kettle KT-200',
  orderOrBatch: '',
  amount: '1 299,90',
  purchaseDate: '',
  description: 'Paid twice for one kettle, please refund one payment.',
  desiredRemedy: 'refund',
  name: 'Anna Ivanova',
  phone: '8 (912) 345-67-89',
  email: '',
  locale: 'en',
  consent: true,
  ...over,
});

describe('the web console: recording that staff told the customer (#25)', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality
  let maria: ConsoleBrowser; // quality: every department

  beforeAll(async () => {
    desk = await ConsoleDesk.start({ notifications: { sweepEvery: '1 hour', retry: { delayMs: 200, maxDelayMs: 400, maxRetries: 3 } } });
    [olga, ivan, maria] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan'), desk.signIn('maria')]);
  });
  afterAll(async () => {
    await desk.stop();
  });

  const stored = async (number: string): Promise<Claim> => {
    const claim = await desk.app.claims.findByNumber(number);
    if (!claim) throw new Error(`no claim ${number}`);
    return claim;
  };
  const register = async (over: Record<string, unknown> = {}): Promise<string> => {
    const res = await olga.post('/console/api/claims', form(over));
    expect(res.status).toBe(201);
    return ((await res.json()) as ClaimBody).claim.number;
  };
  /** Waits until the notification job has found `count` notices nobody can send. */
  const unsent = (number: string, count: number) => eventually(async () => (await stored(number)).history.filter((event) => event.notifyCustomer && event.deliveryFailure === 'no_channel').length === count);
  const act = (who: ConsoleBrowser, number: string, body: unknown) => who.post(`/console/api/claims/${number}/actions`, body);
  const shown = async (who: ConsoleBrowser, number: string) => ((await (await who.get(`/console/api/claims/${number}`)).json()) as ClaimBody).claim;

  it('lists the notices to tell; told, a notice moves to the told list with who, when, how and the note, and the history says so', async () => {
    const number = await register();
    await unsent(number, 1);
    expect((await act(olga, number, { action: 'take' })).status).toBe(200);
    await unsent(number, 2);
    const before = await shown(olga, number);
    expect(before.tell).toEqual({ allowed: true });
    expect(before.toldCustomer).toEqual([]);
    const claim = await stored(number);
    const [registered, taken] = claim.history.filter((event) => event.notifyCustomer);
    if (!registered || !taken) throw new Error('expected two notices');
    expect(before.tellCustomer.map((notice) => notice.eventId)).toEqual([registered.id, taken.id]);

    const res = await act(olga, number, { action: 'tell_customer', eventIds: [taken.id], means: 'phone', note: 'Spoke to the wife' });
    expect(res.status).toBe(200);
    const { claim: after } = (await res.json()) as ClaimBody;
    expect(after.tellCustomer.map((notice) => notice.eventId)).toEqual([registered.id]);
    const told = (await stored(number)).history.find((event) => event.type === 'customer_told');
    if (!told) throw new Error('no customer_told event');
    expect(told).toMatchObject({ actor: { kind: 'staff', staffId: 'olga' }, toldEventIds: [taken.id], toldMeans: 'phone', note: 'Spoke to the wife', notifyCustomer: false });
    const toldAt = formatDateTime(told.at, 'ru', 'Europe/Moscow');
    expect(after.toldCustomer).toEqual([
      {
        eventId: taken.id,
        at: taken.at.toISOString(),
        text: before.tellCustomer[1]?.text,
        toldAt: told.at.toISOString(),
        by: { id: 'olga', name: 'Olga Smirnova' },
        means: 'phone',
        note: 'Spoke to the wife',
        line: t('ru', 'console.claim.told_by', { who: 'Olga Smirnova', means: t('ru', 'staff.told_means.phone'), when: toldAt }),
      },
    ]);
    expect(after.history.map((line) => line.text)).toContain(
      t('ru', 'staff.history.customer_told', { who: 'Olga Smirnova', means: t('ru', 'staff.told_means.phone'), when: formatDateTime(taken.at, 'ru', 'Europe/Moscow'), note: '\n\u2068Spoke to the wife\u2069' }),
    );

    // the same request again changes nothing
    const version = (await stored(number)).version;
    expect((await act(olga, number, { action: 'tell_customer', eventIds: [taken.id], means: 'letter' })).status).toBe(200);
    expect((await stored(number)).version).toBe(version);
    expect((await stored(number)).history.filter((event) => event.type === 'customer_told')).toHaveLength(1);

    // the rest told: nothing left to tell
    expect((await act(olga, number, { action: 'tell_customer', eventIds: [registered.id, taken.id], means: 'letter', note: '' })).status).toBe(200);
    const done = await shown(olga, number);
    expect(done.tellCustomer).toEqual([]);
    expect(done.toldCustomer.map((entry) => [entry.eventId, entry.means, entry.note])).toEqual([
      [taken.id, 'phone', 'Spoke to the wife'],
      [registered.id, 'letter', null],
    ]);
    // the record is never a notice: nothing for the notification job, no failure recorded about it
    const final = await stored(number);
    expect(final.history.filter((event) => event.type === 'customer_told').every((event) => !event.notifyCustomer && event.deliveryFailure === undefined)).toBe(true);
    expect(final.history.filter((event) => event.type === 'delivery_failed')).toHaveLength(2);
  });

  it('refuses, changing nothing: another department, someone else\'s claim, an unknown notice, an unknown means', async () => {
    const number = await register();
    expect((await act(olga, number, { action: 'take' })).status).toBe(200);
    await unsent(number, 2);
    const [notice] = (await stored(number)).history.filter((event) => event.notifyCustomer);
    if (!notice) throw new Error('no notice');
    const version = (await stored(number)).version;

    const other = await act(ivan, number, { action: 'tell_customer', eventIds: [notice.id], means: 'phone' });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: 'other_department', message: t('ru', 'staff.refused.other_department') });
    // quality acts in every department, but the claim is Olga's: whoever works the claim talks to the customer
    const notOwn = await act(maria, number, { action: 'tell_customer', eventIds: [notice.id], means: 'phone' });
    expect(notOwn.status).toBe(403);
    expect(((await notOwn.json()) as { error: string }).error).toBe('not_assignee');
    expect((await shown(maria, number)).tell).toEqual({ allowed: false, reason: t('ru', 'staff.refused.not_assignee') });

    const unknown = await act(olga, number, { action: 'tell_customer', eventIds: ['no-such-event'], means: 'phone' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toBe('invalid_input');
    expect((await act(olga, number, { action: 'tell_customer', eventIds: [notice.id], means: 'pigeon' })).status).toBe(400);
    expect((await act(olga, number, { action: 'tell_customer', eventIds: [], means: 'phone' })).status).toBe(400);
    expect((await act(olga, number, { action: 'tell_customer', eventIds: [notice.id], means: 'phone', note: 'x'.repeat(501) })).status).toBe(400);
    expect((await stored(number)).version).toBe(version);
  });

  it('on a desk that sends no e-mail (no SMTP_URL), a customer who gave one is told by staff too', async () => {
    const number = await register({ email: 'anna@example.com' });
    await unsent(number, 1);
    const [notice] = (await shown(olga, number)).tellCustomer;
    expect(notice).toBeDefined();
    expect((await act(olga, number, { action: 'tell_customer', eventIds: [notice?.eventId], means: 'phone' })).status).toBe(200);
    expect((await stored(number)).history.some((event) => event.type === 'customer_told')).toBe(true);
  });

  it('refuses a customer the desk tells itself (a messenger): nothing to tell', async () => {
    const { claim } = await desk.app.registry.submit(draft({ category: 'refund', concerns: { amount: { minor: 100_00, currency: 'RUB' } }, ...telegramCustomer('7401') }), 'told-telegram');
    const [notice] = claim.history;
    if (!notice) throw new Error('no notice');
    const res = await act(olga, claim.number, { action: 'tell_customer', eventIds: [notice.id], means: 'phone' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'nothing_to_tell', message: t('ru', 'staff.refused.nothing_to_tell') });
    expect((await stored(claim.number)).history.some((event) => event.type === 'customer_told')).toBe(false);
  });

  it('tells the notice of a closed claim too (closed as a duplicate: the number to follow)', async () => {
    const original = await register();
    const duplicate = await register({ description: 'Paid twice for one kettle, second call about it.' });
    expect((await act(olga, duplicate, { action: 'link_duplicate', original })).status).toBe(200);
    await unsent(duplicate, 2);
    const closed = await stored(duplicate);
    expect(closed.status).toBe('closed');
    const linked = closed.history.find((event) => event.type === 'duplicate_linked');
    if (!linked) throw new Error('no duplicate_linked event');
    expect((await shown(olga, duplicate)).tellCustomer.map((notice) => notice.text)).toContain(t('en', 'notice.duplicate', { number: duplicate, original }));
    expect((await act(olga, duplicate, { action: 'tell_customer', eventIds: [linked.id], means: 'in_person' })).status).toBe(200);
    expect((await shown(olga, duplicate)).tellCustomer.map((notice) => notice.eventId)).not.toContain(linked.id);
  });
});
