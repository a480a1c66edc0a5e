import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Telegraf } from 'telegraf';
import type { SendOptions } from '../../flows/runner.js';
import type { Outbound, OutboundFile } from '../../flows/types.js';
import { documentName } from '../../adapters/telegram/outbound.js';
import { ChatUnreachableError, TelegramNetworkError, TelegramSender } from '../../adapters/telegram/sender.js';
import { GrammyDesk } from '../../adapters/telegram-grammy/bot.js';
import { telegrafTransport } from '../../adapters/telegram-telegraf/middleware.js';
import { FakeTelegram, fakeUser, type FakeUser } from '../support/telegram-api.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A staff reply with two files (#25): a PDF with a Russian name and a PNG. */
const pdf = Buffer.from('%PDF-1.7 акт осмотра');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x2a]);
const files: OutboundFile[] = [
  { fileId: 'f-act', name: 'Акт осмотра.pdf', mimeType: 'application/pdf', sizeBytes: pdf.length },
  { fileId: 'f-dent', name: 'dent.png', mimeType: 'image/png', sizeBytes: png.length },
];
const reply: Outbound = { text: 'We inspected the kettle: the act and a photo are attached.', expects: 'none', files };
// as a dialog reply, not paced one a second per chat (bulk pacing of files: telegram-pacer.test.ts)
const withBytes: SendOptions = { fileBytes: new Map([['f-act', pdf], ['f-dent', png]]) };

/** The calls that reached a chat, in order: `text` for a message, the file name for a document. */
function deliveredTo(fake: FakeTelegram, user: FakeUser): string[] {
  return fake.calls
    .filter((call) => call.response?.ok === true && String(call.params.chat_id) === String(user.id))
    .flatMap((call) => {
      if (call.method === 'sendMessage') return [`text: ${String(call.params.text)}`];
      if (call.method === 'sendDocument') return [`document: ${String((call.params.document as { filename?: unknown } | undefined)?.filename)}`];
      return [];
    });
}

describe("a desk message's files reach Telegram as documents after its text", () => {
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
  const to = (user: FakeUser) => ({ channel: 'telegram' as const, chatId: String(user.id) });

  /** The same message through a sender, checked at the fake: one text, then the two files with their names and bytes. */
  async function expectTextThenFiles(sender: TelegramSender, user: FakeUser): Promise<void> {
    await sender.send(to(user), reply, withBytes);
    expect(deliveredTo(fake, user)).toEqual([`text: ${reply.text}`, 'document: Акт осмотра.pdf', 'document: dent.png']);
    expect(fake.documentsTo(user.id).map(({ filename, size, sha256 }) => ({ filename, size, sha256 }))).toEqual([
      { filename: 'Акт осмотра.pdf', size: pdf.length, sha256: sha256(pdf) },
      { filename: 'dent.png', size: png.length, sha256: sha256(png) },
    ]);
    // every file stays a file under its name (Telegram does not turn it into a photo or a video)
    expect(fake.callsTo('sendDocument').filter((c) => String(c.params.chat_id) === String(user.id)).map((c) => c.params.disable_content_type_detection)).toEqual([true, true]);
  }

  it('grammY: one text, then two documents with the right names and bytes', async () => {
    await expectTextThenFiles(desk.sender, fakeUser());
  });

  it("Telegraf: one text, then two documents with the right names and bytes", async () => {
    const telegram = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } }).telegram;
    await expectTextThenFiles(new TelegramSender(telegrafTransport(telegram)), fakeUser());
  });

  it('a long text goes first in all its pieces, the files after the last', async () => {
    const user = fakeUser();
    await desk.sender.send(to(user), { ...reply, text: 'word '.repeat(1000) }, withBytes);
    expect(deliveredTo(fake, user).map((line) => line.slice(0, 9))).toEqual(['text: wor', 'text: wor', 'document:', 'document:']);
  });

  it('a document refused with 429 waits retry_after, one with 5xx backs off, and each is sent once; the text is not repeated', async () => {
    const user = fakeUser();
    fake.failNext('sendDocument', { code: 429, retryAfter: 2 });
    fake.failNext('sendDocument', { code: 500 }, 2);
    await desk.sender.send(to(user), reply, withBytes);
    expect(waits).toEqual([2000, 400, 800]); // the backoff grows with the attempt, whatever failed before
    expect(deliveredTo(fake, user)).toEqual([`text: ${reply.text}`, 'document: Акт осмотра.pdf', 'document: dent.png']);
  });

  it('a connection cut during an upload is retried like a refused one', async () => {
    const user = fakeUser();
    fake.failNext('sendDocument', { code: 'reset' });
    await desk.sender.send(to(user), reply, withBytes);
    expect(waits).toEqual([200]);
    expect(fake.documentsTo(user.id).map((d) => d.filename)).toEqual(['Акт осмотра.pdf', 'dent.png']);
  });

  it('gives up on a document after the cap on attempts, naming the error', async () => {
    const user = fakeUser();
    fake.failNext('sendDocument', { code: 500 }, 4);
    await expect(desk.sender.send(to(user), reply, withBytes)).rejects.toMatchObject({ name: 'TelegramApiError', code: 500 });
    expect(waits).toEqual([200, 400, 800]);
    expect(fake.documentsTo(user.id)).toEqual([]);
  });

  it('tells each part sent but the last; a second try goes on from where the first stopped, repeating nothing', async () => {
    const user = fakeUser();
    const told: number[] = [];
    const onPart = (sent: number) => {
      told.push(sent);
      return Promise.resolve();
    };
    // the first file fails past the sender's retries: only the text went out, and that was told
    fake.failNext('sendDocument', { code: 500 }, 4);
    await expect(desk.sender.send(to(user), reply, { ...withBytes, onPart })).rejects.toMatchObject({ code: 500 });
    expect(told).toEqual([1]);
    expect(deliveredTo(fake, user)).toEqual([`text: ${reply.text}`]);
    // the retry starts at the part recorded: the text is not sent again
    await desk.sender.send(to(user), reply, { ...withBytes, fromPart: told.at(-1) ?? 0, onPart });
    expect(deliveredTo(fake, user)).toEqual([`text: ${reply.text}`, 'document: Акт осмотра.pdf', 'document: dent.png']);
    expect(told).toEqual([1, 2]);
  });

  it('a blocked bot (403) on a document is ChatUnreachableError at once, no retry', async () => {
    const user = fakeUser();
    fake.failNext('sendDocument', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    const failure = desk.sender.send(to(user), reply, withBytes);
    await expect(failure).rejects.toBeInstanceOf(ChatUnreachableError);
    await expect(failure).rejects.toMatchObject({ chatId: String(user.id) });
    expect(waits).toEqual([]);
    expect(fake.callsTo('sendDocument').filter((c) => String(c.params.chat_id) === String(user.id))).toHaveLength(1);
  });

  it('a chat that migrated on the text gets the files in the new chat', async () => {
    const user = fakeUser();
    const moved = fakeUser();
    fake.failNext('sendMessage', { code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', migrateToChatId: moved.id });
    await desk.sender.send(to(user), reply, withBytes);
    expect(deliveredTo(fake, moved)).toEqual([`text: ${reply.text}`, 'document: Акт осмотра.pdf', 'document: dent.png']);
    expect(deliveredTo(fake, user)).toEqual([]);
  });

  it("a file whose bytes were not read is the caller's mistake: thrown before anything is sent", async () => {
    const user = fakeUser();
    const calls = fake.calls.length;
    await expect(desk.sender.send(to(user), reply, { fileBytes: new Map([['f-act', pdf]]) })).rejects.toThrow(/f-dent were not read/);
    await expect(desk.sender.send(to(user), reply)).rejects.toThrow(/f-act were not read/);
    expect(fake.calls.length).toBe(calls);
  });

  it('a network failure on an upload names only its code', async () => {
    const user = fakeUser();
    fake.failNext('sendDocument', { code: 'reset' }, 4);
    const failure = desk.sender.send(to(user), reply, withBytes);
    await expect(failure).rejects.toBeInstanceOf(TelegramNetworkError);
    // Node's fetch (grammY's uploads) names a cut socket UND_ERR_SOCKET: a code, never a message
    await expect(failure).rejects.toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) as unknown });
  });
});

describe('document names', () => {
  it('carry the extension of their type, and nothing that breaks a multipart header', () => {
    expect(documentName('Акт осмотра.pdf', 'application/pdf')).toBe('Акт осмотра.pdf');
    expect(documentName('scan', 'image/jpeg')).toBe('scan.jpg');
    expect(documentName('scan"1";v2', 'application/pdf')).toBe('scan_1__v2.pdf');
    expect(documentName('../../etc/report.txt', 'text/plain')).toBe('report.txt');
    expect(documentName('line\r\nbreak.mp4', 'video/mp4')).toBe('linebreak.mp4');
    expect(documentName('', 'image/heic')).toBe('file.heic');
  });
});
