import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { BotUnderTest, TEST_BOT_TOKEN } from '../support/telegram-bot.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/**
 * #25 with the customer in Telegram (the fake Bot API): a staff reply reaches them in their chat as
 * a notice, the decision arrives with its text and signer, and an internal note never does.
 */
describe('Telegram: replies, notes and the decision reach the customer (or not)', () => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;
  const user = fakeUser();
  let claim: Claim;
  const texts = () => fake.sentTo(user.id).map((message) => String(message.text));

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start('grammy-polling', { fake, mongoUri: inject('mongoUri'), database: `tg_staff_msg_${randomBytes(4).toString('hex')}` });
    ({ claim } = await bot.app.registry.submit(draft({ ...telegramCustomer(String(user.id)), locale: 'en' }), 'tg-staff-messages-1'));
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  const ivan = { staffId: 'ivan' };

  it('a reply (by the staff desk, as the console sends it) arrives in the customer\'s chat and is the first response', async () => {
    const result = await bot.app.staff.act(ivan, claim.id, { action: 'reply', text: 'We have your kettle\'s photos; a technician will call you.' });
    expect(result.ok).toBe(true);
    const expected = t('en', 'notice.reply', { number: claim.number, text: 'We have your kettle\'s photos; a technician will call you.' });
    await eventually(() => texts().includes(expected), 15_000);
    // the delivery is recorded right after the send
    await eventually(async () => (await bot.app.claims.findById(claim.id))?.history.at(-1)?.deliveredAt !== undefined);
    const stored = await bot.app.claims.findById(claim.id);
    expect(stored?.status).toBe('new');
    expect(stored?.firstResponseAt).toBeInstanceOf(Date);
    expect(stored?.history.at(-1)?.type).toBe('staff_reply');
    expect(stored?.history.at(-1)?.deliveredAt).toBeInstanceOf(Date);
  });

  it('a note never reaches the customer; what comes after it does', async () => {
    const before = texts().length;
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'note', text: 'INTERNAL: the customer sounded angry.' })).ok).toBe(true);
    // a later reply goes out after it (notices go in history order): once it is there, the note had its turn
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'reply', text: 'Second message.' })).ok).toBe(true);
    await eventually(() => texts().some((text) => text.includes('Second message.')), 15_000);
    expect(texts().slice(before)).toEqual([t('en', 'notice.reply', { number: claim.number, text: 'Second message.' })]);
    expect(texts().some((text) => text.includes('INTERNAL'))).toBe(false);
  });

  it('the decision arrives with its text, the amount in the desk\'s currency and who decided', async () => {
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'take' })).ok).toBe(true);
    const result = await bot.app.staff.act(ivan, claim.id, {
      action: 'resolve',
      decision: { outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 150000 }, responseText: 'We refund {amount} of the price.' },
    });
    expect(result.ok).toBe(true);
    const expected = 'Decision on your claim No. ' + claim.number + ': it is partially accepted.\n\nWe refund RUB\u00a01,500 of the price.\n\nDecided by: Ivan Petrov, claims specialist';
    await eventually(() => texts().includes(expected), 15_000);
  });
});
