import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecipientUnreachableError, type SendOptions } from '../../flows/runner.js';
import type { Outbound, OutboundFile } from '../../flows/types.js';
import { SlackApi, slackErrorCode } from '../../adapters/slack/api.js';
import { SlackSender } from '../../adapters/slack/sender.js';
import { FakeSlack } from '../support/slack-api.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A staff reply with two files (#25): a PDF with a Russian name and a JPEG named without an extension. */
const pdf = Buffer.from('%PDF-1.7 акт осмотра');
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const files: OutboundFile[] = [
  { fileId: 'f-act', name: 'Акт осмотра.pdf', mimeType: 'application/pdf', sizeBytes: pdf.length },
  { fileId: 'f-dent', name: 'dent photo', mimeType: 'image/jpeg', sizeBytes: jpeg.length },
];
const reply: Outbound = { text: 'We inspected the kettle: the act and a photo are attached.', expects: 'none', files };
const withBytes: SendOptions = { bulk: true, fileBytes: new Map([['f-act', pdf], ['f-dent', jpeg]]) };

describe("a desk message's files reach the customer's Slack DM after its text", () => {
  let fake: FakeSlack;
  let sender: SlackSender;
  let dmCounter = 0;
  let dm: string;
  beforeAll(async () => {
    fake = await FakeSlack.start();
    sender = new SlackSender(new SlackApi({ token: fake.token, apiUrl: fake.url }));
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    dmCounter += 1;
    dm = `D0CUSTOMER${String(dmCounter).padStart(2, '0')}`;
  });
  const to = (threadId?: string) => ({ channel: 'slack' as const, chatId: dm, ...(threadId ? { threadId } : {}) });
  /** The calls made for this DM, in order: the message, and each upload's start (by name) and completion. */
  const callsFor = (channel: string): string[] =>
    fake.calls
      .filter((call) => call.params.channel === channel || call.params.channel_id === channel || call.method === 'files.getUploadURLExternal')
      .filter((call) => call.response?.ok === true)
      .map((call) => (call.method === 'files.getUploadURLExternal' ? `${call.method} ${String(call.params.filename)}` : call.method));

  it('one chat.postMessage, then each file uploaded into that DM with its name and bytes', async () => {
    fake.clear();
    await sender.send(to(), reply, withBytes);
    expect(callsFor(dm)).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal Акт осмотра.pdf',
      'files.completeUploadExternal',
      'files.getUploadURLExternal dent photo.jpg',
      'files.completeUploadExternal',
    ]);
    expect(fake.messagesIn(dm).map((m) => m.text)).toEqual([reply.text]);
    expect(fake.filesIn(dm).map(({ name, size, sha256, threadTs }) => ({ name, size, sha256, threadTs }))).toEqual([
      { name: 'Акт осмотра.pdf', size: pdf.length, sha256: sha256(pdf), threadTs: undefined },
      { name: 'dent photo.jpg', size: jpeg.length, sha256: sha256(jpeg), threadTs: undefined },
    ]);
  });

  it('in a thread, the files go to the same thread', async () => {
    const thread = fake.nextTs();
    await sender.send(to(thread), reply, withBytes);
    expect(fake.messagesIn(dm).map((m) => m.thread_ts)).toEqual([thread]);
    expect(fake.filesIn(dm).map((f) => f.threadTs)).toEqual([thread, thread]);
  });

  it('a permanent refusal of an upload (channel_not_found) is RecipientUnreachableError', async () => {
    fake.failNext('files.completeUploadExternal', { error: 'channel_not_found' });
    await expect(sender.send(to(), reply, withBytes)).rejects.toBeInstanceOf(RecipientUnreachableError);
    expect(fake.filesIn(dm)).toEqual([]);
  });

  it('a transient failure of an upload is thrown as is, for the job to retry', async () => {
    fake.failNext('files.getUploadURLExternal', { error: 'internal_error' });
    const failure: unknown = await sender.send(to(), reply, withBytes).then(() => undefined, (e: unknown) => e);
    expect(failure).not.toBeInstanceOf(RecipientUnreachableError);
    expect(slackErrorCode(failure)).toBe('internal_error');
    expect(fake.messagesIn(dm).map((m) => m.text)).toEqual([reply.text]);
    expect(fake.filesIn(dm)).toEqual([]);
  });

  it("a file whose bytes were not read is the caller's mistake: thrown before anything is sent", async () => {
    const calls = fake.calls.length;
    await expect(sender.send(to(), reply, { fileBytes: new Map([['f-act', pdf]]) })).rejects.toThrow(/f-dent were not read/);
    expect(fake.calls.length).toBe(calls);
  });

  it('a message without files is one chat.postMessage, as before', async () => {
    fake.clear();
    await sender.send(to(), { text: 'Your claim is in review.', expects: 'none' });
    expect(callsFor(dm)).toEqual(['chat.postMessage']);
  });
});
