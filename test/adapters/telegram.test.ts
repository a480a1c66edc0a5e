import { describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { toInput, TELEGRAM_FILE_LIMIT_BYTES } from '../../adapters/telegram/inbound.js';
import { renderTelegram, splitText, TELEGRAM_TEXT_LIMIT } from '../../adapters/telegram/outbound.js';
import { ChatUnreachableError, TelegramApiError, TelegramSender, type TelegramTransport } from '../../adapters/telegram/sender.js';

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
    expect(renderTelegram({ text: 'Phone?', expects: 'contact', shareContactLabel: 'Share' })[0]?.reply_markup).toEqual({ keyboard: [[{ text: 'Share', request_contact: true }]], resize_keyboard: true, one_time_keyboard: true });
    expect(() => renderTelegram({ text: 'x', expects: 'choice', choices: [{ id: 'x'.repeat(65), label: 'X' }] })).toThrow(RangeError);
  });
});

describe('sending to Telegram', () => {
  function scripted(failures: TelegramApiError[]) {
    const sent: { chatId: string; text: string }[] = [];
    const transport: TelegramTransport = {
      sendMessage: (chatId, message) => {
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        sent.push({ chatId, text: message.text });
        return Promise.resolve();
      },
    };
    const waits: number[] = [];
    const unreachable: string[] = [];
    const sender = new TelegramSender(transport, { sleep: (ms) => { waits.push(ms); return Promise.resolve(); }, onUnreachable: (id) => { unreachable.push(id); } });
    return { sender, sent, waits, unreachable };
  }
  const to = { channel: 'telegram', chatId: '42' } as const;
  const hello = { text: 'hello', expects: 'none' } as const;

  it('waits out a 429 for retry_after seconds, then sends', async () => {
    const t = scripted([new TelegramApiError(429, 'Too Many Requests', 3)]);
    await t.sender.send(to, hello);
    expect(t.waits).toEqual([3000]);
    expect(t.sent).toEqual([{ chatId: '42', text: 'hello' }]);
  });

  it('gives up when rate limits would exceed the cap', async () => {
    const t = scripted([new TelegramApiError(429, 'Too Many Requests', 20), new TelegramApiError(429, 'Too Many Requests', 20)]);
    await expect(t.sender.send(to, hello)).rejects.toMatchObject({ code: 429 });
    expect(t.waits).toEqual([20000]);
    expect(t.sent).toEqual([]);
  });

  it('does not retry a blocked bot (403) and reports the chat', async () => {
    const t = scripted([new TelegramApiError(403, 'Forbidden: bot was blocked by the user')]);
    await expect(t.sender.send(to, hello)).rejects.toBeInstanceOf(ChatUnreachableError);
    expect(t.unreachable).toEqual(['42']);
    expect(t.waits).toEqual([]);
  });

  it('follows migrate_to_chat_id and retries server errors with backoff', async () => {
    const t = scripted([new TelegramApiError(400, 'Bad Request: group chat was upgraded', undefined, -1001), new TelegramApiError(502, 'Bad Gateway')]);
    await t.sender.send(to, hello);
    expect(t.sent).toEqual([{ chatId: '-1001', text: 'hello' }]);
    expect(t.waits).toEqual([400]);
  });
});
