import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { BOT_MODES, BotUnderTest, TEST_BOT_TOKEN, TelegramCustomer, until, type BotMode } from '../support/telegram-bot.js';
import { t } from '../../src/i18n/index.js';
import { poisonedClaim } from '../support/fixtures.js';

/**
 * An update whose handling fails for good, in every library and mode: it is acknowledged
 * (polling confirms it, a webhook answers 200), set aside once as a dead letter, the customer gets
 * one apology, and the updates after it (other chats, and this one) flow on.
 */
describe.each<BotMode>(BOT_MODES)('a poisoned update: %s', (mode) => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start(mode, { fake, mongoUri: inject('mongoUri'), database: `poison_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  it('is set aside once and holds nothing back', async () => {
    const poisoned = new TelegramCustomer(bot, fakeUser());
    const other = new TelegramCustomer(bot, fakeUser());
    await bot.app.db.collection('claims').insertOne(poisonedClaim('telegram', poisoned.chatId));

    // the poisoned update and, right behind it in the same batch, another chat's
    const bad = fake.userSays(poisoned.user, '/status');
    const good = fake.userSays(other.user, '/start');
    if (bot.webhookUrl) {
      expect(await fake.deliverToWebhook(bad, bot.webhookUrl)).toBe(200);
      expect(await fake.deliverToWebhook(good, bot.webhookUrl)).toBe(200);
    }
    await until(() => !fake.pendingUpdates.some((u) => u.update_id === bad.update_id || u.update_id === good.update_id), 'both updates confirmed', 15_000);
    await until(() => other.messages.length > 0 && poisoned.messages.length > 0, 'both chats answered', 15_000);
    await bot.app.conversations.drain();
    expect(poisoned.messages.map((m) => m.text)).toEqual([t('en', 'failure.try_again')]);
    expect(other.messages.map((m) => String(m.text)).join('\n')).toContain(t('en', 'ask.intake.kind'));

    // Telegram delivers it again (a webhook retry): handled once
    if (bot.webhookUrl) expect(await fake.deliverToWebhook(bad, bot.webhookUrl)).toBe(200);
    await bot.app.conversations.drain();
    expect(poisoned.messages).toHaveLength(1);
    const letters = await bot.app.db.collection('dead_letters').find({}).toArray();
    expect(letters.map((l) => ({ channel: String(l.channel), chatId: String(l.chatId), code: String(l.code) }))).toEqual([{ channel: 'telegram', chatId: poisoned.chatId, code: 'TypeError' }]);

    // and this chat goes on with what does not touch the bad claim
    await poisoned.says('/help');
    expect(poisoned.last).toBe(t('en', 'help'));
  }, 60_000);
});
