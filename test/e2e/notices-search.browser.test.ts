import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ConsoleDesk } from '../support/web-console.js';
import { launchChromium } from '../support/browser.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';

const POLL = { timeout: 15_000, interval: 100 };
const SLOW = 90_000;

/** #25 in a browser: the header's search box and the notifications with their unread count (a desk without Slack). */
describe('the console header: search and notifications, in a browser', () => {
  let desk: ConsoleDesk;
  let browser: Browser;
  let page: Page;
  let number = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [desk, browser] = await Promise.all([ConsoleDesk.start(), launchChromium()]);
    const { claim } = await desk.app.registry.submit(draft({ category: 'defect', contact: { name: 'Анна', phone: '+7 912 345-67-89' }, ...telegramCustomer('7401') }), 'notices-browser-1');
    number = claim.number;
    await desk.app.registry.assign(claim.id, 'ivan', { kind: 'staff', staffId: 'sergey' });
    // the notices are stored right after the change
    await eventually(async () => (await desk.app.db.collection('staff_notices').countDocuments({ staffId: 'ivan', kind: 'assignment' })) === 1);
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser.close();
    await desk.stop();
  });

  it('shows the unread count, lists the notices, opens the claim and marks all read; the search box finds by phone', async () => {
    await page.goto(`${desk.app.url}/console`);
    await page.fill('#login-id', 'ivan');
    await page.fill('#login-password', 'claimdesk-demo');
    await page.click('#login-submit');
    // ivan: the new claim of his department and his assignment
    await expect.poll(() => page.textContent('#nav-notices'), POLL).toBe(t('ru', 'console.notices.button', { count: 2 }));
    await page.click('#nav-notices');
    await page.locator('#notices-list li.unread').first().waitFor();
    expect(await page.textContent('#notices-list')).toContain(t('ru', 'staff.ping.assigned', { who: 'Sergey Volkov', kind: 'претензия', number }));
    await page.click('#notices-read-all');
    await expect.poll(() => page.textContent('#nav-notices'), POLL).toBe(t('ru', 'console.notices.button', { count: 0 }));
    expect(await page.locator('#notices-list li.unread').count()).toBe(0);

    await page.fill('#search-q', '8 (912) 345-67-89');
    await page.click('#search-submit');
    await page.locator(`#search-table tr[data-number="${number}"]`).waitFor();
    await page.click(`#search-table a[href="#/claim/${number}"]`);
    await page.waitForSelector('#claim-title');
    await page.fill('#search-q', 'zebra quasar');
    await page.press('#search-q', 'Enter');
    await expect.poll(() => page.textContent('#search-table'), POLL).toContain(t('ru', 'console.search.empty'));
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
