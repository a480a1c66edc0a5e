import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { t } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { BotUnderTest, TEST_BOT_TOKEN, TelegramCustomer } from '../support/telegram-bot.js';
import { ChatClient, messageId } from '../support/web-chat.js';

/**
 * Consent in the dialog (#26) through real channels: the privacy notice before the first question
 * for personal data, agreed or declined with its button; a declined report leaves nothing in the
 * database; the same version is not asked twice, a new one once.
 */

const NOTICE = { ru: 'Мы обработаем ваши данные для рассмотрения обращения (тест).', en: 'We process your data to handle your report (test notice).' };
const POLICY = 'https://example.com/privacy';

/** Writes the example desk with a privacy notice of this version. */
async function writeDesk(file: string, version: string): Promise<void> {
  const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, unknown>;
  config.privacy = { notice: NOTICE, version, policyUrl: POLICY };
  await writeFile(file, stringify(config));
}

/** The collections holding a document in which this text appears (anywhere). */
async function holding(db: Db, canary: string): Promise<string[]> {
  const found: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).toArray();
    if (docs.some((doc) => JSON.stringify(doc).includes(canary))) found.push(name);
  }
  return found;
}

describe('consent through the fake Telegram', () => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;
  let dir: string;
  let file: string;
  const database = `consent_tg_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-consent-'));
    file = path.join(dir, 'desk.yaml');
    await writeDesk(file, '2026-01');
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start('grammy-webhook', { fake, mongoUri: inject('mongoUri'), database, env: { DESK_CONFIG: file } });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const claimsOf = (c: TelegramCustomer) => bot.app.db.collection('claims').find({ 'customer.channel': 'telegram', 'customer.userId': c.chatId }).toArray();
  const conversationOf = (c: TelegramCustomer) => bot.app.db.collection<{ _id: string; stepId: string | null; answers: Record<string, unknown> }>('conversations').findOne({ _id: `telegram:${c.chatId}` });

  /** From /start to the question after the description. */
  async function toNotice(c: TelegramCustomer, description: string): Promise<void> {
    await c.says('/start');
    await c.presses(t('en', 'kind.claim'));
    await c.presses('Defective product');
    await c.says('Kettle KT-200');
    await c.presses(t('en', 'button.skip'));
    await c.says(description);
  }

  /** From the files question to the registered claim; its number. */
  async function finish(c: TelegramCustomer): Promise<string> {
    expect(c.last).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
    await c.presses(t('en', 'button.no_files'));
    await c.presses(t('en', 'remedy.replacement'));
    if (c.last === t('en', 'ask.intake.reuse', { contact: 'Anna Petrova, +79123456789' })) {
      await c.presses(t('en', 'button.reuse_contact'));
    } else {
      await c.says('Anna Petrova');
      await c.says('+7 912 345-67-89');
    }
    await c.presses(t('en', 'button.submit'));
    const number = /No\. (\d{4}-\d{6})/.exec(c.replies.join('\n'))?.[1];
    if (!number) throw new Error(`no claim number in: ${c.replies.join(' | ')}`);
    return number;
  }

  const anna = { customer: undefined as TelegramCustomer | undefined };

  it('asks before the files, re-asks politely when text is typed, and stores the consent on the claim', async () => {
    const c = new TelegramCustomer(bot, fakeUser());
    anna.customer = c;
    await toNotice(c, 'The kettle stopped heating after two days of use.');
    // the desk's own notice, with the policy's link, and the two buttons
    expect(c.last).toBe(`${NOTICE.en}\n\n${t('en', 'consent.policy', { url: POLICY })}`);
    expect(c.button(t('en', 'button.consent_agree'))).toMatch(/\.agree$/);
    expect(c.button(t('en', 'button.consent_decline'))).toMatch(/\.decline$/);
    const before = await conversationOf(c);
    expect(before?.stepId).toBe('consent');

    // typed text is no consent: a polite re-ask, and nothing written so far is lost
    await c.says('yes, fine');
    expect(c.last).toContain(t('en', 'consent.use_buttons'));
    expect(c.last).toContain(NOTICE.en);
    const after = await conversationOf(c);
    expect(after?.stepId).toBe('consent');
    expect(after?.answers).toEqual(before?.answers);
    expect(after?.answers.consent).toBeUndefined();

    const pressedAt = Date.now();
    await c.presses(t('en', 'button.consent_agree'));
    const number = await finish(c);
    const [claim] = await claimsOf(c);
    expect(claim?.number).toBe(number);
    expect(claim?.consent).toMatchObject({ version: '2026-01' });
    const at = (claim?.consent as { at: Date }).at;
    expect(at).toBeInstanceOf(Date);
    expect(Math.abs(at.getTime() - pressedAt)).toBeLessThan(60_000);
  });

  it('declining ends the report politely, deletes the conversation and keeps nothing of it', async () => {
    const c = new TelegramCustomer(bot, fakeUser());
    const canary = `canary-${randomBytes(6).toString('hex')}`;
    await toNotice(c, `The kettle stopped heating, serial ${canary}.`);
    expect(await holding(bot.app.db, canary)).toEqual(['conversations']);
    await c.presses(t('en', 'button.consent_decline'));
    expect(c.replies).toEqual([t('en', 'consent.declined')]);
    expect(await conversationOf(c)).toBeNull();
    expect(await bot.app.db.collection('processed_updates').countDocuments({ conversationId: `telegram:${c.chatId}` })).toBe(0);
    expect(await claimsOf(c)).toEqual([]);
    expect(await holding(bot.app.db, canary)).toEqual([]);
    expect(await holding(bot.app.db, 'Kettle KT-200')).toEqual(['claims']); // only the first customer's claim
    // the customer may start again at once
    await c.says('/new');
    expect(c.replies.join('\n')).toContain(t('en', 'ask.intake.kind'));
  });

  it('the same version is not asked again; a new version is asked once at the next report', async () => {
    const c = anna.customer;
    if (!c) throw new Error('the first test registers the claim');
    await toNotice(c, 'The lid does not close any more.');
    expect(c.replies.join('\n')).not.toContain(NOTICE.en);
    await finish(c);
    const second = (await claimsOf(c)).find((claim) => claim.description === 'The lid does not close any more.');
    // the consent given earlier to this version, carried to the new claim
    expect(second?.consent).toEqual((await claimsOf(c))[0]?.consent);

    await bot.stop();
    await writeDesk(file, '2026-02');
    await bot.start();
    await toNotice(c, 'The handle came off.');
    expect(c.last).toContain(NOTICE.en);
    await c.presses(t('en', 'button.consent_agree'));
    await finish(c);
    const third = (await claimsOf(c)).find((claim) => claim.description === 'The handle came off.');
    expect(third?.consent).toMatchObject({ version: '2026-02' });
    // asked once: the next report goes straight on
    await toNotice(c, 'The base wobbles on the table.');
    expect(c.replies.join('\n')).not.toContain(NOTICE.en);
    expect(c.last).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
  });
});

describe('consent in the web chat', () => {
  let app: App;
  let dir: string;
  let file: string;
  const database = `consent_web_${randomBytes(4).toString('hex')}`;
  const env = () => ({ MONGODB_URI: `${inject('mongoUri')}${database}`, PORT: '0', HOST: '127.0.0.1', DESK_CONFIG: file });
  const options = { log: createLogger('warn', () => undefined), jobsEveryMs: 200, notifications: { sweepEvery: '1 hour' }, slaEvery: '1 hour', digestEvery: false as const, webChat: { sessionsPerMinutePerAddress: 60 } };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-consent-web-'));
    file = path.join(dir, 'desk.yaml');
    await writeDesk(file, 'web-1');
    app = await startApp({ env: env(), ...options });
  });
  afterAll(async () => {
    await app.db.dropDatabase();
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const settled = async () => {
    for (let round = 0; round < 2; round++) {
      await app.idle();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const accepted = async (res: Promise<Response>) => {
    const answer = await res;
    expect(answer.status, await answer.clone().text()).toBe(202);
    await settled();
  };
  const lastText = async (client: ChatClient) => (await client.lastDesk())?.text ?? '';

  async function toNotice(client: ChatClient, description: string): Promise<void> {
    await accepted(client.post('messages', { id: messageId(), text: '/new' }));
    await accepted(client.press(t('en', 'kind.claim')));
    await accepted(client.press('Defective product'));
    await accepted(client.say('Kettle KT-200'));
    await accepted(client.press(t('en', 'button.skip')));
    await accepted(client.say(description));
  }

  async function finish(client: ChatClient): Promise<void> {
    expect(await lastText(client)).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
    await accepted(client.press(t('en', 'button.no_files')));
    await accepted(client.press(t('en', 'remedy.replacement')));
    if ((await lastText(client)).startsWith(t('en', 'ask.intake.reuse', { contact: '' }).slice(0, 20))) {
      await accepted(client.press(t('en', 'button.reuse_contact')));
    } else {
      await accepted(client.say('Anna Petrova'));
      await accepted(client.say('anna@example.com'));
    }
    await accepted(client.press(t('en', 'button.submit')));
    expect(await lastText(client)).toMatch(/No\. \d{4}-\d{6}/);
  }

  const conversations = () => app.db.collection('conversations');

  it('agreed with the web button: on the claim; the same version not asked again, a new one once', async () => {
    let client = await ChatClient.open(app.url, 'en-GB');
    await toNotice(client, 'The kettle stopped heating after two days of use.');
    const notice = await client.lastDesk();
    expect(notice?.text).toContain(NOTICE.en);
    expect(notice?.choices?.map((choice) => choice.label)).toEqual([t('en', 'button.consent_agree'), t('en', 'button.consent_decline'), t('en', 'button.back')]);
    await accepted(client.say('ok'));
    expect(await lastText(client)).toContain(t('en', 'consent.use_buttons'));
    await accepted(client.press(t('en', 'button.consent_agree')));
    await finish(client);
    const [claim] = await app.db.collection('claims').find({ 'customer.channel': 'web' }).toArray();
    expect(claim?.consent).toMatchObject({ version: 'web-1' });

    await toNotice(client, 'The lid does not close any more.');
    expect(await lastText(client)).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
    await finish(client);

    await app.stop();
    await writeDesk(file, 'web-2');
    app = await startApp({ env: env(), ...options });
    // the same visitor (token) on the restarted desk
    client = ChatClient.of(app.url, client.token);
    await toNotice(client, 'The handle came off.');
    expect(await lastText(client)).toContain(NOTICE.en);
    await accepted(client.press(t('en', 'button.consent_agree')));
    await finish(client);
    const versions = (await app.db.collection('claims').find({ 'customer.channel': 'web' }).sort({ createdAt: 1 }).toArray()).map((c) => (c.consent as { version: string }).version);
    expect(versions).toEqual(['web-1', 'web-1', 'web-2']);
  });

  it('declined: the conversation is deleted, no claim, nothing of the report stored, not even in the chat window\'s transcript', async () => {
    const client = await ChatClient.open(app.url, 'en-GB');
    const canary = `canary-${randomBytes(6).toString('hex')}`;
    const claimsBefore = await app.db.collection('claims').countDocuments();
    await toNotice(client, `The kettle stopped heating, serial ${canary}.`);
    const visitor = (await app.db.collection('conversations').find({ 'answers.description': { $regex: canary } }).toArray())[0];
    expect(visitor).toBeDefined();
    await accepted(client.press(t('en', 'button.consent_decline')));
    expect(await lastText(client)).toBe(t('en', 'consent.declined'));
    expect(await conversations().findOne({ _id: visitor?._id })).toBeNull();
    expect(await app.db.collection('processed_updates').countDocuments({ conversationId: visitor?._id })).toBe(0);
    expect(await app.db.collection('claims').countDocuments()).toBe(claimsBefore);
    // the chat window's own transcript keeps the desk's answers, none of the customer's words
    expect(await holding(app.db, canary)).toEqual([]);
    const visitorId = String(visitor?._id).replace(/^web:/, '');
    const lines = await app.db.collection('web_chat_messages').find({ visitorId }).toArray();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.from === 'customer')).toEqual([]);
    expect(lines.some((line) => line.text === t('en', 'consent.declined'))).toBe(true);
  });
});
