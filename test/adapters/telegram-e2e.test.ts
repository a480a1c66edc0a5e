import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { BOT_MODES, BotUnderTest, fillIntake, TEST_BOT_TOKEN, TelegramCustomer, WEBHOOK_SECRET } from '../support/telegram-bot.js';
import { startApp } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { t } from '../../src/i18n/index.js';

const NUMBER = /No\. (\d{4}-\d{6})/;

describe.each(BOT_MODES)('Telegram end to end: %s', (mode) => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start(mode, { fake, mongoUri: inject('mongoUri'), database: `tg_${mode.replace('-', '_')}_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  const customer = () => new TelegramCustomer(bot, fakeUser());
  const claimsOf = (c: TelegramCustomer) => bot.app.db.collection('claims').find({ 'customer.channel': 'telegram', 'customer.userId': c.chatId }).toArray();
  interface StoredChat {
    flowId: string | null;
    stepId: string | null;
    answers: Record<string, unknown>;
    unreachableSince?: Date;
    outbox?: unknown;
  }
  const conversationOf = (c: TelegramCustomer) => bot.app.db.collection<StoredChat & { _id: string }>('conversations').findOne({ _id: `telegram:${c.chatId}` });

  describe('one customer, from /start to a registered claim and on', () => {
    const anna = { customer: undefined as TelegramCustomer | undefined, number: '' };

    it('a full intake: the claim number in the chat and the claim in the database, photo as a file reference', async () => {
      const c = customer();
      anna.customer = c;
      const { photoFileId } = await fillIntake(c, bot);
      expect(c.last).toContain('Kettle KT-200');
      await c.presses(t('en', 'button.submit'));
      const number = NUMBER.exec(c.last)?.[1];
      expect(number).toBeDefined();
      anna.number = number ?? '';
      const [claim, ...others] = await claimsOf(c);
      expect(others).toEqual([]);
      expect(claim).toMatchObject({
        number,
        status: 'new',
        customer: { channel: 'telegram', userId: c.chatId },
        contact: { name: 'Anna Petrova', phone: '+79123456789' },
        attachments: [{ channel: 'telegram', kind: 'photo', fileId: photoFileId }],
      });
      // every button press was answered, so no client kept spinning
      const answered = new Set(fake.callsTo('answerCallbackQuery').map((call) => call.params.callback_query_id));
      expect(c.pressed.length).toBeGreaterThanOrEqual(5);
      expect(c.pressed.filter((id) => !answered.has(id))).toEqual([]);
    });

    it('/status shows the claim', async () => {
      const c = anna.customer;
      if (!c) throw new Error('the intake test did not run');
      await c.says('/status');
      expect(c.replies.join('\n')).toContain(anna.number);
    });

    it('adds a photo to the claim with /add', async () => {
      const c = anna.customer;
      if (!c) throw new Error('the intake test did not run');
      await c.says('/add');
      expect(c.last).toBe(t('en', 'ask.add.content', { number: anna.number }));
      const photo = bot.fake.userSendsPhoto(c.user);
      await c.act(photo);
      expect(c.replies.join('\n')).toContain(t('en', 'add.added', { number: anna.number }));
      const [claim] = await claimsOf(c);
      const added = (claim?.history as { type: string; attachments?: { fileId: string }[] }[]).filter((e) => e.type === 'customer_info');
      expect(added.flatMap((e) => e.attachments ?? []).map((a) => a.fileId)).toEqual([photo.message?.photo?.at(-1)?.file_id]);
    });
  });

  it('a redelivered update: one claim, one reply', async () => {
    const c = customer();
    await fillIntake(c, bot);
    const submit = fake.userPresses(c.user, c.button(t('en', 'button.submit')));
    await c.act(submit);
    expect(c.last).toMatch(NUMBER);
    const sent = c.messages.length;
    if (bot.usesWebhook) {
      // Telegram posts it again (it saw no answer in time)
      expect(await fake.deliverToWebhook(submit, bot.webhookUrl)).toBe(200);
    } else {
      // the bot stopped after recording and before confirming: the next instance gets it again
      await bot.stop();
      fake.enqueue(submit);
      await bot.start();
      await bot.deliver(submit);
    }
    await bot.app.conversations.drain();
    expect(await claimsOf(c)).toHaveLength(1);
    expect(c.messages).toHaveLength(sent);
  });

  it('a forged or stale button gets a notice and changes nothing', async () => {
    const c = customer();
    await c.says('/start');
    const before = await conversationOf(c);
    const turn = Number(c.button(t('en', 'kind.claim')).split('.')[0]);
    // a button of an older question, and data no button of ours ever carried
    for (const data of [`${String(turn - 1)}.complaint`, 'forged<>data']) {
      const forged = fake.userPresses(c.user, data, 999);
      await c.act(forged);
      const answer = fake.callsTo('answerCallbackQuery').find((call) => call.params.callback_query_id === forged.callback_query?.id);
      expect(answer?.params.text).toBe(t('en', 'notice.stale'));
    }
    const after = await conversationOf(c);
    expect({ flowId: after?.flowId, stepId: after?.stepId, answers: after?.answers }).toEqual({ flowId: before?.flowId, stepId: before?.stepId, answers: before?.answers });
    expect(after?.stepId).toBe('kind');
  });

  it('a 429 during a reply is waited out and the reply arrives', async () => {
    const c = customer();
    fake.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const update = fake.userSays(c.user, '/help');
    if (bot.webhookUrl) {
      // the webhook is answered once the update is recorded, not after the rate limit
      expect(await fake.deliverToWebhook(update, bot.webhookUrl)).toBe(200);
      expect(c.messages).toHaveLength(0);
      await bot.app.conversations.drain();
    } else {
      await bot.deliver(update);
    }
    const attempts = fake.callsTo('sendMessage').filter((call) => String(call.params.chat_id) === c.chatId);
    expect(attempts.map((call) => call.response?.ok)).toEqual([false, true]);
    expect(attempts[0]?.response).toMatchObject({ error_code: 429 });
    expect(String(c.messages[0]?.text)).toContain(t('en', 'help').slice(0, 20));
  });

  it('a blocked bot (403) is recorded on the customer, not retried, and cleared when they write again', async () => {
    const c = customer();
    fake.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    await c.says('/help');
    expect(c.replies).toEqual([]);
    expect(fake.callsTo('sendMessage').filter((call) => String(call.params.chat_id) === c.chatId)).toHaveLength(1);
    const blocked = await conversationOf(c);
    expect(blocked?.unreachableSince).toBeInstanceOf(Date);
    expect(blocked?.outbox).toBeUndefined();
    await c.says('/help');
    expect(c.replies.length).toBeGreaterThan(0);
    expect((await conversationOf(c))?.unreachableSince).toBeUndefined();
  });

  it('stickers get a polite answer; edits and membership changes are acknowledged and skipped', async () => {
    const c = customer();
    await c.says('/start');
    await c.act(fake.userSendsSticker(c.user));
    expect(c.replies.join('\n')).toContain(t('en', 'invalid.unsupported'));
    const edited = fake.enqueue({ edited_message: { message_id: 1, date: 0, edit_date: 1, chat: { id: c.user.id, type: 'private', first_name: c.user.firstName }, from: { id: c.user.id, is_bot: false, first_name: c.user.firstName }, text: 'edited' } });
    expect(await c.act(edited)).toBe(200);
    expect(c.replies).toEqual([]);
    const member = fake.enqueue({ my_chat_member: { chat: { id: c.user.id, type: 'private', first_name: c.user.firstName }, from: { id: c.user.id, is_bot: false, first_name: c.user.firstName }, date: 0, old_chat_member: { status: 'member', user: fake.botUser }, new_chat_member: { status: 'kicked', user: fake.botUser, until_date: 0 } } });
    expect(await c.act(member)).toBe(200);
    expect(c.replies).toEqual([]);
    expect((await conversationOf(c))?.stepId).toBe('kind');
  });

  if (mode.endsWith('webhook')) {
    it('a forged webhook secret is refused and nothing is written', async () => {
      const c = customer();
      const update = fake.userSays(c.user, '/start');
      const url = bot.webhookUrl ?? '';
      const wrong = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret-0000' }, body: JSON.stringify(update) });
      const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(update) });
      // grammY's handler is ours (401); Telegraf's own webhookCallback answers 403
      for (const res of [wrong, missing]) expect([401, 403]).toContain(res.status);
      await bot.app.conversations.drain();
      expect(await conversationOf(c)).toBeNull();
      expect(c.messages).toEqual([]);
    });
  }

  if (!mode.endsWith('webhook')) {
    it('one batch with several updates of two chats: each chat in order', async () => {
      const [a, b] = [customer(), customer()];
      await bot.stop();
      // queued while the bot was down, so the next poll returns them as one batch
      const updates = [fake.userSays(a.user, '/start'), fake.userSays(b.user, '/start'), fake.userSays(a.user, '1'), fake.userSays(b.user, '2'), fake.userSays(a.user, '1')];
      await bot.start();
      for (const update of updates) await bot.deliver(update);
      const ids = updates.map((u) => u.update_id);
      const batch = fake.callsTo('getUpdates').find((call) => {
        const got = call.response?.ok === true ? (call.response.result as { update_id: number }[]).map((u) => u.update_id) : [];
        return ids.every((id) => got.includes(id));
      });
      expect(batch).toBeDefined();
      const [stateA, stateB] = [await conversationOf(a), await conversationOf(b)];
      expect({ step: stateA?.stepId, kind: stateA?.answers.kind, category: stateA?.answers.category }).toEqual({ step: 'product', kind: 'claim', category: 'defect' });
      expect({ step: stateB?.stepId, kind: stateB?.answers.kind }).toEqual({ step: 'category', kind: 'complaint' });
    });
  }

  if (mode === 'grammy-webhook') {
    it('registered the webhook at PUBLIC_URL with the secret token', () => {
      expect(fake.webhook).toEqual({ url: 'https://desk.example.test/telegram/webhook', secretToken: WEBHOOK_SECRET });
    });
  }

  if (mode.startsWith('telegraf')) {
    it('the host bot keeps its own commands; the desk takes what they leave', async () => {
      const c = customer();
      await c.says('/hostping');
      expect(c.replies).toEqual(['pong from the host bot']);
      expect(await conversationOf(c)).toBeNull();
    });
  }
});

describe('starting the Telegram bot', () => {
  it('a token Telegram refuses stops the start with one line naming TELEGRAM_BOT_TOKEN, and nothing keeps running', async () => {
    const fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    try {
      const env = { MONGODB_URI: `${inject('mongoUri')}refused_${randomBytes(4).toString('hex')}`, PORT: '0', HOST: '127.0.0.1', TELEGRAM_BOT_TOKEN: '999999:AAEaTokenTelegramDoesNotKnow_000', TELEGRAM_API_ROOT: fake.url };
      await expect(startApp({ env, log: createLogger('error', () => undefined) })).rejects.toThrow(/^config error: TELEGRAM_BOT_TOKEN: Telegram refused getMe \(401 Unauthorized\)$/);
      expect(fake.callsTo('getUpdates')).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe('grammY webhook: a pressed button is answered in the webhook\'s own response', () => {
  it('answers the callback query in the response body (no separate Bot API request), with the stale notice when there is one', async () => {
    const fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    const bot = await BotUnderTest.start('grammy-webhook', { fake, mongoUri: inject('mongoUri'), database: `tg_reply_${randomBytes(4).toString('hex')}` });
    try {
      const c = new TelegramCustomer(bot, fakeUser());
      await c.says('/start');
      const post = async (data: string) => {
        const update = fake.userPresses(c.user, data);
        const { body, headers } = fake.webhookRequest(update);
        const response = await fetch(bot.webhookUrl ?? '', { method: 'POST', headers, body });
        return { id: update.callback_query?.id, status: response.status, type: response.headers.get('content-type'), reply: (await response.json()) as Record<string, unknown> };
      };
      const data = c.button(t('en', 'kind.claim'));
      const first = await post(data);
      expect(first).toMatchObject({ status: 200, type: 'application/json', reply: { method: 'answerCallbackQuery', callback_query_id: first.id } });
      expect(first.reply.text).toBeUndefined();
      // the same button again is stale now: the answer carries the notice
      const again = await post(data);
      expect(again.reply).toEqual({ method: 'answerCallbackQuery', callback_query_id: again.id, text: t('en', 'notice.stale') });
      expect(fake.callsTo('answerCallbackQuery')).toEqual([]);
    } finally {
      await bot.app.db.dropDatabase();
      await bot.stop();
      await fake.close();
    }
  });
});
