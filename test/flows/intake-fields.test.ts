import { describe, expect, it } from 'vitest';
import { setupDesk, TestChat } from '../support/chat.js';
import { claimsWorkPolicy, derivedWarranty } from '../../src/domain/assessment.js';
import { customerNotice } from '../../flows/notices.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import { claimFixture } from '../support/claims.js';
import type { ClaimEvent } from '../../src/domain/lifecycle.js';

/**
 * The intake asks what the category needs (#25): the amount and the purchase date as people type
 * them, on the summary card and editable there, stored on the claim (the warranty derivation reads
 * the date); and the desk's own acknowledgement and question texts.
 */

const ACK = {
  ru: 'Претензия № {number} от {date} («{essence}») принята: {department}, ответ до {due}.',
  en: 'Claim No. {number} of {date} ("{essence}") is in: {department} will answer by {due}.',
};
const QUESTION = { ru: 'Вопрос по № {number} от {date}: {question}', en: 'About No. {number} ("{essence}"): {question}' };

// the clock stands at 2026-11-23 09:00 UTC (12:00 in Moscow, the desk's time zone)
const env = setupDesk('intake_fields', {
  tweak: (desk) => ({
    ...desk,
    categories: desk.categories.map((category) => (category.id === 'defect' ? { ...category, fields: { amount: 'optional' as const, purchaseDate: 'required' as const } } : category)),
    customerTexts: { acknowledgement: ACK, question: QUESTION },
  }),
});

async function toAmount(chat: TestChat, category = 'Defective product'): Promise<void> {
  await chat.send('/new');
  await chat.press(t('en', 'kind.claim'));
  await chat.press(category);
  await chat.send('Kettle KT-200');
  await chat.press(t('en', 'button.skip'));
}

const step = async (chat: TestChat) => (await env.app.stateOf(chat))?.stepId;

describe('the category\'s extra fields', () => {
  it('asks the amount (optional) and the purchase date (required), re-asks bad input with the reason, and stores both on the claim', async () => {
    const chat = new TestChat(env.app.runner);
    await toAmount(chat);
    expect(chat.last.text).toBe(t('en', 'ask.intake.amount', { currency: 'RUB' }));
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.skip'), t('en', 'button.back')]);

    for (const [typed, reason] of [
      ['$12', t('en', 'invalid.amount.other_currency', { currency: 'RUB' })],
      ['0', t('en', 'invalid.amount.not_positive')],
      ['a lot', t('en', 'invalid.amount.not_a_number')],
    ] as const) {
      await chat.send(typed);
      expect(chat.last.text).toBe(`${reason}\n\n${t('en', 'ask.intake.amount', { currency: 'RUB' })}`);
      expect(await step(chat)).toBe('amount');
    }
    await chat.send('1 299,90 ₽');

    expect(chat.last.text).toBe(t('en', 'ask.intake.purchaseDate'));
    // required: no "Skip"
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.today'), t('en', 'button.yesterday'), t('en', 'button.other_date'), t('en', 'button.back')]);
    await chat.send('24.11.2026');
    expect(chat.last.text).toBe(`${t('en', 'invalid.date.in_future')}\n\n${t('en', 'ask.intake.purchaseDate')}`);
    await chat.send('31.02.2026');
    expect(chat.last.text).toContain(t('en', 'invalid.date.no_such_day'));
    await chat.press(t('en', 'button.other_date'));
    expect(chat.last.text).toContain(t('en', 'intake.purchase_date.type'));
    expect(await step(chat)).toBe('purchaseDate');
    await chat.send('12 ноября');
    expect(chat.last.text).toBe(t('en', 'ask.intake.description'));

    await chat.send('The kettle stopped heating after two days.');
    await chat.press(t('en', 'button.no_files'));
    await chat.press(t('en', 'remedy.refund'));
    await chat.send('Anna Petrova');
    await chat.send('+7 912 345-67-89');
    expect(chat.last.text).toContain('Amount: RUB\u00a01,299.90');
    expect(chat.last.text).toContain('Bought on: 12 Nov 2026');
    expect(chat.choices.map((c) => c.label)).toEqual(expect.arrayContaining([t('en', 'button.edit.amount'), t('en', 'button.edit.purchaseDate')]));

    // edited on the card like the other fields
    await chat.press(t('en', 'button.edit.amount'));
    await chat.press(t('en', 'button.skip'));
    expect(chat.last.text).toContain('Amount: —');
    await chat.press(t('en', 'button.edit.purchaseDate'));
    await chat.press(t('en', 'button.yesterday'));
    expect(chat.last.text).toContain('Bought on: 22 Nov 2026');
    await chat.press(t('en', 'button.edit.amount'));
    await chat.send('2500');
    expect(chat.last.text).toContain('Amount: RUB\u00a02,500');
    expect(await step(chat)).toBe('confirm');

    await chat.press(t('en', 'button.submit'));
    const [claim] = await env.app.claims.listForCustomer({ channel: chat.from.channel, userId: chat.from.userId });
    expect(claim?.concerns).toEqual({ product: 'Kettle KT-200', amount: { minor: 250000, currency: 'RUB' }, purchaseDate: '2026-11-22' });
    // the warranty derivation reads the date the customer gave (12 months for defects)
    expect(claim && derivedWarranty(claim, claimsWorkPolicy(env.desk))).toBe('yes');
  });

  it('in Russian: "вчера" and a Russian amount', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    await chat.send('/new');
    await chat.press(t('ru', 'kind.claim'));
    await chat.press('Брак или дефект товара');
    await chat.send('Чайник');
    await chat.press(t('ru', 'button.skip'));
    expect(chat.last.text).toBe(t('ru', 'ask.intake.amount', { currency: 'RUB' }));
    await chat.send('1299,90 руб.');
    await chat.send('вчера');
    expect(chat.last.text).toBe(t('ru', 'ask.intake.description'));
    expect((await env.app.stateOf(chat))?.answers).toMatchObject({ amount: { minor: 129990, currency: 'RUB' }, purchaseDate: '2026-11-22' });
  });

  it('a category without the setting asks nothing new, and its card shows neither field', async () => {
    const chat = new TestChat(env.app.runner);
    await toAmount(chat, 'Delivery: late, damaged or wrong item');
    expect(chat.last.text).toBe(t('en', 'ask.intake.description'));
    await chat.send('The parcel came two weeks late.');
    await chat.press(t('en', 'button.no_files'));
    await chat.press(t('en', 'remedy.refund'));
    await chat.send('Anna Petrova');
    await chat.send('+7 912 345-67-89');
    expect(chat.last.text).not.toContain('Amount:');
    expect(chat.last.text).not.toContain('Bought on:');
    expect(chat.choices.map((c) => c.label)).not.toContain(t('en', 'button.edit.amount'));
  });

  it('the desk\'s own acknowledgement, its placeholders filled in', async () => {
    const chat = new TestChat(env.app.runner);
    await toAmount(chat, 'Delivery: late, damaged or wrong item');
    await chat.send('The parcel came two weeks late. It was wet.');
    await chat.press(t('en', 'button.no_files'));
    await chat.press(t('en', 'remedy.refund'));
    await chat.send('Anna Petrova');
    await chat.send('+7 912 345-67-89');
    await chat.press(t('en', 'button.submit'));
    const [claim] = await env.app.claims.listForCustomer({ channel: chat.from.channel, userId: chat.from.userId });
    if (!claim) throw new Error('no claim');
    const date = formatDateTime(claim.createdAt, 'en', 'Europe/Moscow');
    const due = formatDateTime(claim.sla.firstResponseDueAt, 'en', 'Europe/Moscow');
    expect(chat.last.text).toBe(`Claim No. ${claim.number} of ${date} ("The parcel came two weeks late.") is in: Logistics will answer by ${due}.`);
  });
});

describe('the desk\'s own question text', () => {
  it('fills the question template in the claim\'s language; without one, the catalogue text', () => {
    const claim = claimFixture({ number: '2026-000042', locale: 'ru', createdAt: new Date('2026-11-20T10:00:00Z') });
    const event: ClaimEvent = { id: 'e1', at: new Date(), actor: { kind: 'staff', staffId: 'olga' }, type: 'status_changed', action: 'request_info', note: 'Какой серийный номер?', notifyCustomer: true };
    const date = formatDateTime(claim.createdAt, 'ru', 'Europe/Moscow');
    expect(customerNotice(env.desk, claim, event)).toEqual({ text: `Вопрос по № 2026-000042 от ${date}: Какой серийный номер?`, expects: 'none' });
    expect(customerNotice(env.desk, { ...claim, locale: 'en' }, event)).toEqual({ text: 'About No. 2026-000042 ("The kettle stopped heating after two days."): Какой серийный номер?', expects: 'none' });
    expect(customerNotice({ ...env.desk, customerTexts: {} }, claim, event)).toEqual({ text: t('ru', 'notice.request_info', { number: '2026-000042', question: 'Какой серийный номер?' }), expects: 'none' });
  });
});
