import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ConsoleDesk } from '../support/web-console.js';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/** A browser-side expression: how many pixels of a canvas are not transparent. */
const PAINTED_PIXELS = (selector: string) => `(() => {
  const canvas = document.querySelector(${JSON.stringify(selector)});
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
})()`;

describe('the staff console in a browser', () => {
  let desk: ConsoleDesk;
  let browser: Browser;
  let page: Page;
  let claim: Claim;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [desk, browser] = await Promise.all([ConsoleDesk.start(), launchChromium()]);
    claim = (await desk.app.registry.submit(draft({ category: 'delivery', description: 'The parcel arrived crushed, the <b>kettle</b> is dented.', ...telegramCustomer('8101') }), 'browser-1')).claim;
    page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser.close();
    await desk.stop();
  });

  it('signs a member in, lists the claims and resolves one from its page', async () => {
    await page.goto(`${desk.app.url}/console`);
    await page.fill('#login-id', 'sergey');
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toBe(t('en', 'console.login.invalid'));
    await page.fill('#login-password', 'claimdesk-demo');
    await page.click('#login-submit');
    await page.waitForSelector(`tr[data-number="${claim.number}"]`);
    await page.click(`tr[data-number="${claim.number}"] a`);
    await page.waitForSelector('#claim-description');
    // what the customer typed is text, never markup
    expect(await page.textContent('#claim-description')).toBe('The parcel arrived crushed, the <b>kettle</b> is dented.');
    await page.click('#action-take');
    await expect.poll(() => page.textContent('#claim-status')).toBe(t('en', 'staff.status.in_review'));
    await page.selectOption('#resolve-template', 'accepted-replacement');
    expect(await page.inputValue('#resolve-text')).toMatch(/^По вашей претензии № /); // the customer writes Russian
    await page.click('#action-resolve');
    await expect.poll(() => page.textContent('#claim-status')).toBe(t('en', 'staff.status.resolved'));
    expect(await page.textContent('#claim-history')).toContain('Sergey Volkov resolved the claim: accepted');
    await eventually(() => desk.telegram.to('8101').some((message) => message.text.includes('По вашей претензии №')));
    expect(pageErrors).toEqual([]);
  });

  it('draws the reports with charts and saves a screenshot', async () => {
    await page.goto(`${desk.app.url}/console#/reports`);
    await page.waitForSelector('#chart-pareto-categories');
    // the page's own code runs in the browser: written as strings, so the tests need no DOM types
    await expect.poll(() => page.evaluate<number>("document.querySelectorAll('canvas').length")).toBeGreaterThanOrEqual(4);
    // Chart.js has drawn: the canvas has painted pixels
    await expect.poll(() => page.evaluate<number>(PAINTED_PIXELS('#chart-pareto-categories'))).toBeGreaterThan(500);
    expect(await page.textContent('#kpi-total')).toContain('1');
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'console-reports.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
