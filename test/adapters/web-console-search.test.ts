import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/** #25 "Search": the console's search box, by each key, within what the member may see. */

interface Found {
  query: { kind: string };
  claims: { number: string }[];
  more: boolean;
}

describe('console search (#25)', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support: personal data of support claims only
  let sergey: ConsoleBrowser; // head: every department
  let refund: Claim; // support
  let defect: Claim; // quality
  let other: Claim; // support, another customer

  const search = async (who: ConsoleBrowser, q: string): Promise<Found> => {
    const res = await who.get(`/console/api/search?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Found;
  };
  const numbers = async (who: ConsoleBrowser, q: string) => (await search(who, q)).claims.map((claim) => claim.number);

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [olga, sergey] = await Promise.all([desk.signIn('olga'), desk.signIn('sergey')]);
    const submit = async (key: string, overrides: Parameters<typeof draft>[0]) => (await desk.app.registry.submit(draft(overrides), key)).claim;
    refund = await submit('search-1', {
      category: 'refund',
      concerns: { product: 'Чайник Витязь ВТ-1150' },
      description: 'Деньги за ёлочную гирлянду не вернули',
      contact: { name: 'Анна Петрова', phone: '+7 912 345-67-89', email: 'Anna.Petrova@example.com' },
      ...telegramCustomer('9101'),
    });
    defect = await submit('search-2', {
      category: 'defect',
      concerns: { product: 'Kettle KT-200' },
      description: 'The kettle stopped heating after two days.',
      contact: { name: 'Boris Orlov', phone: '+7 903 111-22-33', email: 'boris@example.org' },
      ...telegramCustomer('9102'),
    });
    other = await submit('search-3', {
      category: 'refund',
      concerns: { product: 'Toaster T-3' },
      description: 'Toaster burns bread, kettle fine',
      contact: { name: 'Vera Lis', phone: '+7 903 111-22-33' },
      ...telegramCustomer('9103'),
    });
  });
  afterAll(() => desk.stop());

  it('finds a claim by its number in any typed form', async () => {
    expect(await numbers(olga, `№ ${refund.number}`)).toEqual([refund.number]);
    expect(await numbers(olga, refund.number.replace(/-0+/, '-'))).toEqual([refund.number]);
    expect((await search(olga, defect.number)).query.kind).toBe('number');
  });

  it('finds by the phone however it is typed, and by e-mail, newest first', async () => {
    expect(await numbers(sergey, '8 (912) 345-67-89')).toEqual([refund.number]);
    expect(await numbers(sergey, '+79123456789')).toEqual([refund.number]);
    expect(await numbers(sergey, '+7 903 111 22 33')).toEqual([other.number, defect.number]);
    expect(await numbers(sergey, 'ANNA.PETROVA@example.com')).toEqual([refund.number]);
    expect(await numbers(sergey, 'nobody@example.com')).toEqual([]);
  });

  it('finds by words of the name, the product and the description, in any case, ё as е', async () => {
    expect(await numbers(sergey, 'петрова')).toEqual([refund.number]);
    expect(await numbers(sergey, 'витязь')).toEqual([refund.number]);
    expect(await numbers(sergey, 'ЕЛОЧНУЮ гирлянду')).toEqual([refund.number]);
    expect(await numbers(sergey, 'kettle')).toEqual([other.number, defect.number]);
    // every word must match
    expect(await numbers(sergey, 'kettle heating')).toEqual([defect.number]);
    expect(await numbers(sergey, 'kettle гирлянду')).toEqual([]);
  });

  it('matches personal fields only where the member may see personal data', async () => {
    // olga sees support's personal data, not quality's
    expect(await numbers(olga, '+7 903 111-22-33')).toEqual([other.number]);
    expect(await numbers(olga, 'boris@example.org')).toEqual([]);
    expect(await numbers(olga, 'Orlov')).toEqual([]);
    expect(await numbers(olga, 'Петрова')).toEqual([refund.number]);
    // what is not personal is found anywhere
    expect(await numbers(olga, 'heating')).toEqual([defect.number]);
    expect(await numbers(olga, defect.number)).toEqual([defect.number]);
  });

  it('answers rows without personal data', async () => {
    const body = JSON.stringify(await search(sergey, 'Петрова'));
    expect(body).not.toMatch(/Анна|Петрова|\+7912|example\.com/);
  });

  it('refuses what it cannot search for, and strangers', async () => {
    const res = await olga.get('/console/api/search?q=%20a%20');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_input', message: t('ru', 'console.search.invalid') });
    expect((await olga.get('/console/api/search')).status).toBe(400);
    expect((await olga.get('/console/api/search?q=kettle&limit=0')).status).toBe(400);
    expect((await desk.anonymous().get('/console/api/search?q=kettle')).status).toBe(401);
  });
});
