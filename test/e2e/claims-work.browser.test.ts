import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ConsoleDesk } from '../support/web-console.js';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';

/** Waits for the page (a loaded CI machine runs two test files at once). */
const POLL = { timeout: 15_000, interval: 100 };
const SLOW = 90_000;

/**
 * The claims work in headless Chromium (#24): a specialist takes a claim, assesses it ("needs
 * investigation"), starts the investigation and records the facts, the 5 Whys, the cause
 * category and the root cause; the page shows each.
 */
describe('the console in a browser: assess → investigate → 5 Whys', () => {
  let desk: ConsoleDesk;
  let browser: Browser;
  let staff: Page;
  let number = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [desk, browser] = await Promise.all([ConsoleDesk.start(), launchChromium()]);
    staff = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 1400 } })).newPage();
    staff.on('pageerror', (error) => pageErrors.push(error.message));
    number = (await desk.app.registry.submit(draft({ ...telegramCustomer('9301'), locale: 'en' }), 'browser-work-1')).claim.number;
  });
  afterAll(async () => {
    await browser.close();
    await desk.stop();
  });

  it('assesses, investigates and records the root cause by 5 Whys', async () => {
    await staff.goto(`${desk.app.url}/console#/claim/${number}`);
    await staff.fill('#login-id', 'ivan');
    await staff.fill('#login-password', 'claimdesk-demo');
    await staff.click('#login-submit');
    await staff.waitForSelector('#claim-description');
    await staff.click('#action-take');
    await expect.poll(() => staff.textContent('#claim-status'), POLL).toBe(t('ru', 'staff.status.in_review'));
    // ivan reads Russian: nothing recorded yet, and the next step is the assessment
    expect(await staff.textContent('#claim-assessment')).toBe(t('ru', 'staff.not_recorded'));
    expect(await staff.textContent('#claim-next-step')).toBe(t('ru', 'staff.next.assess'));

    await staff.selectOption('#assess-customer', 'yes');
    await staff.selectOption('#assess-justified', 'needs_investigation');
    await staff.selectOption('#assess-severity', 'high');
    await staff.click('#action-assess');
    await expect.poll(() => staff.textContent('#claim-severity'), POLL).toBe(t('ru', 'staff.severity.high'));
    expect(await staff.textContent('#claim-next-step')).toBe(t('ru', 'staff.next.investigate'));

    await staff.click('#action-investigate');
    await expect.poll(() => staff.textContent('#claim-status'), POLL).toBe(t('ru', 'staff.status.investigating'));
    expect(await staff.textContent('#claim-root-cause')).toBe(t('ru', 'staff.not_recorded'));

    // a half pair is refused, and nothing changes
    await staff.fill('#investigation-why-0', 'Why did the kettle stop heating?');
    await staff.click('#action-record_investigation');
    await expect.poll(() => staff.textContent('#action-error'), POLL).toBe(t('ru', 'console.error.invalid_input'));
    expect(await staff.locator('#claim-whys').count()).toBe(0);

    await staff.fill('#investigation-facts', '14 of 2000 kettles of batch 12 have a cut seal.');
    await staff.fill('#investigation-because-0', 'Water reached the heating element.');
    await staff.fill('#investigation-why-1', 'Why did water reach it?');
    await staff.fill('#investigation-because-1', 'A worn die cut the seal.');
    await staff.selectOption('#investigation-cause', 'machines');
    await staff.fill('#investigation-root-cause', 'A worn pressing die');
    await staff.click('#action-record_investigation');
    await expect.poll(() => staff.textContent('#claim-root-cause'), POLL).toBe('Оборудование: A worn pressing die');
    expect(await staff.evaluate<string[]>("[...document.querySelectorAll('#claim-whys li')].map((li) => li.textContent)")).toEqual([
      'Why did the kettle stop heating? → Water reached the heating element.',
      'Why did water reach it? → A worn die cut the seal.',
    ]);
    // the form keeps the record for the next edit, and the history names the change
    expect(await staff.inputValue('#investigation-why-1')).toBe('Why did water reach it?');
    expect(await staff.locator('#claim-history li[data-type="investigation_recorded"]').count()).toBe(1);
    const stored = await desk.app.claims.findByNumber(number);
    expect(stored?.investigation?.whys).toHaveLength(2);
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await staff.screenshot({ path: path.join(ARTIFACTS_DIR, 'console-investigation.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
