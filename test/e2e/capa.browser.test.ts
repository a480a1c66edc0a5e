import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ConsoleDesk } from '../support/web-console.js';
import { launchChromium } from '../support/browser.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';

/** Waits for the page (a loaded CI machine runs two test files at once). */
const POLL = { timeout: 15_000, interval: 100 };
const SLOW = 90_000;

/**
 * A corrective action in the console, in a browser: the quality manager opens one from a claim's
 * page for a specialist, the specialist finds it in the register and marks it done, and the
 * quality manager verifies it.
 */
describe('corrective actions in the console, in a browser', () => {
  let desk: ConsoleDesk;
  let browser: Browser;
  let page: Page;
  let number = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [desk, browser] = await Promise.all([ConsoleDesk.start(), launchChromium()]);
    number = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7301') }), 'capa-browser-1')).claim.number;
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser.close();
    await desk.stop();
  });

  const signIn = async (login: string) => {
    // a fresh session: the previous member's cookie goes
    await page.context().clearCookies();
    await page.goto(`${desk.app.url}/console`);
    await page.fill('#login-id', login);
    await page.fill('#login-password', 'claimdesk-demo');
    await page.click('#login-submit');
    await page.waitForSelector('#nav-capa');
  };

  it('opens an action from the claim page; the register lists it; the owner marks it done; quality verifies it', async () => {
    await signIn('maria'); // quality, Russian
    await page.goto(`${desk.app.url}/console#/claim/${number}`);
    await page.waitForSelector('#claim-capa-panel');
    expect(await page.textContent('#claim-capa')).toContain(t('ru', 'console.capa.empty'));
    // nothing typed: the browser keeps the form; a due date in the past: the desk's refusal in words
    await page.fill('#capa-open-description', 'Check the thermostat of every KT-200 in stock');
    await page.selectOption('#capa-open-owner', 'ivan');
    await page.fill('#capa-open-due', '2020-01-01');
    await page.click('#capa-open-submit');
    await expect.poll(() => page.textContent('#capa-open-error'), POLL).toBe(t('ru', 'capa.refused.due_in_past'));
    const due = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('#capa-open-due', due);
    await page.click('#capa-open-submit');
    const year = new Date().getUTCFullYear();
    await page.locator('#claim-capa tr[data-number]').first().waitFor();
    expect(await page.textContent('#claim-capa')).toContain(`A-${year}-0001`);

    await signIn('ivan'); // the owner, a specialist
    await page.click('#nav-capa');
    await page.locator('#capa-table tr[data-number]').first().waitFor();
    expect(await page.textContent('#capa-count')).toBe(t('ru', 'console.capa.count', { count: 1 }));
    await page.click(`#capa-table a[href="#/capa/A-${year}-0001"]`);
    await page.waitForSelector('#capa-complete');
    await page.fill('#capa-complete-note', 'All 40 checked, 3 replaced');
    await page.click('#capa-complete-submit');
    await expect.poll(() => page.textContent('#capa-status'), POLL).toBe(t('ru', 'capa.status.done'));
    // a specialist may not verify: the form is there, the refusal names the right
    await page.fill('#capa-verify-note', 'fine');
    await page.click('#capa-verify-submit');
    await expect.poll(() => page.textContent('#capa-verify-error'), POLL).toContain(t('ru', 'staff.right.verify_action'));

    await signIn('maria');
    await page.goto(`${desk.app.url}/console#/capa/A-${year}-0001`);
    await page.waitForSelector('#capa-verify');
    await page.fill('#capa-verify-note', 'No new thermostat claims for a month');
    await page.click('#capa-verify-submit');
    await expect.poll(() => page.textContent('#capa-status'), POLL).toBe(t('ru', 'capa.status.verified'));
    expect(await page.textContent('#capa-history')).toContain('No new thermostat claims for a month');
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
