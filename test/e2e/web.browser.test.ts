import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ConsoleDesk } from '../support/web-console.js';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';

/** A browser-side expression: how many pixels of a canvas are painted (not transparent). */
const PAINTED_PIXELS = (selector: string) => `(() => {
  const canvas = document.querySelector(${JSON.stringify(selector)});
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
})()`;

/** Waits for the page (a loaded CI machine runs two test files at once). */
const POLL = { timeout: 15_000, interval: 100 };
/** A browser test's own time limit: several round trips, scrypt, a survey job. */
const SLOW = 90_000;

/** A tiny valid PNG (1×1), as a customer's photo. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/**
 * The web side end to end in headless Chromium: a customer files a claim in the web chat, a
 * staff member resolves it in the console, the customer's open page shows the decision and then
 * the survey, and the reports page draws its charts.
 */
describe('the web chat and the staff console in a browser', () => {
  let desk: ConsoleDesk;
  let browser: Browser;
  let customer: Page;
  let staff: Page;
  let number = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [desk, browser] = await Promise.all([
      ConsoleDesk.start({
        // the survey right after the decision
        desk: (config) => {
          config.survey = { delayMinutes: 0, reminderAfterHours: 1, windowHours: 2, cooldownHours: 24 };
        },
        surveyEvery: 200,
        notifications: { sweepEvery: '1 hour' },
      }),
      launchChromium(),
    ]);
    customer = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    staff = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 1000 } })).newPage();
    for (const page of [customer, staff]) page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser.close();
    await desk.stop();
  });

  const lastDesk = (page: Page) => page.locator('#chat-log .msg.desk').last();
  const press = async (page: Page, label: string) => {
    await lastDesk(page).locator('button.choice', { hasText: label }).click();
  };
  const type = async (page: Page, text: string) => {
    await page.fill('#chat-input', text);
    await page.click('#chat-send');
  };
  const waitForDesk = (page: Page, text: string) => page.locator('#chat-log .msg.desk', { hasText: text }).last().waitFor();

  it('a customer files a claim in the web chat and sees its number', async () => {
    await customer.goto(`${desk.app.url}/chat`);
    await waitForDesk(customer, t('en', 'ask.intake.kind'));
    // a file nobody asked for is refused, and the page says when files can be sent
    await customer.setInputFiles('#chat-file', { name: 'early.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => customer.textContent('#chat-error'), POLL).toBe(t('en', 'web.chat.error.not_expected'));
    await press(customer, t('en', 'kind.claim'));
    await waitForDesk(customer, t('en', 'ask.intake.category'));
    await press(customer, 'Defective product');
    await waitForDesk(customer, t('en', 'ask.intake.product').slice(0, 30));
    await type(customer, 'Kettle KT-200');
    await waitForDesk(customer, t('en', 'ask.intake.order').slice(0, 30));
    await press(customer, t('en', 'button.skip'));
    await waitForDesk(customer, t('en', 'ask.intake.description').slice(0, 30));
    await type(customer, 'The kettle stopped heating after two days. <script>alert(1)</script>');
    // the privacy notice (#26) before the files, agreed with its button
    await waitForDesk(customer, t('en', 'consent.notice').slice(0, 30));
    await press(customer, t('en', 'button.consent_agree'));
    await waitForDesk(customer, t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
    await customer.setInputFiles('#chat-file', { name: 'kettle.png', mimeType: 'image/png', buffer: PNG });
    await press(customer, t('en', 'button.files_done', { count: 1 }));
    await waitForDesk(customer, t('en', 'ask.intake.remedy'));
    await press(customer, t('en', 'remedy.replacement'));
    await waitForDesk(customer, t('en', 'ask.intake.name'));
    await type(customer, 'Anna Petrova');
    await waitForDesk(customer, t('en', 'ask.intake.reach').slice(0, 30));
    await type(customer, 'anna@example.com');
    await waitForDesk(customer, t('en', 'summary.title'));
    await press(customer, t('en', 'button.submit'));
    const registered = customer.locator('#chat-log .msg.desk', { hasText: /No\. \d{4}-\d{6}/ }).last();
    await registered.waitFor();
    number = /No\. (\d{4}-\d{6})/.exec((await registered.textContent()) ?? '')?.[1] ?? '';
    expect(number).toMatch(/^\d{4}-\d{6}$/);
    // the customer's own words are on the page as text, and nothing ran
    expect(await customer.locator('#chat-log .msg.customer', { hasText: '<script>alert(1)</script>' }).count()).toBe(1);
    // a reload keeps the conversation (the token in local storage, the transcript on the server)
    await customer.reload();
    await customer.locator('#chat-log .msg.desk', { hasText: number }).first().waitFor();
  }, SLOW);

  it('a staff member signs in and resolves it; the customer\'s page shows the decision, then the survey', async () => {
    await staff.goto(`${desk.app.url}/console`);
    await staff.fill('#login-id', 'ivan');
    await staff.fill('#login-password', 'wrong password');
    await staff.click('#login-submit');
    await expect.poll(() => staff.textContent('#login-error'), POLL).toBe(t('en', 'console.login.invalid'));
    await staff.fill('#login-password', 'claimdesk-demo');
    await staff.click('#login-submit');
    await staff.locator(`tr[data-number="${number}"] a`).click();
    await staff.waitForSelector('#claim-description');
    expect(await staff.textContent('#claim-description')).toBe('The kettle stopped heating after two days. <script>alert(1)</script>');
    // what the customer typed is isolated on the page: a right-to-left override in it cannot run past it
    expect(await staff.getAttribute('#claim-description', 'dir')).toBe('auto');
    expect(await staff.evaluate<(string | null)[]>("[...document.querySelectorAll('dd bdi')].map((node) => node.textContent)")).toEqual(expect.arrayContaining(['Kettle KT-200', 'Anna Petrova']));
    // the photo the customer sent can be downloaded by staff
    const download = staff.waitForEvent('download');
    await staff.locator('#claim-files a').first().click();
    expect((await download).suggestedFilename()).toBe('kettle.png');

    await staff.click('#action-take');
    await expect.poll(() => staff.textContent('#claim-status'), POLL).toBe(t('ru', 'staff.status.in_review'));
    // #25: an internal note shows in the history; a reply reaches the customer's page; the status stays
    await staff.fill('#note-text', 'Internal: same batch as last week.');
    await staff.click('#action-note');
    await expect.poll(() => staff.textContent('#claim-history li[data-type="staff_note"]'), POLL).toContain('Internal: same batch as last week.');
    await staff.fill('#reply-text', 'We are looking into it.');
    // with a file (#25): the customer's page offers it to download, fetched with the chat's token
    const checklist = Buffer.from('Checklist: 1. Unplug. 2. Descale. 3. Try again.\n');
    await staff.setInputFiles('#reply-files', { name: 'checklist.txt', mimeType: 'text/plain', buffer: checklist });
    await staff.click('#action-reply');
    await waitForDesk(customer, 'We are looking into it.');
    const offered = customer.locator('#chat-log .msg.desk button.download', { hasText: 'checklist.txt' });
    await offered.waitFor();
    const saved = customer.waitForEvent('download');
    await offered.click();
    const file = await saved;
    expect(file.suggestedFilename()).toBe('checklist.txt');
    expect(await readFile((await file.path()) ?? '')).toEqual(checklist);
    expect(await staff.textContent('#claim-status')).toBe(t('ru', 'staff.status.in_review'));
    // an empty reply is refused in the member's words, and nothing changes
    await staff.click('#action-resolve');
    await expect.poll(() => staff.textContent('#action-error'), POLL).toBe(t('ru', 'console.error.invalid_input'));
    expect(await staff.textContent('#claim-status')).toBe(t('ru', 'staff.status.in_review'));
    await staff.selectOption('#resolve-template', 'accepted-replacement');
    expect(await staff.inputValue('#resolve-text')).toMatch(new RegExp(`^Your claim No\\. ${number} of `)); // the customer's language
    await staff.click('#action-resolve');
    await expect.poll(() => staff.textContent('#claim-status'), POLL).toBe(t('ru', 'staff.status.resolved'));

    // the customer's page, still open, hears of it live
    await waitForDesk(customer, t('en', 'notice.accepted', { number, text: '' }).trim().slice(0, 30));
    await waitForDesk(customer, t('en', 'survey.ask', { number }).slice(0, 40));
    await press(customer, '5');
    await waitForDesk(customer, t('en', 'survey.ask_comment').slice(0, 20));
    await expect.poll(async () => (await desk.app.claims.findByNumber(number))?.survey?.score, POLL).toBe(5);
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await customer.screenshot({ path: path.join(ARTIFACTS_DIR, 'web-chat.png') });
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it('draws the reports with charts; a screenshot is saved', async () => {
    // a few more claims, so the charts have something to show
    const more = [
      { category: 'delivery', product: 'Kettle KT-200', id: '9101' },
      { category: 'delivery', product: 'Toaster T-1', id: '9102' },
      { category: 'refund', product: 'Kettle KT-200', id: '9101' },
      { category: 'defect', product: 'Blender B-9', id: '9103' },
    ];
    for (const [i, claim] of more.entries()) {
      await desk.app.registry.submit(draft({ category: claim.category, concerns: { product: claim.product }, ...telegramCustomer(claim.id) }), `browser-report-${i}`);
    }
    await staff.click('#nav-reports');
    await staff.waitForSelector('#chart-pareto-categories');
    await expect.poll(() => staff.evaluate<number>("document.querySelectorAll('canvas').length"), POLL).toBeGreaterThanOrEqual(5);
    await expect.poll(() => staff.evaluate<number>(PAINTED_PIXELS('#chart-pareto-categories')), POLL).toBeGreaterThan(500);
    await expect.poll(() => staff.evaluate<number>(PAINTED_PIXELS('#chart-volume')), POLL).toBeGreaterThan(500);
    expect(await staff.textContent('#kpi-total')).toContain('5');
    expect(await staff.textContent('#kpi-csat')).toContain('5.00/5');
    // the customer with two claims is a repeat complainer
    expect(await staff.textContent('#repeat-customers')).toMatch(/Anna\D+\d{4}-\d{6}, \d{4}-\d{6}/);
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await staff.screenshot({ path: path.join(ARTIFACTS_DIR, 'console-reports.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
