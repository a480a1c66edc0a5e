import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot, GrammyError, InputFile } from 'grammy';
import { Telegraf } from 'telegraf';
import { message as messageOf } from 'telegraf/filters';
import { FakeTelegram, fakeUser, type FakeUser } from './telegram-api.js';

let fake: FakeTelegram;
let bot: Bot;
let alice: FakeUser;

beforeEach(async () => {
  fake = await FakeTelegram.start();
  bot = new Bot(fake.token, { client: { apiRoot: fake.url } });
  alice = fakeUser({ firstName: 'Alice' });
});

afterEach(async () => {
  await fake.close();
});

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The GrammyError a call rejects with. */
async function grammyError(call: Promise<unknown>): Promise<GrammyError> {
  const error: unknown = await call.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof GrammyError)) throw new Error(`expected a GrammyError, got ${String(error)}`);
  return error;
}

describe('FakeTelegram with grammY raw API calls', () => {
  it('answers getMe with the bot user and records every call', async () => {
    const me = await bot.api.getMe();
    expect(me).toMatchObject({ id: 123456, is_bot: true, username: fake.botUser.username });
    expect(fake.callsTo('getMe')).toHaveLength(1);
    expect(fake.calls[0]?.response).toMatchObject({ ok: true });
  });

  it('records sendMessage with its params and returns a realistic Message', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'A', callback_data: '1.a' }]] };
    const first = await bot.api.sendMessage(alice.id, 'hi', { reply_markup: keyboard });
    const second = await bot.api.sendMessage(alice.id, 'again');

    expect(fake.sentTo(alice.id)).toEqual([
      { chat_id: alice.id, text: 'hi', reply_markup: keyboard },
      { chat_id: alice.id, text: 'again' },
    ]);
    expect(first).toMatchObject({ chat: { id: alice.id, type: 'private' }, from: { id: 123456, is_bot: true }, text: 'hi', reply_markup: keyboard });
    expect(second.message_id).toBe(first.message_id + 1);
    expect(first.date).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('confirms updates through the getUpdates offset', async () => {
    fake.userSays(alice, 'hello');
    const last = fake.userSays(alice, 'my order is late');

    const all = await bot.api.getUpdates();
    expect(all.map((u) => u.message?.text)).toEqual(['hello', 'my order is late']);
    expect((await bot.api.getUpdates({ limit: 1 })).map((u) => u.message?.text)).toEqual(['hello']);

    expect(await bot.api.getUpdates({ offset: last.update_id + 1 })).toEqual([]);
    expect(await bot.api.getUpdates()).toEqual([]); // confirmed ones are gone for good
  });

  it('returns a long poll early when the customer writes, with a bot_command entity for /start', async () => {
    const started = Date.now();
    const poll = bot.api.getUpdates({ timeout: 10 });
    await fake.waitForCall('getUpdates');
    setTimeout(() => fake.userSays(alice, '/start promo'), 50);

    const updates = await poll;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.message).toMatchObject({
      text: '/start promo',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      from: { id: alice.id, first_name: 'Alice', is_bot: false },
      chat: { id: alice.id, type: 'private' },
    });
  });

  it('answers an empty long poll after its timeout, and a pending one on close', async () => {
    expect(await bot.api.getUpdates({ timeout: 1 })).toEqual([]);
    const poll = bot.api.getUpdates({ timeout: 30 });
    await fake.waitForCall('getUpdates', (c) => c.response === undefined);
    await fake.close();
    expect(await poll).toEqual([]);
  });

  it('injects a 429 with retry_after, then works again', async () => {
    fake.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const error = await grammyError(bot.api.sendMessage(alice.id, 'hi'));
    expect(error.error_code).toBe(429);
    expect(error.parameters.retry_after).toBe(1);
    expect(error.description).toBe('Too Many Requests: retry after 1');

    await bot.api.sendMessage(alice.id, 'hi');
    expect(fake.sentTo(alice.id)).toHaveLength(1); // the failed call is recorded but was not delivered
    expect(fake.callsTo('sendMessage')).toHaveLength(2);
  });

  it('injects 403 (blocked) and 400 with migrate_to_chat_id', async () => {
    fake.failNext('sendMessage', { code: 403 }, 2);
    expect((await grammyError(bot.api.sendMessage(alice.id, 'a'))).description).toBe('Forbidden: bot was blocked by the user');
    expect((await grammyError(bot.api.sendMessage(alice.id, 'b'))).error_code).toBe(403);

    fake.failNext('sendMessage', { code: 400, description: 'group chat was upgraded to a supergroup chat', migrateToChatId: -1001234 });
    const migrated = await grammyError(bot.api.sendMessage(-42, 'c'));
    expect(migrated.error_code).toBe(400);
    expect(migrated.parameters.migrate_to_chat_id).toBe(-1001234);
    await expect(bot.api.sendMessage(alice.id, 'd')).resolves.toMatchObject({ text: 'd' });
  });

  it('validates sendMessage like the real API', async () => {
    const failure = async (text: string, other: Record<string, unknown> = {}): Promise<string> =>
      (await grammyError(bot.api.sendMessage(alice.id, text, other))).description;

    expect(await failure('x'.repeat(4097))).toBe('Bad Request: message is too long');
    expect(await failure('')).toBe('Bad Request: message text is empty');
    expect(await failure('ok', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'x'.repeat(65) }]] } })).toBe(
      'Bad Request: BUTTON_DATA_INVALID',
    );
    expect(await failure('<b>bold', { parse_mode: 'HTML' })).toMatch(/^Bad Request: can't parse entities: Can't find end tag/);
    expect(await failure('<b><i>x</b></i>', { parse_mode: 'HTML' })).toMatch(/^Bad Request: can't parse entities: Unmatched end tag/);
    expect(await failure('1 < 2', { parse_mode: 'HTML' })).toMatch(/^Bad Request: can't parse entities: Unsupported start tag/);
    expect(await failure('Claim no. 42.', { parse_mode: 'MarkdownV2' })).toBe(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    expect(await failure('*unclosed', { parse_mode: 'MarkdownV2' })).toMatch(/Can't find end of Bold entity/);

    await expect(bot.api.sendMessage(alice.id, '<b>Claim</b> &lt;42&gt;', { parse_mode: 'HTML' })).resolves.toMatchObject({ text: 'Claim <42>' });
    await expect(bot.api.sendMessage(alice.id, '*Claim* no\\. 42\\!', { parse_mode: 'MarkdownV2' })).resolves.toMatchObject({ text: 'Claim no. 42!' });
    expect(fake.sentTo(alice.id)).toHaveLength(2);
  });

  it('rejects a wrong token with 401 and an unknown method with 404', async () => {
    const stranger = new Bot('999:WRONG', { client: { apiRoot: fake.url } });
    const error = await grammyError(stranger.api.getMe());
    expect(error.error_code).toBe(401);
    expect(error.description).toBe('Unauthorized');

    const response = await fetch(`${fake.url}/bot${fake.token}/sendTelepathy`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
  });

  it('accepts GET, urlencoded and multipart requests', async () => {
    const get = await fetch(`${fake.url}/bot${fake.token}/getMe`);
    expect(await get.json()).toMatchObject({ ok: true, result: { is_bot: true } });

    await fetch(`${fake.url}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: String(alice.id), text: '42', disable_notification: 'true' }),
    });
    const form = new FormData();
    form.set('chat_id', String(alice.id));
    form.set('text', 'with keyboard');
    form.set('reply_markup', JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }));
    form.set('document', new Blob(['%PDF-1.4']), 'claim.pdf');
    const multipart = await fetch(`${fake.url}/bot${fake.token}/sendMessage`, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);

    expect(fake.sentTo(alice.id)).toEqual([
      { chat_id: alice.id, text: '42', disable_notification: true },
      {
        chat_id: alice.id,
        text: 'with keyboard',
        reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] },
        document: { filename: 'claim.pdf', contentType: 'application/octet-stream', size: 8, sha256: sha256('%PDF-1.4') },
      },
    ]);
  });

  it('answers sendDocument with a Message carrying the Document, keeps the upload\'s name, size and hash, and serves it with getFile', async () => {
    const bytes = Buffer.from('%PDF-1.7 the act of inspection');
    const sent = await bot.api.sendDocument(alice.id, new InputFile(bytes, 'Акт осмотра.pdf'), { caption: 'the act' });
    expect(sent).toMatchObject({
      chat: { id: alice.id, type: 'private' },
      from: { id: 123456, is_bot: true },
      caption: 'the act',
      document: { file_name: 'Акт осмотра.pdf', mime_type: 'application/pdf', file_size: bytes.length },
    });
    expect(sent.document?.file_id).toMatch(/^BQAC/);
    expect(sent.document?.file_unique_id).toBeTruthy();
    expect(fake.documentsTo(alice.id)).toEqual([{ filename: 'Акт осмотра.pdf', contentType: 'application/octet-stream', size: bytes.length, sha256: sha256(bytes) }]);
    const file = await bot.api.getFile(sent.document?.file_id ?? '');
    expect(file.file_size).toBe(bytes.length);

    // a known file_id is sent again without an upload; an unknown one and a request without a document are refused
    await bot.api.sendDocument(alice.id, sent.document?.file_id ?? '');
    expect(fake.callsTo('sendDocument').at(-1)?.response).toMatchObject({ ok: true, result: { document: { file_id: sent.document?.file_id } } });
    expect((await grammyError(bot.api.sendDocument(alice.id, 'BQACnope'))).description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    expect((await grammyError(bot.api.raw.sendDocument({ chat_id: alice.id } as never))).description).toBe('Bad Request: there is no document in the request');
    expect(fake.documentsTo(alice.id)).toHaveLength(1);
  });

  it("parses Telegraf's multipart upload of a document (with the method it adds)", async () => {
    const telegraf = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const sent = await telegraf.telegram.sendDocument(alice.id, { source: bytes, filename: 'dent.png' }, { disable_content_type_detection: true });
    expect(sent.document).toMatchObject({ file_name: 'dent.png', mime_type: 'image/png', file_size: bytes.length });
    const [call] = fake.callsTo('sendDocument');
    expect(call?.params).toEqual({ chat_id: alice.id, disable_content_type_detection: true, document: { filename: 'dent.png', size: bytes.length, sha256: sha256(bytes) } });
    expect(fake.documentsTo(alice.id).map((d) => d.filename)).toEqual(['dent.png']);
  });

  it('plays button presses, edits and callback answers', async () => {
    const sent = await bot.api.sendMessage(alice.id, 'Pick one', { reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] } });
    expect(() => fake.userPresses(alice, 'no')).toThrow(/no bot message .* "no"/);
    const press = fake.userPresses(alice, 'yes');
    expect(press.callback_query).toMatchObject({ data: 'yes', from: { id: alice.id }, message: { message_id: sent.message_id, text: 'Pick one' } });

    const queryId = press.callback_query?.id ?? '';
    await expect(bot.api.answerCallbackQuery(queryId)).resolves.toBe(true);
    expect((await grammyError(bot.api.answerCallbackQuery(queryId))).description).toMatch(/query is too old/);

    const edited = await bot.api.editMessageText(alice.id, sent.message_id, 'Picked: yes');
    expect(edited).toMatchObject({ text: 'Picked: yes', message_id: sent.message_id });
    expect(edited).not.toHaveProperty('reply_markup'); // editing the text without reply_markup drops the keyboard
    expect((await grammyError(bot.api.editMessageText(alice.id, sent.message_id, 'Picked: yes'))).description).toMatch(/message is not modified/);
    expect((await grammyError(bot.api.editMessageReplyMarkup(alice.id, 9999))).description).toBe('Bad Request: message to edit not found');
  });

  it('serves getFile for photos and documents, refusing files over 20 MB', async () => {
    const photo = fake.userSendsPhoto(alice, { caption: 'the dent', fileSize: 300_000 });
    const largest = photo.message?.photo?.at(-1);
    expect(largest?.file_size).toBe(300_000);
    const file = await bot.api.getFile(largest?.file_id ?? '');
    expect(file).toMatchObject({ file_id: largest?.file_id, file_size: 300_000 });
    const download = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path ?? ''}`);
    expect((await download.arrayBuffer()).byteLength).toBe(300_000);

    const big = fake.userSendsDocument(alice, { fileName: 'video.mp4', fileSize: 25 * 1024 * 1024 });
    expect((await grammyError(bot.api.getFile(big.message?.document?.file_id ?? ''))).description).toBe('Bad Request: file is too big');

    expect(fake.userSharesContact(alice, '+4917012345678').message?.contact).toMatchObject({ phone_number: '+4917012345678', user_id: alice.id });
    expect(fake.userSendsSticker(alice).message?.sticker?.file_id).toBeTruthy();
    expect(fake.userSendsVoice(alice).message?.voice?.duration).toBe(3);
  });

  it('records the webhook, blocks getUpdates meanwhile, and delivers updates with the secret token', async () => {
    await bot.api.setWebhook('https://desk.example.com/telegram', { secret_token: 's3cret' });
    expect(fake.webhook).toEqual({ url: 'https://desk.example.com/telegram', secretToken: 's3cret' });
    expect((await grammyError(bot.api.getUpdates())).error_code).toBe(409);

    const seen: { secret: string | undefined; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: 'sendMessage', chat_id: alice.id, text: 'via webhook reply' }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const update = fake.userSays(alice, 'hello');
      const status = await fake.deliverToWebhook(update, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/telegram`);
      expect(status).toBe(200);
      expect(seen).toEqual([{ secret: 's3cret', body: JSON.stringify(update) }]);
      expect(fake.sentTo(alice.id)).toEqual([{ chat_id: alice.id, text: 'via webhook reply' }]);
      expect(fake.pendingUpdates).toEqual([]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }

    await bot.api.deleteWebhook();
    expect(fake.webhook).toBeUndefined();
  });
});

describe('bots running against FakeTelegram', () => {
  it('runs a grammY long-polling bot end to end', async () => {
    bot.command('start', (ctx) => ctx.reply(`Welcome, ${ctx.from?.first_name ?? 'stranger'}`));
    bot.on('callback_query:data', (ctx) => ctx.answerCallbackQuery());
    void bot.start({ timeout: 5 });
    try {
      fake.userSays(alice, '/start');
      const reply = await fake.waitForCall('sendMessage');
      expect(reply.params).toMatchObject({ chat_id: alice.id, text: 'Welcome, Alice' });
      expect(fake.callsTo('deleteWebhook')).toHaveLength(1);
    } finally {
      await bot.stop();
    }
    expect(fake.pendingUpdates).toEqual([]); // stop() confirmed the handled update
  });

  it("serves Telegraf's client, including a long-polling Telegraf bot", async () => {
    const telegraf = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });
    const message = await telegraf.telegram.sendMessage(alice.id, 'from telegraf', {
      reply_markup: { inline_keyboard: [[{ text: 'B', callback_data: '2.b' }]] },
    });
    expect(message).toMatchObject({ text: 'from telegraf', chat: { id: alice.id } });
    expect(fake.sentTo(alice.id)).toEqual([
      { chat_id: alice.id, text: 'from telegraf', reply_markup: { inline_keyboard: [[{ text: 'B', callback_data: '2.b' }]] } },
    ]);

    telegraf.on(messageOf('text'), (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const running = telegraf.launch();
    try {
      fake.userSays(alice, 'ping');
      await fake.waitForCall('sendMessage', (c) => c.params.text === 'echo: ping');
    } finally {
      telegraf.stop('test over');
      await running;
    }
  });
});
