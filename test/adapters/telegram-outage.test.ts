import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { BotUnderTest, TEST_BOT_TOKEN, TelegramCustomer, until, type BotMode } from '../support/telegram-bot.js';
import { DatabaseRelay } from '../support/db-outage.js';
import { t } from '../../src/i18n/index.js';

/**
 * The database goes away while a customer writes. Whatever the library and mode, the update is
 * not lost: polling does not confirm it, a webhook answers 500 so Telegram sends it again, and the
 * Telegraf middleware (whose polling confirms a batch regardless) keeps trying until it is recorded.
 */
describe.each<BotMode>(['grammy-polling', 'grammy-webhook', 'telegraf-polling'])('the database unreachable while a customer writes: %s', (mode) => {
  let fake: FakeTelegram;
  let relay: DatabaseRelay;
  let bot: BotUnderTest;

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    relay = await DatabaseRelay.start(inject('mongoUri'));
    bot = await BotUnderTest.start(mode, { fake, mongoUri: relay.uri, database: `outage_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    relay.restore();
    await bot.app.db.dropDatabase();
    await bot.stop();
    await relay.close();
    await fake.close();
  });

  it('nothing the customer sent is lost, and the reply comes once the database is back', async () => {
    const customer = new TelegramCustomer(bot, fakeUser());
    const conversation = () => bot.app.db.collection('conversations').countDocuments({ chatId: customer.chatId });
    relay.cut();
    const update = fake.userSays(customer.user, '/start');
    if (bot.webhookUrl) {
      expect(await fake.deliverToWebhook(update, bot.webhookUrl)).toBe(500);
      expect(fake.pendingUpdates.map((u) => u.update_id)).toContain(update.update_id);
    } else if (mode === 'grammy-polling') {
      // fetched, failed to record, fetched again: never confirmed meanwhile
      const refetched = () => fake.callsTo('getUpdates').filter((call) => call.response?.ok === true && (call.response.result as { update_id: number }[]).some((u) => u.update_id === update.update_id));
      await until(() => refetched().length >= 2, 'the update fetched twice');
      expect(fake.pendingUpdates.map((u) => u.update_id)).toContain(update.update_id);
    } else {
      // Telegraf confirms the batch after the middleware let go; the desk still holds the update
      await until(() => !fake.pendingUpdates.some((u) => u.update_id === update.update_id), 'the batch confirmed by Telegraf');
    }
    expect(fake.sentTo(customer.user.id)).toEqual([]);

    relay.restore();
    if (bot.webhookUrl) expect(await fake.deliverToWebhook(update, bot.webhookUrl)).toBe(200);
    await until(async () => (await conversation()) === 1 && fake.sentTo(customer.user.id).length > 0, 'the update recorded and answered', 15_000);
    await bot.app.conversations.drain();
    const greeting = fake.sentTo(customer.user.id).filter((m) => String(m.text).includes(t('en', 'ask.intake.kind')));
    expect(greeting).toHaveLength(1);

    // and the bot goes on as usual
    await customer.presses(t('en', 'kind.claim'));
    expect(customer.last).toBe(t('en', 'ask.intake.category'));
  });
});
