import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { FakeTelegram, type FakeUser } from '../support/telegram-api.js';
import { FakeSlack } from '../support/slack-api.js';
import { TEST_SIGNING_SECRET } from '../support/slack-requests.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Attachment } from '../../src/domain/claim.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/** #25 "Files from every channel": Telegram and Slack files opened from the console, fetched on demand from the fake channels. */

const TELEGRAM_TOKEN = '123456:AAEfakeTokenForConsoleFiles_000001';
const SLACK_TOKEN = 'xoxb-console-files-token';

describe('channel files in the console (#25)', () => {
  let desk: ConsoleDesk;
  let telegram: FakeTelegram;
  let slack: FakeSlack;
  let ivan: ConsoleBrowser; // specialist, quality: sees the claim's personal data
  let olga: ConsoleBrowser; // operator, support: does not
  let claim: Claim;
  let receipt: Attachment; // Telegram, 50 kB pdf
  let photo: Attachment; // Slack, 30 kB png
  let huge: Attachment; // Telegram, over its 20 MB bot limit
  let gone: Attachment; // Telegram, then forgotten
  let deleted: Attachment; // Slack, then deleted

  const customer: FakeUser = { id: 7501, firstName: 'Anna' };
  const telegramDocument = (fileName: string, fileSize: number): Attachment => {
    const update = telegram.userSendsDocument(customer, { fileName, fileSize });
    const document = update.message?.document;
    if (!document) throw new Error('the fake sends a document');
    return { channel: 'telegram', kind: 'document', fileId: document.file_id, fileName, mimeType: document.mime_type ?? 'application/octet-stream', sizeBytes: fileSize };
  };
  const slackFile = (name: string, mimetype: string, size: number): Attachment => ({ channel: 'slack', kind: 'photo', fileId: slack.addFile({ name, mimetype, size }), fileName: name, mimeType: mimetype, sizeBytes: size });
  const path = (file: Attachment) => `/console/api/claims/${claim.number}/files/${encodeURIComponent(file.fileId)}`;
  const downloads = () => desk.app.db.collection('audit').countDocuments({ kind: 'file_downloaded', claimId: claim.id });

  beforeAll(async () => {
    [telegram, slack] = await Promise.all([FakeTelegram.start({ token: TELEGRAM_TOKEN }), FakeSlack.start({ token: SLACK_TOKEN })]);
    desk = await ConsoleDesk.start({
      runTelegramBot: false,
      extraEnv: { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_API_ROOT: telegram.url, SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: slack.url },
    });
    [ivan, olga] = await Promise.all([desk.signIn('ivan'), desk.signIn('olga')]);
    receipt = telegramDocument('чек.pdf', 50_000);
    huge = telegramDocument('video.mp4', 25 * 1024 * 1024);
    gone = telegramDocument('old.pdf', 1_000);
    photo = slackFile('scratch.png', 'image/png', 30_000);
    deleted = slackFile('removed.png', 'image/png', 2_000);
    claim = (await desk.app.registry.submit(draft({ category: 'defect', attachments: [receipt, huge, gone, photo, deleted], ...telegramCustomer('7501') }), 'console-channel-files-1')).claim;
  });
  afterAll(async () => {
    await desk.stop();
    await Promise.all([telegram.close(), slack.stop()]);
  });

  it('links every Telegram and Slack file on the claim page', async () => {
    const body = (await (await ivan.get(`/console/api/claims/${claim.number}`)).json()) as { claim: { attachments: { channel: string; url: string | null }[] } };
    expect(body.claim.attachments.map((file) => [file.channel, file.url])).toEqual([receipt, huge, gone, photo, deleted].map((file) => [file.channel, path(file)]));
  });

  it('streams a Telegram file from the Bot API (getFile, then the download), recorded, never stored', async () => {
    const before = await downloads();
    const res = await ivan.get(path(receipt));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('чек.pdf')}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(50_000);
    expect(bytes.every((byte) => byte === 0x2a)).toBe(true);
    expect(telegram.calls.filter((call) => call.method === 'getFile').map((call) => call.params.file_id)).toContain(receipt.fileId);
    expect(await downloads()).toBe(before + 1);
    expect(await desk.app.db.collection('uploads.files').countDocuments()).toBe(0);
  });

  it('streams a Slack file from its private URL with the bot token', async () => {
    const res = await ivan.get(path(photo));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await res.arrayBuffer()).byteLength).toBe(30_000);
    expect(slack.callsTo('files.info').map((call) => call.params.file)).toContain(photo.fileId);
  });

  it('answers clearly when the channel no longer has the file, or it is over the limit', async () => {
    telegram.forgetFile(gone.fileId);
    const missing = await ivan.get(path(gone));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'file_gone', message: t('ru', 'console.file.gone', { channel: 'Telegram' }) });
    slack.deleteFile(deleted.fileId);
    const removed = await ivan.get(path(deleted));
    expect(removed.status).toBe(404);
    expect(await removed.json()).toEqual({ error: 'file_gone', message: t('ru', 'console.file.gone', { channel: 'Slack' }) });
    const big = await ivan.get(path(huge));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'file_too_big', message: t('ru', 'console.file.too_big', { mb: 20 }) });
  });

  it('answers 502 when the channel fails, and tells to try again', async () => {
    telegram.failNext('getFile', { code: 500 });
    const res = await ivan.get(path(receipt));
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'channel_unavailable', message: t('ru', 'console.file.unavailable', { channel: 'Telegram' }) });
  });

  it('refuses a member who may not see the claim’s personal data, and strangers, without asking the channel', async () => {
    const asked = telegram.calls.length + slack.calls.length;
    const before = await downloads();
    const refused = await olga.get(path(receipt));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('missing_right');
    expect((await olga.get(path(photo))).status).toBe(403);
    expect((await desk.anonymous().get(path(receipt))).status).toBe(401);
    // a file id that is not on this claim
    expect((await ivan.get(`/console/api/claims/${claim.number}/files/${encodeURIComponent('BQACAgIAAxkBAAIsomethingelse')}`)).status).toBe(404);
    expect(telegram.calls.length + slack.calls.length).toBe(asked);
    expect(await downloads()).toBe(before);
  });
});
