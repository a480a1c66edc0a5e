import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Binary, ObjectId } from 'mongodb';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONSOLE_PASSWORD } from '../src/main.js';
import { projectRoot } from '../src/store/local/paths.js';
import { ClaimQueries } from '../src/store/claim-queries.js';
import { DeadLetterStore } from '../src/store/dead-letters.js';
import { TelegramBudgetStore } from '../src/store/telegram-budget.js';
import { WebChatStore } from '../src/store/web-chat.js';
import { FileStore } from '../src/store/files.js';
import type { Claim } from '../src/domain/lifecycle.js';
import type { Inbound } from '../flows/types.js';
import { CollectingChannel } from './support/chat.js';
import { draft, eventually } from './support/fixtures.js';
import { IVAN, LOGISTICS, MARIA, OLGA, QUALITY, SERGEY, SlackDesk, SUPPORT, TEAM } from './support/slack-desk.js';
import { ConsoleBrowser } from './support/web-console.js';
import { ChatClient, messageId, reachFilesStep } from './support/web-chat.js';

/**
 * The customer's rights over the whole desk (#26): one customer reports on Telegram, in Slack and
 * in the web chat (with an upload), staff work the claims in Slack and the console, the survey is
 * answered, a corrective action is linked, the customer sends /mydata; then staff export and erase
 * them. Afterwards no collection the app created may hold any of the customer's canary values —
 * a collection added later is listed by the database itself, so it cannot be forgotten.
 */

const CANARY = 'Zyxcanary';
const NAME = `${CANARY} Petrova`;
const PHONE_TYPED = '8 (999) 111-22-33';
const PHONE = '+79991112233';
const EMAIL = 'zyx.canary@example.com';
const TELEGRAM_ID = '770077007';
const SLACK_USER = 'U0CANARY01';
const SLACK_DM = 'D0CANARY01';
const FILE_NAME = `${CANARY}-receipt.txt`;

/** Every canary value, as it may be stored (the phone also without its plus). */
const CANARIES = [CANARY, PHONE.slice(1), EMAIL, TELEGRAM_ID, SLACK_USER, SLACK_DM];

/** A value with binary data (GridFS chunks) as text, before JSON.stringify (which would base64 it). */
function plain(value: unknown): unknown {
  if (value instanceof Binary) return Buffer.from(value.buffer).toString('latin1');
  if (value instanceof ObjectId || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
}

/** A document as text, binary data included. */
function textOf(doc: unknown): string {
  return JSON.stringify(plain(doc));
}

describe('a customer’s data across every collection (#26)', () => {
  let desk: SlackDesk;
  const telegram = new CollectingChannel();
  let visitorId = '';
  let claims: { telegram: Claim; slack: Claim; web: Claim };
  let quality: ConsoleBrowser;
  let head: ConsoleBrowser;
  let timezone = 'UTC';

  const signIn = async (staffId: string) => {
    const browser = new ConsoleBrowser(desk.app.url, undefined);
    const res = await browser.post('/console/api/login', { login: staffId, password: EXAMPLE_CONSOLE_PASSWORD });
    expect(res.status).toBe(200);
    browser.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    return browser;
  };

  /** Which collections hold a canary value, and which ones. */
  const canaryHits = async (): Promise<Record<string, string[]>> => {
    const hits: Record<string, string[]> = {};
    for (const { name } of await desk.app.db.listCollections({}, { nameOnly: true }).toArray()) {
      const docs = await desk.app.db.collection(name).find({}).toArray();
      const text = docs.map(textOf).join('\n');
      const found = CANARIES.filter((canary) => text.includes(canary));
      if (found.length > 0) hits[name] = found;
    }
    return hits;
  };

  /** Every message in the desk's Slack channels and staff's direct messages. */
  const slackTexts = (): string => {
    const channels = [SUPPORT, QUALITY, LOGISTICS, ...[OLGA, IVAN, MARIA, SERGEY].map((user) => desk.fake.dmChannelFor(user))];
    return channels.map((channel) => textOf(desk.fake.messagesIn(channel))).join('\n');
  };

  /** A report without the names and comments the erasure replaces (the statistics themselves). */
  const report = async (at: Date) => {
    const text = textOf(await new ClaimQueries(desk.app.db, { timezone }).report({}, at));
    return JSON.parse(text.replace(/"(name|text|comment)":"[^"]*"/g, '"$1":"-"')) as unknown;
  };

  beforeAll(async () => {
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    config.survey = { ...config.survey, delayMinutes: 0 };
    const configured = config.desk?.timezone;
    if (typeof configured === 'string') timezone = configured;
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'claimdesk-privacy-')), 'desk.yaml');
    await writeFile(file, stringify(config));
    desk = await SlackDesk.start({ env: { TRUST_PROXY: '1', DESK_CONFIG: file }, senders: { telegram }, surveyEvery: 300, notifications: { sweepEvery: '1 hour' } });
    const app = desk.app;
    const contact = { name: NAME, phone: PHONE_TYPED, email: EMAIL };

    // Telegram: a claim with a photo, a conversation with the customer's words, /mydata, a dead letter, a send slot
    const from = { channel: 'telegram' as const, chatId: TELEGRAM_ID, userId: TELEGRAM_ID, displayName: NAME, languageCode: 'en' };
    const say = (n: number, text: string): Inbound => ({ updateId: `tg:${String(n)}`, from, content: { type: 'text', text } });
    const onTelegram = await app.claims.submit(
      draft({ contact, description: `${CANARY}'s kettle stopped heating`, customer: { channel: 'telegram', userId: TELEGRAM_ID }, conversation: { channel: 'telegram', chatId: TELEGRAM_ID }, attachments: [{ channel: 'telegram', kind: 'photo', fileId: `Ag${CANARY}Photo` }], concerns: { product: 'Kettle KT-200', orderOrBatch: `ORD-${CANARY}` } }),
      `telegram:${TELEGRAM_ID}:submit:1`,
    );
    await app.conversations.handle(say(1, '/status'));
    await app.conversations.handle(say(2, '/mydata'));
    await app.conversations.handle(say(3, `Hello, ${CANARY} here: the new kettle leaks as well`));
    await new DeadLetterStore(app.db).record({ channel: 'telegram', chatId: TELEGRAM_ID, updateId: 'tg:99', code: 'TypeError', at: new Date() });
    await new TelegramBudgetStore(app.db).tryTake(TELEGRAM_ID, 60_000);

    // Slack: a customer writing to the bot
    const onSlack = await app.claims.submit(
      draft({ contact, description: `${CANARY} got the wrong item`, customer: { channel: 'slack', userId: SLACK_USER, teamId: TEAM }, conversation: { channel: 'slack', chatId: SLACK_DM, teamId: TEAM } }),
      `slack:${SLACK_DM}:submit:1`,
    );

    // the web chat: a dialog up to the files step, an upload, /mydata; the claim registered with the file
    const client = await ChatClient.open(app.url);
    await reachFilesStep(client, () => desk.settled());
    expect((await client.upload(Buffer.from(`receipt of ${CANARY}\n`), 'text/plain', FILE_NAME)).status).toBe(202);
    await desk.settled();
    const visitor = await new WebChatStore(app.db).visitorByTokenHash(createHash('sha256').update(client.token).digest('hex'));
    visitorId = visitor?.id ?? '';
    const [upload] = await new FileStore(app.db).listOwnedBy(visitorId);
    expect(upload?.name).toBe(FILE_NAME);
    expect((await client.say('/cancel')).status).toBe(202);
    await desk.settled();
    expect((await client.post('messages', { id: messageId(), text: '/mydata' })).status).toBe(202);
    await desk.settled();
    const onWeb = await app.claims.submit(
      draft({ contact, description: `${CANARY} typed this in the web chat`, customer: { channel: 'web', userId: visitorId }, conversation: { channel: 'web', chatId: visitorId }, attachments: [{ channel: 'web', kind: 'document', fileId: upload?.id ?? '', fileName: FILE_NAME }] }),
      `web:${visitorId}:submit:1`,
    );

    // staff work: the Telegram claim answered, resolved, surveyed (a low score and a comment), a corrective action linked
    const act = async (claim: Claim, request: Parameters<typeof app.staff.act>[2]) => {
      const result = await app.staff.act({ staffId: 'sergey' }, claim.id, request);
      expect(result.ok).toBe(true);
    };
    await act(onTelegram.claim, { action: 'take' });
    await act(onTelegram.claim, { action: 'reply', text: `Dear ${CANARY}, we are on it` });
    await act(onTelegram.claim, { action: 'note', text: `${CANARY} called twice` });
    await act(onTelegram.claim, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: `Refund for ${CANARY}` } });
    await act(onSlack.claim, { action: 'take' });
    await act(onSlack.claim, { action: 'resolve', decision: { outcome: 'rejected', reason: 'unfounded', responseText: `Sorry ${CANARY}` } });
    await eventually(async () => (await app.claims.findById(onTelegram.claim.id))?.survey?.sentAt !== undefined, 15_000);
    await app.claims.answerSurvey({ channel: 'telegram', userId: TELEGRAM_ID }, onTelegram.claim.number, { score: 2 });
    await app.claims.answerSurvey({ channel: 'telegram', userId: TELEGRAM_ID }, onTelegram.claim.number, { comment: `${CANARY} waited too long` });
    const capa = await app.capa.open({ staffId: 'maria' }, onTelegram.claim.number, { kind: 'corrective', description: 'Check the KT-200 thermostats', ownerId: 'ivan', dueAt: new Date(Date.now() + 72 * 3_600_000) });
    expect(capa.ok).toBe(true);
    await desk.settled();
    claims = { telegram: onTelegram.claim, slack: onSlack.claim, web: onWeb.claim };
    quality = await signIn('maria');
    head = await signIn('sergey');
    // a view of the personal data (audited)
    expect((await head.get(`/console/api/claims/${onTelegram.claim.number}`)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await desk.stop();
  });

  it('finds the customer by a phone typed any way, and by each channel identity', async () => {
    const byPhone = await quality.post('/console/api/customer-data/find', { by: 'phone', value: PHONE_TYPED });
    expect(byPhone.status).toBe(200);
    const found = (await byPhone.json()) as { claims: { number: string }[] };
    expect(found.claims.map((claim) => claim.number).sort()).toEqual([claims.telegram.number, claims.slack.number, claims.web.number].sort());
    for (const [by, value] of [['telegram', TELEGRAM_ID], ['slack', SLACK_USER], ['web', visitorId], ['email', EMAIL.toUpperCase()], ['number', claims.web.number]] as const) {
      const res = await quality.post('/console/api/customer-data/find', { by, value });
      expect(((await res.json()) as { claims: unknown[] }).claims, by).toHaveLength(3);
    }
  });

  it('refuses staff without the right (403 naming it), and bad input (400 naming the field)', async () => {
    const operator = await signIn('olga');
    const res = await operator.post('/console/api/customer-data/find', { by: 'phone', value: PHONE });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/customer|клиент/i);
    expect((await operator.post('/console/api/customer-data/export', { by: 'phone', value: PHONE })).status).toBe(403);
    expect((await operator.post('/console/api/customer-data/erase', { by: 'phone', value: PHONE, reason: 'x' })).status).toBe(403);
    const bad = await quality.post('/console/api/customer-data/find', { by: 'phone', value: 'call me' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('value: expected a phone number');
  });

  it('tells quality and heads of the customer’s /mydata requests in Slack, by id only', async () => {
    await desk.app.jobs.now('privacy.requests', {});
    const told = (user: string) => desk.fake.messagesIn(desk.fake.dmChannelFor(user)).filter((message) => /(request|запрос) R-[0-9a-f]{10}/.test(message.text ?? ''));
    await eventually(() => told(MARIA).length === 2 && told(SERGEY).length === 2, 10_000);
    expect(told(OLGA)).toEqual([]);
    expect(textOf(told(MARIA))).not.toContain(TELEGRAM_ID);
    expect((await quality.get('/console/api/customer-data/requests')).status).toBe(200);
    expect((await quality.get('/console/customer-data.js')).status).toBe(200);
  });

  it('exports everything held about the customer as one JSON file', async () => {
    const res = await quality.post('/console/api/customer-data/export', { by: 'telegram', value: TELEGRAM_ID });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="customer-data-/);
    const data = (await res.json()) as { claims: Claim[]; surveys: { score?: number; comment?: string }[]; webChats: { transcript: { text: string }[]; uploads: { name: string }[] }[]; conversations: { _id: string }[]; dataRequests: unknown[] };
    expect(data.claims.map((claim) => claim.number).sort()).toEqual([claims.telegram.number, claims.slack.number, claims.web.number].sort());
    expect(data.claims.find((claim) => claim.number === claims.telegram.number)?.history.length).toBeGreaterThan(3);
    expect(data.surveys).toEqual([expect.objectContaining({ score: 2, comment: `${CANARY} waited too long` })]);
    expect(data.webChats).toHaveLength(1);
    expect(data.webChats[0]?.uploads.map((upload) => upload.name)).toEqual([FILE_NAME]);
    expect(data.webChats[0]?.transcript.length).toBeGreaterThan(5);
    expect(data.conversations.map((conversation) => conversation._id).sort()).toEqual([`telegram:${TELEGRAM_ID}`, `web:${visitorId}`]);
    expect(data.dataRequests).toHaveLength(2);
  });

  it('refuses to erase a customer with an open claim, unless a head forces it; then nothing of them is left anywhere', async () => {
    const reportAt = new Date();
    const statsBefore = await report(reportAt);
    const before = await canaryHits();
    // the scan is not vacuous: the customer is in these collections before the erasure
    for (const name of ['claims', 'conversations', 'web_chat_messages', 'uploads.files', 'uploads.chunks', 'dead_letters', 'telegram_chat_slots', 'claim_submissions', 'data_requests']) expect(Object.keys(before), name).toContain(name);
    expect(slackTexts()).toContain(CANARY);

    const refused = await quality.post('/console/api/customer-data/erase', { by: 'phone', value: PHONE, reason: 'The customer asked by letter', force: true });
    expect(refused.status, await refused.clone().text()).toBe(409);
    expect(await refused.text()).toContain(claims.web.number);
    expect(await canaryHits()).toEqual(before);

    const erased = await head.post('/console/api/customer-data/erase', { by: 'phone', value: PHONE, reason: 'The customer asked by letter', force: true });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ erased: 3, forced: true });
    await desk.settled();

    expect(await canaryHits()).toEqual({});
    expect(slackTexts()).not.toContain(CANARY);
    expect(await report(reportAt)).toEqual(statsBefore);
    // the claims stay, tombstoned, with their numbers and outcomes
    const after = await desk.app.claims.findById(claims.telegram.id);
    expect(after).toMatchObject({ number: claims.telegram.number, contact: { name: '[erased]' }, decision: { outcome: 'accepted' }, survey: { score: 2, comment: '[erased]' } });
    // a second erasure finds nobody
    expect((await head.post('/console/api/customer-data/erase', { by: 'phone', value: PHONE, reason: 'again' })).status).toBe(404);
  });

  it('has recorded every export, erasure and request on the audit trail, without personal data', async () => {
    const audit = await desk.app.db.collection('audit').find({}).toArray();
    const kinds = audit.map((entry) => entry.kind as string);
    expect(kinds).toEqual(expect.arrayContaining(['sign_in', 'personal_data_viewed', 'customer_data_exported', 'customer_erased', 'data_requested']));
    expect(kinds.filter((kind) => kind === 'data_requested')).toHaveLength(2);
    expect(audit.find((entry) => entry.kind === 'customer_erased')).toMatchObject({ staffId: 'sergey', channel: 'console', forced: true, count: 3 });
    expect(audit.find((entry) => entry.kind === 'customer_data_exported')).toMatchObject({ staffId: 'maria', count: 3 });
    const text = audit.map(textOf).join('\n');
    for (const canary of [...CANARIES, visitorId]) expect(text).not.toContain(canary);
  });
});
