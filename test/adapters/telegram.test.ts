import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { toInput, TELEGRAM_FILE_LIMIT_BYTES } from '../../adapters/telegram/inbound.js';
import { renderTelegram, splitText, TELEGRAM_TEXT_LIMIT } from '../../adapters/telegram/outbound.js';
import { Telegraf } from 'telegraf';
import { ChatUnreachableError, TelegramNetworkError } from '../../adapters/telegram/sender.js';
import { neutral as telegrafNeutral } from '../../adapters/telegram-telegraf/middleware.js';
import { GrammyDesk } from '../../adapters/telegram-grammy/bot.js';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';

const user = { id: 42, is_bot: false, first_name: 'Anna', last_name: 'Petrova', language_code: 'ru' } as const;
const chat = { id: 42, type: 'private', first_name: 'Anna' } as const;
const message = (extra: Record<string, unknown>, update_id = 1): Update => (({ update_id, message: { message_id: 7, date: 0, chat, from: user, ...extra } }));

describe('Telegram updates become the desk\'s inbound messages', () => {
  it('text and commands, with who wrote and their language', () => {
    expect(toInput(message({ text: '/start' }, 1001))).toEqual({
      kind: 'input',
      inbound: { updateId: 'tg:1001', from: { channel: 'telegram', chatId: '42', userId: '42', displayName: 'Anna Petrova', languageCode: 'ru' }, content: { type: 'text', text: '/start' } },
    });
  });

  it('a button press, with the query id to answer', () => {
    const update = { update_id: 5, callback_query: { id: 'cq1', from: user, chat_instance: 'x', data: '3.refund', message: { message_id: 9, date: 0, chat } } } as unknown as Update;
    expect(toInput(update)).toMatchObject({ kind: 'input', callbackQueryId: 'cq1', inbound: { content: { type: 'choice', choiceId: '3.refund' }, from: { chatId: '42' } } });
  });

  it('a shared contact, the largest photo size, a document with a safe file name', () => {
    expect(toInput(message({ contact: { phone_number: '79123456789', first_name: 'Anna' } }))).toMatchObject({ inbound: { content: { type: 'contact', phone: '79123456789', name: 'Anna' } } });
    const photo = toInput(message({ caption: 'broken', photo: [{ file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 1000 }, { file_id: 'big', file_unique_id: 'b', width: 1280, height: 1280, file_size: 200000 }] }));
    expect(photo).toMatchObject({ inbound: { content: { type: 'files', caption: 'broken', attachments: [{ kind: 'photo', fileId: 'big', sizeBytes: 200000 }] } } });
    const doc = toInput(message({ document: { file_id: 'd1', file_unique_id: 'u', file_name: '../../etc/passwd\u0000.pdf', mime_type: 'application/pdf', file_size: 5000 } }));
    expect(doc).toMatchObject({ inbound: { content: { type: 'files', attachments: [{ kind: 'document', fileId: 'd1', fileName: 'passwd.pdf', mimeType: 'application/pdf' }] } } });
  });

  it('a file over Telegram\'s 20 MB getFile limit is refused, not stored', () => {
    const big = toInput(message({ document: { file_id: 'd2', file_unique_id: 'u', file_name: 'video.mp4', file_size: TELEGRAM_FILE_LIMIT_BYTES + 1 } }));
    expect(big).toMatchObject({ inbound: { content: { type: 'unsupported', what: 'file_too_large' } } });
  });

  it('stickers and voice are unsupported input; edits, groups and membership changes are skipped', () => {
    expect(toInput(message({ sticker: { file_id: 's' } }))).toMatchObject({ inbound: { content: { type: 'unsupported', what: 'sticker' } } });
    expect(toInput(message({ voice: { file_id: 'v', duration: 3 } }))).toMatchObject({ inbound: { content: { type: 'unsupported', what: 'voice' } } });
    expect(toInput({ update_id: 2, edited_message: { message_id: 7, date: 0, edit_date: 1, chat, from: user, text: 'x' } })).toEqual({ kind: 'ignore', reason: 'edited' });
    expect(toInput(message({ text: 'hi', chat: { id: -100, type: 'group', title: 'g' } }))).toEqual({ kind: 'ignore', reason: 'not_private' });
    expect(toInput({ update_id: 3, my_chat_member: {} } as unknown as Update)).toEqual({ kind: 'ignore', reason: 'membership' });
  });
});

describe('desk messages rendered for Telegram', () => {
  it('split under 4096 characters without losing text or cutting an emoji', () => {
    const text = `${'word '.repeat(1500)}${'😀'.repeat(3000)}`;
    const pieces = splitText(text);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    expect(pieces.every((piece) => !/[\ud800-\udbff]$/.test(piece))).toBe(true);
  });

  it('plain text (no parse mode) with choices as an inline keyboard on the last piece', () => {
    const rendered = renderTelegram({ text: '<b>x</b> *y*', expects: 'choice', choices: [{ id: '1.a', label: 'A' }, { id: '1.b', label: 'B' }] });
    expect(rendered).toEqual([{ text: '<b>x</b> *y*', reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: '1.a' }], [{ text: 'B', callback_data: '1.b' }]] } }]);
    expect(rendered[0]).not.toHaveProperty('parse_mode');
  });

  it('a phone question gets a "share my phone" keyboard; an over-long callback id is refused', () => {
    const keyboard = { keyboard: [[{ text: 'Share', request_contact: true }]], resize_keyboard: true, one_time_keyboard: true };
    const shareContact = { label: 'Share', hint: 'Or share it' };
    expect(renderTelegram({ text: 'Phone?', expects: 'contact', shareContact })).toEqual([{ text: 'Phone?', reply_markup: keyboard }]);
    // with a "Back" button of its own, the question keeps it and the share button follows
    expect(renderTelegram({ text: 'Phone?', expects: 'contact', shareContact, choices: [{ id: '4.back', label: 'Back' }] })).toEqual([
      { text: 'Phone?', reply_markup: { inline_keyboard: [[{ text: 'Back', callback_data: '4.back' }]] } },
      { text: 'Or share it', reply_markup: keyboard },
    ]);
    expect(() => renderTelegram({ text: 'x', expects: 'choice', choices: [{ id: 'x'.repeat(65), label: 'X' }] })).toThrow(RangeError);
  });
});

describe('sending to Telegram (grammY against the fake Bot API)', () => {
  let fake: FakeTelegram;
  const waits: number[] = [];
  let desk: GrammyDesk;
  beforeAll(async () => {
    fake = await FakeTelegram.start();
    desk = new GrammyDesk({ token: fake.token, apiRoot: fake.url, sender: { sleep: (ms) => { waits.push(ms); return Promise.resolve(); } } });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    waits.length = 0;
  });

  const hello = { text: 'hello', expects: 'none' } as const;
  const attemptsTo = (chatId: string) => fake.callsTo('sendMessage').filter((call) => String(call.params.chat_id) === chatId);

  it('waits out a 429 for retry_after seconds, then sends', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 429, retryAfter: 3 });
    await desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello);
    expect(waits).toEqual([3000]);
    expect(fake.sentTo(user.id).map((m) => m.text)).toEqual(['hello']);
  });

  it('gives up when rate limits would exceed the cap on total wait', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 429, retryAfter: 20 }, 2);
    await expect(desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello)).rejects.toMatchObject({ code: 429 });
    expect(waits).toEqual([20000]);
    expect(attemptsTo(String(user.id))).toHaveLength(2);
  });

  it('gives up after the cap on attempts when the server keeps failing, backing off in between', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 500 }, 4);
    await expect(desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello)).rejects.toMatchObject({ code: 500 });
    expect(waits).toEqual([200, 400, 800]);
    expect(attemptsTo(String(user.id))).toHaveLength(4);
  });

  it('retries a connection cut before any answer (a reset keep-alive connection), and sends once', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 'reset' }, 2);
    await desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello);
    expect(waits).toEqual([200, 400]);
    expect(attemptsTo(String(user.id))).toHaveLength(3);
    expect(fake.sentTo(user.id).map((m) => m.text)).toEqual(['hello']);
  });

  it('gives up on a connection that keeps failing after the cap on attempts, naming only the error code', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 'reset' }, 4);
    const failure = desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello);
    await expect(failure).rejects.toBeInstanceOf(TelegramNetworkError);
    await expect(failure).rejects.toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) as unknown });
    expect(waits).toEqual([200, 400, 800]);
    expect(fake.sentTo(user.id)).toEqual([]);
  });

  it('Telegraf\'s cut connection maps to the same network error the sender retries', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 'reset' });
    const telegram = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } }).telegram;
    const error: unknown = await telegram.sendMessage(user.id, 'hello').then(() => undefined, (e: unknown) => e);
    expect(telegrafNeutral(error)).toBeInstanceOf(TelegramNetworkError);
    // a refusal by Telegram stays an API error
    fake.failNext('sendMessage', { code: 500 });
    const refused: unknown = await telegram.sendMessage(user.id, 'hello').then(() => undefined, (e: unknown) => e);
    expect(telegrafNeutral(refused)).toMatchObject({ name: 'TelegramApiError', code: 500 });
  });

  it('does not retry a blocked bot (403)', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    fake.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello)).rejects.toBeInstanceOf(ChatUnreachableError);
    expect(waits).toEqual([]);
    expect(attemptsTo(String(user.id))).toHaveLength(1);
  });

  it('follows migrate_to_chat_id to the new chat', async () => {
    const user = fakeUser();
    const moved = fakeUser();
    fake.userSays(user, 'hi');
    fake.userSays(moved, 'hi');
    fake.failNext('sendMessage', { code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', migrateToChatId: moved.id });
    await desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, hello);
    expect(fake.sentTo(moved.id).map((m) => m.text)).toEqual(['hello']);
    expect(fake.sentTo(user.id)).toEqual([]);
  });

  it('sends a long text as several messages, the buttons on the last', async () => {
    const user = fakeUser();
    fake.userSays(user, 'hi');
    await desk.sender.send({ channel: 'telegram', chatId: String(user.id) }, { text: 'word '.repeat(2000), expects: 'choice', choices: [{ id: '1.ok', label: 'OK' }] });
    const sent = fake.sentTo(user.id);
    expect(sent.length).toBe(3);
    expect(sent.map((m) => m.reply_markup === undefined)).toEqual([true, true, false]);
  });
});
