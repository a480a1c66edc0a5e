import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel, isValidSlackRequest, webApi } from '@slack/bolt';
import { FakeSlack } from './slack-api.js';
import {
  TEST_SIGNING_SECRET,
  blockActionsPayload,
  commandBody,
  dmMessageEvent,
  eventBody,
  interactionBody,
  sendSigned,
  viewSubmissionPayload,
} from './slack-requests.js';

const { WebClient, ErrorCode } = webApi;

let fake: FakeSlack;
let client: webApi.WebClient;

beforeEach(async () => {
  fake = await FakeSlack.start();
  client = new WebClient(fake.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
});

afterEach(async () => {
  await fake.stop();
});

/** What a call rejects with. */
async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

const blocks = [
  { type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: '*Claim* C-1' } },
  { type: 'actions', block_id: 'b', elements: [{ type: 'button', action_id: 'take', value: 'C-1', text: { type: 'plain_text', text: 'Take' } }] },
];

describe('FakeSlack with WebClient', () => {
  it('answers auth.test with the bot identity', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: 'T0TEST0001', user_id: 'U0BOT00001', bot_id: 'B0BOT00001', is_enterprise_install: false });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
    expect(fake.calls[0]?.response).toMatchObject({ ok: true });
  });

  it('posts, updates and shows the current message in messagesIn', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0STAFF001', text: 'New claim C-1' });
    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe('C0STAFF001');
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message).toMatchObject({ type: 'message', text: 'New claim C-1', user: 'U0BOT00001', bot_id: 'B0BOT00001', ts: posted.ts });

    const ts = posted.ts ?? '';
    const reply = await client.chat.postMessage({ channel: 'C0STAFF001', text: 'a note', thread_ts: ts });
    expect(Number(reply.ts)).toBeGreaterThan(Number(ts));

    const updated = await client.chat.update({ channel: 'C0STAFF001', ts, text: 'Claim C-1 (taken)' });
    expect(updated).toMatchObject({ ok: true, channel: 'C0STAFF001', ts, text: 'Claim C-1 (taken)' });

    const messages = fake.messagesIn('C0STAFF001');
    expect(messages.map((m) => [m.text, m.thread_ts])).toEqual([['Claim C-1 (taken)', undefined], ['a note', ts]]);
    expect(fake.messagesIn('C0OTHER001')).toEqual([]);

    const missing = await rejection(client.chat.update({ channel: 'C0STAFF001', ts: '1.000001', text: 'x' }));
    expect(field(field(missing, 'data'), 'error')).toBe('message_not_found');
  });

  it('keeps blocks as objects through the round trip', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0STAFF001', text: 'Claim C-1', blocks });
    expect(posted.message?.blocks).toEqual(blocks);
    const call = await fake.waitForCall('chat.postMessage');
    expect(call.params.blocks).toEqual(blocks);
    expect(call.params.text).toBe('Claim C-1');
    expect(fake.messagesIn('C0STAFF001')[0]?.blocks).toEqual(blocks);

    const newBlocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'done' } }];
    await client.chat.update({ channel: 'C0STAFF001', ts: posted.ts ?? '', text: 'done', blocks: newBlocks });
    expect(fake.messagesIn('C0STAFF001')[0]).toMatchObject({ text: 'done', blocks: newBlocks });
  });

  it('keeps a JSON-looking text a string', async () => {
    await client.chat.postMessage({ channel: 'C0STAFF001', text: '[1, 2]' });
    expect(fake.messagesIn('C0STAFF001')[0]?.text).toBe('[1, 2]');
  });

  it('rejects a wrong token with invalid_auth', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    const error = await rejection(wrong.chat.postMessage({ channel: 'C0STAFF001', text: 'hi' }));
    expect(field(error, 'code')).toBe(ErrorCode.PlatformError);
    expect(field(field(error, 'data'), 'error')).toBe('invalid_auth');
    expect(fake.messagesIn('C0STAFF001')).toEqual([]);
  });

  it('answers unknown methods with unknown_method', async () => {
    const error = await rejection(client.apiCall('claims.frobnicate'));
    expect(field(field(error, 'data'), 'error')).toBe('unknown_method');
  });

  it('requires a channel for chat.postMessage', async () => {
    const error = await rejection(client.apiCall('chat.postMessage', { text: 'nowhere' }));
    expect(field(field(error, 'data'), 'error')).toBe('channel_not_found');
  });

  it('rate-limits with 429 and Retry-After', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const rejecting = new WebClient(fake.token, { slackApiUrl: fake.url, rejectRateLimitedCalls: true });
    const error = await rejection(rejecting.chat.postMessage({ channel: 'C0STAFF001', text: 'hi' }));
    expect(field(error, 'code')).toBe('slack_webapi_rate_limited_error');
    expect(field(error, 'retryAfter')).toBe(1);
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ status: 429, response: { ok: false, error: 'ratelimited' } });

    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const patient = new WebClient(fake.token, { slackApiUrl: fake.url, retryConfig: { retries: 1 }, logLevel: LogLevel.ERROR });
    const started = Date.now();
    const posted = await patient.chat.postMessage({ channel: 'C0STAFF001', text: 'hi again' });
    expect(posted.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 429, 200]);
    expect(fake.messagesIn('C0STAFF001').map((m) => m.text)).toEqual(['hi again']);
  });

  it('injects failures per method, consumed in order', async () => {
    fake.failNext('chat.postMessage', { error: 'is_archived' });
    fake.failNext('chat.postMessage', { status: 500 });
    const first = await rejection(client.chat.postMessage({ channel: 'C0STAFF001', text: '1' }));
    expect(field(field(first, 'data'), 'error')).toBe('is_archived');
    const second = await rejection(client.chat.postMessage({ channel: 'C0STAFF001', text: '2' }));
    expect(field(second, 'code')).toBe(ErrorCode.HTTPError);
    expect(field(second, 'statusCode')).toBe(500);
    expect((await client.auth.test()).ok).toBe(true);
    await client.chat.postMessage({ channel: 'C0STAFF001', text: '3' });
    expect(fake.messagesIn('C0STAFF001').map((m) => m.text)).toEqual(['3']);
  });

  it('opens the same DM channel for the same user every time', async () => {
    const first = await client.conversations.open({ users: 'U0ALICE001' });
    const again = await client.conversations.open({ users: 'U0ALICE001' });
    const bob = await client.conversations.open({ users: 'U0BOB00001' });
    expect(first.channel?.id).toMatch(/^D/);
    expect(again.channel?.id).toBe(first.channel?.id);
    expect(bob.channel?.id).not.toBe(first.channel?.id);
    expect(fake.dmChannelFor('U0ALICE001')).toBe(first.channel?.id);

    const other = await FakeSlack.start();
    try {
      const otherClient = new WebClient(other.token, { slackApiUrl: other.url });
      expect((await otherClient.conversations.open({ users: 'U0ALICE001' })).channel?.id).toBe(first.channel?.id);
    } finally {
      await other.stop();
    }

    // posting to the user id lands in the DM
    const posted = await client.chat.postMessage({ channel: 'U0ALICE001', text: 'hello' });
    expect(posted.channel).toBe(first.channel?.id);
    expect(fake.messagesIn(first.channel?.id ?? '').map((m) => m.text)).toEqual(['hello']);
  });

  it('posts ephemerals and builds permalinks', async () => {
    const ephemeral = await client.chat.postEphemeral({ channel: 'C0STAFF001', user: 'U0ALICE001', text: 'only you' });
    expect(ephemeral.message_ts).toMatch(/^\d+\.\d{6}$/);
    const link = await client.chat.getPermalink({ channel: 'C0STAFF001', message_ts: '1700000000.000100' });
    expect(link.permalink).toBe('https://fake.slack.test/archives/C0STAFF001/p1700000000000100');
  });

  it('opens, updates and pushes views', async () => {
    const view = { type: 'modal' as const, callback_id: 'assign', private_metadata: 'C-1', title: { type: 'plain_text' as const, text: 'Assign' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: '1.2.3', view });
    expect(opened.view).toMatchObject({ callback_id: 'assign', private_metadata: 'C-1', type: 'modal' });
    const id = opened.view?.id ?? '';
    expect(id).toMatch(/^V/);
    expect(fake.callsTo('views.open')[0]?.params.view).toEqual(view);

    const updated = await client.views.update({ view_id: id, view: { ...view, private_metadata: 'C-2' } });
    expect(updated.view).toMatchObject({ id, private_metadata: 'C-2' });
    const pushed = await client.views.push({ trigger_id: '1.2.4', view });
    expect(pushed.view?.id).not.toBe(id);

    const missing = await rejection(client.views.update({ view_id: 'V999', view }));
    expect(field(field(missing, 'data'), 'error')).toBe('not_found');
  });

  it('answers users.info for registered users, the locale only when asked', async () => {
    fake.addUser({ id: 'U0ALICE001', name: 'alice', realName: 'Alice Smith', locale: 'de-DE' });
    const info = await client.users.info({ user: 'U0ALICE001' });
    expect(info.user).toMatchObject({ id: 'U0ALICE001', team_id: 'T0TEST0001', name: 'alice', real_name: 'Alice Smith', profile: { real_name: 'Alice Smith' } });
    expect(info.user?.locale).toBeUndefined();
    expect((await client.users.info({ user: 'U0ALICE001', include_locale: true })).user?.locale).toBe('de-DE');
    const error = await rejection(client.users.info({ user: 'U0NOBODY01' }));
    expect(field(field(error, 'data'), 'error')).toBe('user_not_found');
  });

  it("takes files.uploadV2's three steps: an upload URL, the bytes posted there, the completion sharing the file", async () => {
    const bytes = Buffer.from('%PDF-1.7 the act');
    const thread = fake.nextTs();
    const result = await client.files.uploadV2({ channel_id: 'D0ALICE001', file: bytes, filename: 'act.pdf', thread_ts: thread });
    expect(result.ok).toBe(true);
    expect(fake.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.params).toMatchObject({ filename: 'act.pdf', length: String(bytes.length) });
    const [shared] = fake.filesIn('D0ALICE001');
    expect(shared).toMatchObject({ name: 'act.pdf', title: 'act.pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), threadTs: thread });
    expect(fake.callsTo('files.completeUploadExternal')[0]?.response).toMatchObject({ ok: true, files: [{ id: shared?.id, name: 'act.pdf', size: bytes.length }] });
    expect(fake.filesIn('C0ELSEWHERE')).toEqual([]);
  });

  it('completes only uploads whose announced bytes arrived, at an upload URL used once', async () => {
    const started = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 5 });
    const url = started.upload_url ?? '';
    const id = started.file_id ?? '';
    const notPosted = await rejection(client.files.completeUploadExternal({ files: [{ id }], channel_id: 'D0ALICE001' }));
    expect(field(field(notPosted, 'data'), 'error')).toBe('file_not_found');
    expect(await (await fetch(url, { method: 'POST', body: 'hello' })).text()).toBe('OK - 5');
    expect((await fetch(url, { method: 'POST', body: 'again' })).status).toBe(404);
    await client.files.completeUploadExternal({ files: [{ id, title: 'Greeting' }], channel_id: 'D0ALICE001' });
    expect(fake.filesIn('D0ALICE001')).toEqual([{ id, name: 'a.txt', title: 'Greeting', size: 5, sha256: createHash('sha256').update('hello').digest('hex') }]);
    // fewer bytes than announced: the file is not found
    const short = await client.files.getUploadURLExternal({ filename: 'b.txt', length: 9 });
    await fetch(short.upload_url ?? '', { method: 'POST', body: 'hi' });
    const mismatch = await rejection(client.files.completeUploadExternal({ files: [{ id: short.file_id ?? '' }], channel_id: 'D0ALICE001' }));
    expect(field(field(mismatch, 'data'), 'error')).toBe('file_not_found');
  });

  it('waits for future calls and times out with a clear message', async () => {
    const waiting = fake.waitForCall('chat.postMessage', (c) => c.params.text === 'second');
    await client.chat.postMessage({ channel: 'C0STAFF001', text: 'first' });
    await client.chat.postMessage({ channel: 'C0STAFF001', text: 'second' });
    expect((await waiting).params.channel).toBe('C0STAFF001');
    await expect(fake.waitForCall('views.open', () => true, 50)).rejects.toThrow(/no matching views\.open call within 50 ms.*chat\.postMessage/);

    fake.clear();
    expect(fake.calls).toEqual([]);
    expect(fake.messagesIn('C0STAFF001')).toEqual([]);
  });

  it('rejects a missing token with not_authed', async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    const error = await rejection(anonymous.auth.test());
    expect(field(field(error, 'data'), 'error')).toBe('not_authed');
  });
});

describe('signed Slack requests', () => {
  let server: http.Server;
  let url: string;
  let received: { headers: http.IncomingHttpHeaders; body: string; valid: boolean }[];

  beforeEach(async () => {
    received = [];
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const valid = isValidSlackRequest({
          signingSecret: TEST_SIGNING_SECRET,
          body,
          headers: {
            'x-slack-signature': String(req.headers['x-slack-signature']),
            'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
          },
        });
        received.push({ headers: req.headers, body, valid });
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ valid }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('signs requests so that Bolt accepts them, and not forged or stale ones', async () => {
    const event = dmMessageEvent({ teamId: 'T0TEST0001', userId: 'U0ALICE001', channel: 'D0ALICE001', text: 'my parcel is late', ts: '1700000000.000100' });
    const good = await sendSigned(url, eventBody({ teamId: 'T0TEST0001', eventId: 'Ev0001', event }));
    expect(good.status).toBe(200);
    expect(good.json()).toEqual({ valid: true });

    const forged = await sendSigned(url, { ...eventBody({ teamId: 'T0TEST0001', eventId: 'Ev0002', event }), signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const wrongSecret = await sendSigned(url, { ...eventBody({ teamId: 'T0TEST0001', eventId: 'Ev0003', event }), secret: 'a'.repeat(32) });
    expect(wrongSecret.status).toBe(401);
    const stale = await sendSigned(url, { ...eventBody({ teamId: 'T0TEST0001', eventId: 'Ev0004', event }), timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);

    expect(received.map((r) => r.valid)).toEqual([true, false, false, false]);
    const first = received[0];
    expect(first?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
      type: 'event_callback',
      team_id: 'T0TEST0001',
      api_app_id: 'A0APP00001',
      event_id: 'Ev0001',
      event: { type: 'message', channel_type: 'im', user: 'U0ALICE001', text: 'my parcel is late', ts: '1700000000.000100', event_ts: '1700000000.000100' },
    });
  });

  it('sends retry headers, interactions and commands as Slack does', async () => {
    const payload = blockActionsPayload({ teamId: 'T0TEST0001', userId: 'U0STAFF001', channelId: 'C0STAFF001', messageTs: '1700000000.000100', actionId: 'take', value: 'C-1' });
    const action = await sendSigned(url, { ...interactionBody(payload), headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
    expect(action.status).toBe(200);
    const sent = received[0];
    expect(sent?.headers['x-slack-retry-num']).toBe('1');
    expect(sent?.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(JSON.parse(new URLSearchParams(sent?.body).get('payload') ?? '{}')).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0STAFF001', team_id: 'T0TEST0001' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0STAFF001' },
      actions: [{ action_id: 'take', block_id: 'b', value: 'C-1', type: 'button' }],
    });

    const select = blockActionsPayload({ teamId: 'T0TEST0001', userId: 'U0STAFF001', channelId: 'C0STAFF001', messageTs: '1.2', actionId: 'assign', selectedUser: 'U0STAFF002' });
    expect(select.actions).toEqual([expect.objectContaining({ type: 'users_select', selected_user: 'U0STAFF002' })]);

    const submission = viewSubmissionPayload({
      teamId: 'T0TEST0001',
      userId: 'U0STAFF001',
      callbackId: 'assign',
      privateMetadata: '{"claim":"C-1"}',
      values: { who: { pick: { type: 'users_select', selected_user: 'U0STAFF002' } } },
    });
    expect((await sendSigned(url, interactionBody(submission))).status).toBe(200);
    expect(JSON.parse(new URLSearchParams(received[1]?.body).get('payload') ?? '{}')).toMatchObject({
      type: 'view_submission',
      view: { callback_id: 'assign', private_metadata: '{"claim":"C-1"}', state: { values: { who: { pick: { selected_user: 'U0STAFF002' } } } } },
    });

    const command = commandBody({ teamId: 'T0TEST0001', userId: 'U0STAFF001', channelId: 'C0STAFF001', command: '/claim', text: 'C-1 & more' });
    expect((await sendSigned(url, command)).status).toBe(200);
    const fields = new URLSearchParams(received[2]?.body);
    expect(Object.fromEntries(fields)).toMatchObject({ command: '/claim', text: 'C-1 & more', user_id: 'U0STAFF001', channel_id: 'C0STAFF001', team_id: 'T0TEST0001' });
    expect(fields.get('trigger_id')).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(received.every((r) => r.valid)).toBe(true);
  });
});

describe('Bolt App against FakeSlack and signed requests', () => {
  it('receives a signed DM event, answers through the fake and handles a button press', async () => {
    const app = new App({
      token: fake.token,
      signingSecret: TEST_SIGNING_SECRET,
      clientOptions: { slackApiUrl: fake.url },
      logLevel: LogLevel.ERROR,
    });
    app.message(async ({ message, say }) => {
      if (message.subtype === undefined) await say({ text: `Got: ${message.text ?? ''}`, blocks });
    });
    app.action('take', async ({ ack, body, client: boltClient }) => {
      await ack();
      if (body.type === 'block_actions' && body.channel && body.message) {
        await boltClient.chat.update({ channel: body.channel.id, ts: body.message.ts, text: 'taken', blocks: [] });
      }
    });
    const server = await app.start(0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
      const channel = fake.dmChannelFor('U0ALICE001');
      const event = dmMessageEvent({ teamId: fake.teamId, userId: 'U0ALICE001', channel, text: 'my parcel is late', ts: fake.nextTs() });
      expect((await sendSigned(url, eventBody({ teamId: fake.teamId, eventId: 'Ev0001', event }))).status).toBe(200);
      const reply = await fake.waitForCall('chat.postMessage');
      expect(reply.params).toMatchObject({ channel, text: 'Got: my parcel is late', blocks });

      const [posted] = fake.messagesIn(channel);
      const payload = blockActionsPayload({ teamId: fake.teamId, userId: 'U0STAFF001', channelId: channel, messageTs: posted?.ts ?? '', actionId: 'take', value: 'C-1' });
      expect((await sendSigned(url, interactionBody(payload))).status).toBe(200);
      await fake.waitForCall('chat.update');
      expect(fake.messagesIn(channel)).toEqual([expect.objectContaining({ text: 'taken', ts: posted?.ts })]);
      expect(fake.messagesIn(channel)[0]?.blocks).toBeUndefined();

      const forged = await sendSigned(url, { ...eventBody({ teamId: fake.teamId, eventId: 'Ev0002', event }), signature: `v0=${'1'.repeat(64)}` });
      expect(forged.status).toBe(401);
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    } finally {
      await app.stop();
    }
  });
});
