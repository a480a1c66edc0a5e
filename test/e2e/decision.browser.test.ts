import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ConsoleDesk } from '../support/web-console.js';
import { launchChromium } from '../support/browser.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { missingRightText } from '../../adapters/staff-text.js';
import { t } from '../../src/i18n/index.js';

/** Waits for the page (a loaded CI machine runs two test files at once). */
const POLL = { timeout: 15_000, interval: 100 };
const SLOW = 120_000;
const CUSTOMER = '9401';
const REJECTED = '9402';

/**
 * The decision's workflow in headless Chromium (#25), one desk whose acceptances over 10 000 and
 * rejections of high or critical claims wait for a head. A specialist sends a decision from the
 * claim page and the page shows it waiting (the customer hears nothing; approving it himself is
 * refused, by the page and by the desk); the head finds it in his notifications and returns it
 * with a note, which the author reads; the author sends it again and the head approves it (the
 * customer gets the decision); the remedy is marked done (the customer is told) and the claim
 * closed with a note. A rejection of a high-severity claim waits and is approved the same way.
 * Every step by clicks and form fills.
 */
describe('the console in a browser: approval, fulfilment and close of a decision', () => {
  let desk: ConsoleDesk;
  let browser: Browser;
  let ivan: Page; // specialist of quality, reads Russian: drafts the decision
  let sergey: Page; // head, reads English: reviews it
  let number = '';
  let second = ''; // a claim the specialist finds unjustified and of high severity
  const pageErrors: string[] = [];

  const signIn = async (page: Page, login: string, route = `#/claim/${number}`) => {
    await page.goto(`${desk.app.url}/console${route}`);
    await page.fill('#login-id', login);
    await page.fill('#login-password', 'claimdesk-demo');
    await page.click('#login-submit');
  };
  /** What a customer's Telegram chat received, in order. */
  const told = (chat = CUSTOMER) => desk.telegram.to(chat).map((message) => message.text);
  const history = (page: Page, type: string) => page.locator(`#claim-history li[data-type="${type}"]`);
  /** The claim page's field row with this label (`dt`), its value (`dd`). */
  const field = (page: Page, label: string) => page.locator('dl.fields dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  const decide = async (amount: string, text: string) => {
    await ivan.check('#resolve-accepted');
    await ivan.selectOption('#resolve-remedy', 'refund');
    await ivan.fill('#resolve-amount', amount);
    await ivan.fill('#resolve-days', '10');
    await ivan.fill('#resolve-text', text);
    await ivan.click('#action-resolve');
  };

  beforeAll(async () => {
    [desk, browser] = await Promise.all([ConsoleDesk.start({ desk: (config) => (config.decisions = { approvalOver: 10_000, approveRejectionsOf: ['high', 'critical'] }) }), launchChromium()]);
    const context = (locale: string) => browser.newContext({ locale, viewport: { width: 1400, height: 1600 } });
    [ivan, sergey] = await Promise.all([context('ru-RU').then((c) => c.newPage()), context('en-GB').then((c) => c.newPage())]);
    for (const page of [ivan, sergey]) page.on('pageerror', (error) => pageErrors.push(error.message));
    number = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer(CUSTOMER), locale: 'en' }), 'browser-decision-1')).claim.number;
    second = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer(REJECTED), locale: 'en' }), 'browser-decision-2')).claim.number;
  });
  afterAll(async () => {
    await browser.close();
    await desk.stop();
  });

  it(
    'a draft waits for the head, is returned with a note, sent again and approved; the remedy is done and the claim closed',
    async () => {
      await signIn(ivan, 'ivan');
      await ivan.waitForSelector('#claim-description');
      await ivan.click('#action-take');
      await expect.poll(() => ivan.textContent('#claim-status'), POLL).toBe(t('ru', 'staff.status.in_review'));
      // the customer is told the review started: from here on, every message is the decision's
      await expect.poll(() => told().length, POLL).toBe(1);

      // (a) over the desk's amount: a draft; the page shows it waiting, and no second decision is offered
      await decide('15 000', 'We refund {amount} at once.');
      await ivan.waitForSelector('#pending-decision');
      expect(await ivan.textContent('#claim-status')).toBe(t('ru', 'staff.status.in_review'));
      expect(await field(ivan, t('ru', 'console.action.draft')).textContent()).toContain('15');
      expect(await ivan.textContent('#pending-decision')).toContain(t('ru', 'staff.approval.reason.amount'));
      expect(await ivan.locator('#action-resolve').count()).toBe(0);
      expect(await history(ivan, 'decision_drafted').count()).toBe(1);
      expect(told()).toHaveLength(1);

      // Ivan may not approve it: the button is off and says why; sent anyway, the desk's 403 is shown and nothing changes
      const refused = missingRightText('ru', 'approve_decision');
      expect(await ivan.isDisabled('#action-approve_decision')).toBe(true);
      expect(await ivan.textContent('#pending-decision .refusal')).toBe(refused);
      await ivan.evaluate("document.getElementById('action-approve_decision').removeAttribute('disabled')");
      await ivan.click('#action-approve_decision');
      await expect.poll(() => ivan.textContent('#action-error'), POLL).toBe(refused);
      expect((await desk.app.claims.findByNumber(number))?.pendingDecision?.by).toBe('ivan');

      // (b) the head finds it in his notifications and opens the claim from there
      await signIn(sergey, 'sergey', '#/notices');
      const drafted = t('en', 'staff.history.decision_drafted', { who: 'Ivan Petrov', decision: '', text: '' }).split(':')[0] ?? '';
      const waiting = sergey.locator('#notices-list a', { hasText: drafted });
      await waiting.waitFor(POLL);
      expect(await waiting.textContent()).toContain(number);
      await waiting.click();
      await sergey.waitForSelector('#pending-decision');
      // he returns it with a note (a return without one is refused on the page)
      expect(await sergey.textContent('#pending-decision')).toContain('We refund');
      expect(await sergey.isDisabled('#action-approve_decision')).toBe(false);
      await sergey.click('#action-return_decision');
      await expect.poll(() => sergey.textContent('#action-error'), POLL).toBe(t('en', 'console.error.invalid_input'));
      expect(await sergey.locator('#pending-decision').count()).toBe(1);
      await sergey.fill('#review-note', 'Offer 12 000 with ten days.');
      await sergey.click('#action-return_decision');
      await expect.poll(() => sergey.locator('#pending-decision').count(), POLL).toBe(0);
      expect(await history(sergey, 'decision_returned').textContent()).toContain('Offer 12 000 with ten days.');

      // the author reads the note: in the claim's history and in his notifications
      await ivan.reload();
      await ivan.waitForSelector('#claim-description');
      expect(await history(ivan, 'decision_returned').textContent()).toContain('Offer 12 000 with ten days.');
      expect(await ivan.locator('#pending-decision').count()).toBe(0);
      await ivan.click('#nav-notices');
      await expect.poll(() => ivan.textContent('#notices-list'), POLL).toContain('Offer 12 000 with ten days.');

      // sent again, and approved by the head: now the customer gets the decision
      await ivan.goto(`${desk.app.url}/console#/claim/${number}`);
      await ivan.waitForSelector('#action-resolve');
      await decide('12 000', 'We refund {amount} within ten days.');
      await ivan.waitForSelector('#pending-decision');
      await sergey.reload();
      await sergey.waitForSelector('#pending-decision');
      expect(await sergey.textContent('#pending-decision')).toContain('within ten days');
      await sergey.click('#action-approve_decision');
      await expect.poll(() => sergey.textContent('#claim-status'), POLL).toBe(t('en', 'staff.status.resolved'));
      expect(await history(sergey, 'decision_approved').count()).toBe(1);
      // the customer gets the approved decision, once; nothing about either draft reached them before, nor the returned one ever
      await expect.poll(() => told().length, POLL).toBe(2);
      expect(told()[1]).toMatch(/We refund RUB\s12,000 within ten days\./); // the amount's space is a no-break one
      expect(told().join('\n')).not.toContain('at once');

      // (c) the remedy is carried out: marked on the page, the customer is told
      await ivan.reload();
      await ivan.waitForSelector('#action-fulfil');
      expect(await field(ivan, t('ru', 'console.claim.fulfilment_due')).count()).toBe(1);
      await ivan.fill('#fulfil-note', 'Paid by bank transfer.');
      await ivan.click('#action-fulfil');
      await expect.poll(() => field(ivan, t('ru', 'console.claim.fulfilment_done')).count(), POLL).toBe(1);
      expect(await ivan.locator('#action-fulfil').count()).toBe(0);
      expect(await history(ivan, 'fulfilled').textContent()).toContain('Paid by bank transfer.');
      await expect.poll(() => told().length, POLL).toBe(3);
      expect(told()[2]).toBe(t('en', 'notice.fulfilled', { number }));

      // (d) closed by staff with a note (a close without one is refused on the page)
      await ivan.click('#action-close');
      await expect.poll(() => ivan.textContent('#action-error'), POLL).toBe(t('ru', 'console.error.invalid_input'));
      expect(await ivan.textContent('#claim-status')).toBe(t('ru', 'staff.status.resolved'));
      await ivan.fill('#close-note', 'The customer confirmed the refund by phone.');
      await ivan.click('#action-close');
      await expect.poll(() => ivan.textContent('#claim-status'), POLL).toBe(t('ru', 'staff.status.closed'));
      expect(await ivan.textContent('#claim-history')).toContain('The customer confirmed the refund by phone.');
      expect((await desk.app.claims.findByNumber(number))?.status).toBe('closed');
      expect(pageErrors).toEqual([]);
    },
    SLOW,
  );

  it(
    'a rejection of a high-severity claim waits for the head too, and reaches the customer once he approves it',
    async () => {
      // the specialist (signed in above) assesses the claim on its page: not justified, high severity
      await ivan.goto(`${desk.app.url}/console#/claim/${second}`);
      await ivan.waitForSelector('#action-take');
      await ivan.click('#action-take');
      await expect.poll(() => told(REJECTED).length, POLL).toBe(1);
      await ivan.selectOption('#assess-customer', 'yes');
      await ivan.selectOption('#assess-justified', 'no');
      await ivan.selectOption('#assess-severity', 'high');
      await ivan.click('#action-assess');
      await expect.poll(() => ivan.textContent('#claim-severity'), POLL).toBe(t('ru', 'staff.severity.high'));

      // "not justified" points to a rejection: the form has it chosen; sent, it waits for the head
      expect(await ivan.isChecked('#resolve-rejected')).toBe(true);
      await ivan.selectOption('#resolve-reason', 'not_covered');
      await ivan.fill('#resolve-text', 'The warranty does not cover a dropped kettle.');
      await ivan.click('#action-resolve');
      await ivan.waitForSelector('#pending-decision');
      expect(await ivan.textContent('#pending-decision')).toContain(t('ru', 'staff.approval.reason.severity'));
      expect(await ivan.textContent('#claim-status')).toBe(t('ru', 'staff.status.in_review'));

      await sergey.goto(`${desk.app.url}/console#/claim/${second}`);
      await sergey.waitForSelector('#pending-decision');
      expect(await sergey.textContent('#pending-decision')).toContain('The warranty does not cover a dropped kettle.');
      expect(told(REJECTED)).toHaveLength(1);
      await sergey.click('#action-approve_decision');
      await expect.poll(() => sergey.textContent('#claim-status'), POLL).toBe(t('en', 'staff.status.resolved'));
      await expect.poll(() => told(REJECTED).length, POLL).toBe(2);
      expect(told(REJECTED)[1]).toContain('The warranty does not cover a dropped kettle.');
      expect((await desk.app.claims.findByNumber(second))?.decision).toMatchObject({ outcome: 'rejected', reason: 'not_covered', decidedBy: 'ivan', approvedBy: 'sergey' });
      expect(pageErrors).toEqual([]);
    },
    SLOW,
  );
});
