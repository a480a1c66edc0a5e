import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { ChatClient, SAMPLE_FILES } from '../support/web-chat.js';
import { LocalSmtp } from '../support/smtp.js';
import { COLLECTIONS } from '../../src/store/collections.js';
import { REPLY_FILES_BUCKET } from '../../src/store/files.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/**
 * #25: a reply to the customer with files from the console. The files are stored before the reply
 * is recorded, reach the customer in their channel (the messenger's sender gets their bytes, the
 * web chat offers them to download to that visitor only, the e-mail attaches them), and a refused
 * reply leaves no file behind.
 */

interface ClaimBody {
  claim: { status: string; version: number; history: { type: string; text: string; files?: { fileName: string; url: string; sizeBytes: number }[] }[] };
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A reply form: the text and files by name. */
function replyForm(text: string, files: readonly { readonly name: string; readonly type: string; readonly bytes: Buffer }[]): FormData {
  const form = new FormData();
  form.append('text', text);
  for (const file of files) form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
  return form;
}

const act = { name: 'act-2026-11.pdf', type: 'application/pdf', bytes: SAMPLE_FILES.pdf };
const photo = { name: 'label.png', type: 'image/png', bytes: SAMPLE_FILES.png };

describe('the web console: a reply with files (#25)', () => {
  let desk: ConsoleDesk;
  let smtp: LocalSmtp;
  let ivan: ConsoleBrowser; // specialist, quality
  let olga: ConsoleBrowser; // operator, support

  beforeAll(async () => {
    smtp = await LocalSmtp.start();
    desk = await ConsoleDesk.start({ extraEnv: { SMTP_URL: smtp.url, SMTP_FROM: 'Claims desk <desk@example.com>' } });
    [ivan, olga] = await Promise.all([desk.signIn('ivan'), desk.signIn('olga')]);
  });
  afterAll(async () => {
    await desk.stop();
    await smtp.stop();
  });

  const storedFiles = () => desk.app.db.collection(`${REPLY_FILES_BUCKET}.files`).countDocuments();
  const replyPath = (claim: Claim) => `/console/api/claims/${claim.number}/reply`;
  const submit = async (over: Parameters<typeof draft>[0], key: string) => (await desk.app.registry.submit(draft({ category: 'defect', ...over }), key)).claim;

  it('sends the files after the text to a messenger customer, with their bytes; staff download them from the history', async () => {
    const claim = await submit(telegramCustomer('7301'), 'reply-files-telegram');
    const res = await ivan.postForm(replyPath(claim), replyForm('Акт проверки и фото этикетки.', [act, photo]));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ClaimBody;
    expect(body.claim.status).toBe('new');
    const reply = body.claim.history.at(-1);
    expect(reply?.type).toBe('staff_reply');
    // the history names the files
    expect(reply?.text).toContain(t('ru', 'staff.history.reply_files', { files: '\u2068act-2026-11.pdf\u2069, \u2068label.png\u2069' }));
    expect(reply?.files?.map((file) => [file.fileName, file.sizeBytes])).toEqual([
      ['act-2026-11.pdf', act.bytes.length],
      ['label.png', photo.bytes.length],
    ]);

    await eventually(() => desk.telegram.to('7301').length === 1);
    const [sent] = desk.telegram.sent.filter((entry) => entry.to.chatId === '7301');
    expect(sent?.message.text).toBe(t('ru', 'notice.reply', { number: claim.number, text: 'Акт проверки и фото этикетки.' }));
    expect(sent?.message.files?.map((file) => [file.name, file.mimeType, file.sizeBytes])).toEqual([
      ['act-2026-11.pdf', 'application/pdf', act.bytes.length],
      ['label.png', 'image/png', photo.bytes.length],
    ]);
    expect(sent?.message.files?.map((file) => sha(sent.fileBytes?.get(file.fileId) ?? Buffer.alloc(0)))).toEqual([sha(act.bytes), sha(photo.bytes)]);
    expect((await desk.app.claims.findById(claim.id))?.firstResponseAt).toBeInstanceOf(Date);

    // staff of the claim's department download a reply's file; its bytes are what was sent
    const download = await ivan.get(reply?.files?.[0]?.url ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('act-2026-11.pdf');
    expect(sha(Buffer.from(await download.arrayBuffer()))).toBe(sha(act.bytes));
    // an id no reply of this claim holds is not served
    expect((await ivan.get(`/console/api/claims/${claim.number}/reply-files/${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('offers a web-chat customer the files to download, only to them', async () => {
    const client = await ChatClient.open(desk.app.url, 'en');
    const visitor = await desk.app.db.collection<{ _id: string }>(COLLECTIONS.webChatVisitors).findOne({ tokenHash: createHash('sha256').update(client.token).digest('hex') });
    const visitorId = visitor?._id ?? '';
    const claim = await submit({ locale: 'en', customer: { channel: 'web', userId: visitorId }, conversation: { channel: 'web', chatId: visitorId } }, 'reply-files-web');
    expect((await ivan.postForm(replyPath(claim), replyForm('The inspection report.', [act]))).status).toBe(200);

    await eventually(async () => (await client.transcript()).some((entry) => entry.from === 'desk' && (entry.text ?? '').includes('The inspection report.')));
    const line = (await client.transcript()).find((entry) => entry.from === 'desk' && (entry.text ?? '').includes('The inspection report.')) as { files?: { name: string; sizeBytes: number; url: string }[] } | undefined;
    expect(line?.files?.map((file) => [file.name, file.sizeBytes])).toEqual([['act-2026-11.pdf', act.bytes.length]]);
    const url = `${desk.app.url}${line?.files?.[0]?.url ?? ''}`;
    const mine = await fetch(url, { headers: client.auth });
    expect(mine.status).toBe(200);
    expect(sha(Buffer.from(await mine.arrayBuffer()))).toBe(sha(act.bytes));
    // another chat, or no token, gets nothing
    const stranger = await ChatClient.open(desk.app.url, 'en');
    expect((await fetch(url, { headers: stranger.auth })).status).toBe(404);
    expect((await fetch(url)).status).toBe(401);
  });

  it('attaches the files to the e-mail of a claim staff registered', async () => {
    const claim = await submit({ locale: 'en', contact: { name: 'Boris', email: 'boris.files@example.com' }, customer: { channel: 'phone', userId: `phone:${randomBytes(4).toString('hex')}` }, conversation: { channel: 'phone', chatId: `phone:${randomBytes(4).toString('hex')}` } }, 'reply-files-email');
    expect((await ivan.postForm(replyPath(claim), replyForm('Please find the report attached.', [act, photo]))).status).toBe(200);
    await eventually(() => smtp.to('boris.files@example.com').some((mail) => mail.text.includes('Please find the report attached.')));
    const mail = smtp.to('boris.files@example.com').find((candidate) => candidate.text.includes('Please find the report attached.'));
    expect(mail?.text).toContain(t('en', 'notice.offline.files', { names: 'act-2026-11.pdf, label.png' }));
    expect(mail?.attachments.map((file) => [file.filename, file.contentType, sha(file.bytes)])).toEqual([
      ['act-2026-11.pdf', 'application/pdf', sha(act.bytes)],
      ['label.png', 'image/png', sha(photo.bytes)],
    ]);
  });

  it('refuses bad files, too many or too big, a missing text and another department, storing nothing and changing nothing', async () => {
    const claim = await submit(telegramCustomer('7302'), 'reply-files-refused');
    const before = { version: (await desk.app.claims.findById(claim.id))?.version, files: await storedFiles() };
    const refused = async (who: ConsoleBrowser, form: FormData) => {
      const res = await who.postForm(replyPath(claim), form);
      return { status: res.status, message: ((await res.json()) as { message: string }).message };
    };
    // a program named like a PDF: its bytes are checked
    expect(await refused(ivan, replyForm('x', [{ name: 'act.pdf', type: 'application/pdf', bytes: SAMPLE_FILES.exe }]))).toEqual({ status: 415, message: t('ru', 'console.reply.file_type') });
    expect(await refused(ivan, replyForm('x', [{ name: 'tool.exe', type: 'application/x-msdownload', bytes: SAMPLE_FILES.exe }]))).toEqual({ status: 415, message: t('ru', 'console.reply.file_type') });
    expect(await refused(ivan, replyForm('x', Array.from({ length: 6 }, (_, i) => ({ ...photo, name: `p${String(i)}.png` }))))).toEqual({ status: 400, message: t('ru', 'console.reply.files_too_many', { count: 5 }) });
    const big = Buffer.concat([SAMPLE_FILES.pdf, Buffer.alloc(10 * 1024 * 1024)]);
    expect(await refused(ivan, replyForm('x', [{ ...act, bytes: big }]))).toEqual({ status: 413, message: t('ru', 'console.reply.file_too_big', { mb: 10 }) });
    expect(await refused(ivan, replyForm('x', [{ ...act, bytes: Buffer.alloc(0) }]))).toEqual({ status: 400, message: t('ru', 'console.reply.file_empty') });
    expect((await refused(ivan, replyForm('   ', [act]))).status).toBe(400);
    expect(await refused(olga, replyForm('from support', [act]))).toEqual({ status: 403, message: t('ru', 'staff.refused.other_department') });
    // not a form at all
    const json = await ivan.post(replyPath(claim), { action: 'reply', text: 'x' });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { message: string }).message).toBe(t('ru', 'console.reply.bad_form'));
    expect({ version: (await desk.app.claims.findById(claim.id))?.version, files: await storedFiles() }).toEqual(before);
    expect(desk.telegram.to('7302')).toEqual([]);
  });

  it('refuses a reply on a closed claim and removes the files it had stored', async () => {
    const original = await submit(telegramCustomer('7303'), 'reply-files-original');
    const claim = await submit(telegramCustomer('7303'), 'reply-files-closed');
    // closed as a duplicate: a reply is no longer possible
    expect((await desk.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'link_duplicate', original: original.number })).ok).toBe(true);
    expect((await desk.app.claims.findById(claim.id))?.status).toBe('closed');
    const files = await storedFiles();
    const res = await ivan.postForm(replyPath(claim), replyForm('Too late', [act]));
    expect(res.status).toBe(409);
    expect(await storedFiles()).toBe(files);
  });
});
