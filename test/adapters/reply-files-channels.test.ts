import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { BotUnderTest, TEST_BOT_TOKEN } from '../support/telegram-bot.js';
import { SlackDesk, TEAM } from '../support/slack-desk.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { SAMPLE_FILES } from '../support/web-chat.js';
import { FileStore, REPLY_FILES_BUCKET } from '../../src/store/files.js';
import { t } from '../../src/i18n/index.js';
import type { Attachment } from '../../src/domain/claim.js';
import type { App } from '../../src/main.js';

/**
 * #25 end to end: a staff reply with files, recorded through the staff desk (the console's path
 * once its form is stored), reaches the customer through the notification job and the channel's
 * real library — the text, then each file — against the fake Bot API and the fake Slack Web API.
 */

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Stores files as the console does, and the reply's attachments for them. */
async function storedFiles(app: App, claimId: string): Promise<Attachment[]> {
  const store = new FileStore(app.db, REPLY_FILES_BUCKET);
  const files = [
    { name: 'act.pdf', type: 'application/pdf', bytes: SAMPLE_FILES.pdf, kind: 'document' as const },
    { name: 'label.png', type: 'image/png', bytes: SAMPLE_FILES.png, kind: 'photo' as const },
  ];
  return Promise.all(
    files.map(async (file) => ({
      channel: 'web' as const,
      kind: file.kind,
      fileId: await store.put({ bytes: file.bytes, fileName: file.name, mimeType: file.type, ownerId: 'staff:ivan', target: `claim:${claimId}` }),
      fileName: file.name,
      mimeType: file.type,
      sizeBytes: file.bytes.length,
    })),
  );
}

describe('a reply with files reaches a Telegram customer (grammY against the fake Bot API)', () => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start('grammy-polling', { fake, mongoUri: inject('mongoUri'), database: `tg_reply_files_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  it('sends the text, then each file as a document with its name and bytes; delivery is recorded once', async () => {
    const user = fakeUser();
    const { claim } = await bot.app.registry.submit(draft({ ...telegramCustomer(String(user.id)), locale: 'en' }), 'tg-reply-files');
    const files = await storedFiles(bot.app, claim.id);
    const result = await bot.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'reply', text: 'The inspection report and the label.' }, { files });
    expect(result.ok).toBe(true);
    await eventually(() => fake.documentsTo(user.id).length === 2, 15_000);
    expect(fake.sentTo(user.id).map((message) => message.text)).toEqual([t('en', 'notice.reply', { number: claim.number, text: 'The inspection report and the label.' })]);
    expect(fake.documentsTo(user.id).map((file) => [file.filename, file.size, file.sha256])).toEqual([
      ['act.pdf', SAMPLE_FILES.pdf.length, sha(SAMPLE_FILES.pdf)],
      ['label.png', SAMPLE_FILES.png.length, sha(SAMPLE_FILES.png)],
    ]);
    // the text went before the documents
    const calls = fake.calls.filter((call) => ['sendMessage', 'sendDocument'].includes(call.method) && String(call.params.chat_id) === String(user.id)).map((call) => call.method);
    expect(calls).toEqual(['sendMessage', 'sendDocument', 'sendDocument']);
    await eventually(async () => (await bot.app.claims.findById(claim.id))?.history.at(-1)?.deliveredAt !== undefined);
  });
});

describe('a reply with files whose upload fails for a while (grammY against the fake Bot API)', () => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start('grammy-polling', { fake, mongoUri: inject('mongoUri'), database: `tg_reply_retry_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  it('the job retries from the part it stopped at: the customer gets the text once and each file once', async () => {
    const user = fakeUser();
    const { claim } = await bot.app.registry.submit(draft({ ...telegramCustomer(String(user.id)), locale: 'en' }), 'tg-reply-retry');
    const files = await storedFiles(bot.app, claim.id);
    // the first upload fails past the sender's own retries: the text went out, the job tries again later
    fake.failNext('sendDocument', { code: 500, description: 'Internal Server Error' }, 4);
    expect((await bot.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'reply', text: 'Two files follow.' }, { files })).ok).toBe(true);
    await eventually(async () => (await bot.app.claims.findById(claim.id))?.history.at(-1)?.deliveredParts === 1, 15_000);
    await eventually(() => fake.documentsTo(user.id).length === 2, 20_000);
    expect(fake.sentTo(user.id).map((message) => message.text)).toEqual([t('en', 'notice.reply', { number: claim.number, text: 'Two files follow.' })]);
    expect(fake.documentsTo(user.id).map((file) => file.filename)).toEqual(['act.pdf', 'label.png']);
    await eventually(async () => (await bot.app.claims.findById(claim.id))?.history.at(-1)?.deliveredAt !== undefined);
  });
});

describe('a reply with files reaches a Slack customer in their DM', () => {
  let desk: SlackDesk;

  beforeAll(async () => {
    desk = await SlackDesk.start();
  });
  afterAll(() => desk.stop());

  it('posts the text, then shares each file in the DM with its name and bytes', async () => {
    const dm = desk.fake.dmChannelFor('U0FILES001');
    const { claim } = await desk.app.registry.submit(draft({ customer: { channel: 'slack', userId: 'U0FILES001', teamId: TEAM }, conversation: { channel: 'slack', chatId: dm, teamId: TEAM }, locale: 'en' }), 'slack-reply-files');
    const files = await storedFiles(desk.app, claim.id);
    expect((await desk.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'reply', text: 'Attached.' }, { files })).ok).toBe(true);
    await eventually(() => desk.fake.filesIn(dm).length === 2, 15_000);
    // the reply's text (Slack names its command as `/claimdesk add`)
    expect(desk.fake.messagesIn(dm).map((message) => message.text)).toEqual([t('en', 'notice.reply', { number: claim.number, text: 'Attached.' }).replace('/add', '/claimdesk add')]);
    expect(desk.fake.filesIn(dm).map((file) => [file.name, file.size, file.sha256])).toEqual([
      ['act.pdf', SAMPLE_FILES.pdf.length, sha(SAMPLE_FILES.pdf)],
      ['label.png', SAMPLE_FILES.png.length, sha(SAMPLE_FILES.png)],
    ]);
  });
});
