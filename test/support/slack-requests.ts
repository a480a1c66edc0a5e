/**
 * Signed inbound requests for tests: what Slack POSTs to an app's request URL (Events API callbacks,
 * interactivity payloads, slash commands), signed the way Slack signs them
 * (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Request-Timestamp: <unix seconds>` and `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`.
 *
 *   const event = dmMessageEvent({ teamId, userId: 'U0ALICE001', channel: 'D0ALICE001', text: 'hi', ts: fake.nextTs() });
 *   const res = await sendSigned(`${appUrl}/slack/events`, eventBody({ teamId, eventId: 'Ev001', event }));
 *   expect(res.status).toBe(200);
 *
 *   await sendSigned(url, { ...interactionBody(blockActionsPayload({ … })) });
 *   await sendSigned(url, { ...commandBody({ … }), signature: 'v0=forged' });                    // forged
 *   await sendSigned(url, { ...eventBody({ … }), headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/** The signing secret tests give the app (hex, like a real one). */
export const TEST_SIGNING_SECRET = '8f742231b10e8888abcd99a1b2c3d485';
/** The (deprecated) verification token Slack still puts in bodies; apps must not rely on it. */
export const TEST_VERIFICATION_TOKEN = 'x';
/** The app id in every body. */
export const TEST_APP_ID = 'A0APP00001';
/** The default bot user id in event `authorizations` (FakeSlack's default). */
export const TEST_BOT_USER_ID = 'U0BOT00001';

/** A raw request body and its content type, ready for {@link sendSigned}. */
export interface SlackRequestBody {
  body: string;
  contentType: string;
}

export interface SendSignedOptions extends SlackRequestBody {
  /** Default {@link TEST_SIGNING_SECRET}. */
  secret?: string;
  /** Unix seconds; default now. An old one makes a stale (rejected) request. */
  timestamp?: number;
  /** Sent instead of the computed signature (a forged request), e.g. 'v0=deadbeef'. */
  signature?: string;
  /** Extra headers, e.g. X-Slack-Retry-Num / X-Slack-Retry-Reason. */
  headers?: Record<string, string>;
}

/** The app's answer. */
export interface SignedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): unknown;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs the body to `url` with Slack's signature headers (computed unless `signature` is given). */
export async function sendSigned(url: string, options: SendSignedOptions): Promise<SignedResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? slackSignature(options.secret ?? TEST_SIGNING_SECRET, timestamp, options.body);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': options.contentType,
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signature,
      ...options.headers,
    },
    body: options.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

// ---------------------------------------------------------------- bodies

/** An Events API callback (`type: 'event_callback'`), JSON. */
export function eventBody(options: {
  teamId: string;
  eventId: string;
  event: Record<string, unknown>;
  /** Unix seconds; default now. */
  eventTime?: number;
  /** The bot user in `authorizations`; default {@link TEST_BOT_USER_ID}. */
  botUserId?: string;
}): SlackRequestBody {
  const body = {
    token: TEST_VERIFICATION_TOKEN,
    team_id: options.teamId,
    context_team_id: options.teamId,
    context_enterprise_id: null,
    api_app_id: TEST_APP_ID,
    event: options.event,
    type: 'event_callback',
    event_id: options.eventId,
    event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: options.teamId, user_id: options.botUserId ?? TEST_BOT_USER_ID, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(24).toString('base64url')}`,
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** An interactivity request: form field `payload` holding the JSON payload. */
export function interactionBody(payload: object): SlackRequestBody {
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** A slash command invocation, form fields as Slack sends them. */
export function commandBody(options: {
  teamId: string;
  userId: string;
  channelId: string;
  command: string;
  text: string;
  triggerId?: string;
  responseUrl?: string;
  userName?: string;
  channelName?: string;
}): SlackRequestBody {
  const fields: Record<string, string> = {
    token: TEST_VERIFICATION_TOKEN,
    team_id: options.teamId,
    team_domain: 'fake-workspace',
    channel_id: options.channelId,
    channel_name: options.channelName ?? (options.channelId.startsWith('D') ? 'directmessage' : 'general'),
    user_id: options.userId,
    user_name: options.userName ?? options.userId.toLowerCase(),
    command: options.command,
    text: options.text,
    api_app_id: TEST_APP_ID,
    is_enterprise_install: 'false',
    response_url: options.responseUrl ?? `https://hooks.slack.com/commands/${options.teamId}/${randomDigits(13)}/${randomBytes(12).toString('hex')}`,
    trigger_id: options.triggerId ?? newTriggerId(),
  };
  return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
}

// ---------------------------------------------------------------- payloads

/** A file attached to a message event. */
export interface EventFile {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  filetype: string;
  /** `url_private` and `url_private_download`; default files.slack.com addresses. */
  urlPrivate?: string;
}

/** A customer's message in the bot's DM (`message` event, `channel_type: 'im'`); with files it is a `file_share`. */
export function dmMessageEvent(options: {
  teamId: string;
  userId: string;
  channel: string;
  text: string;
  ts: string;
  files?: EventFile[];
  threadTs?: string;
}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: 'message',
    client_msg_id: randomUUID(),
    text: options.text,
    user: options.userId,
    ts: options.ts,
    team: options.teamId,
    channel: options.channel,
    event_ts: options.ts,
    channel_type: 'im',
  };
  if (options.threadTs !== undefined) event.thread_ts = options.threadTs;
  if (options.files && options.files.length > 0) {
    const created = Math.floor(Number(options.ts));
    event.subtype = 'file_share';
    event.upload = false;
    event.display_as_bot = false;
    event.files = options.files.map((f) => {
      const base = `https://files.slack.com/files-pri/${options.teamId}-${f.id}`;
      const name = encodeURIComponent(f.name);
      return {
        id: f.id,
        created,
        timestamp: created,
        name: f.name,
        title: f.name,
        mimetype: f.mimetype,
        filetype: f.filetype,
        pretty_type: f.filetype.toUpperCase(),
        user: options.userId,
        user_team: options.teamId,
        editable: false,
        size: f.size,
        mode: 'hosted',
        is_external: false,
        external_type: '',
        is_public: false,
        public_url_shared: false,
        url_private: f.urlPrivate ?? `${base}/${name}`,
        url_private_download: f.urlPrivate ?? `${base}/download/${name}`,
      };
    });
  }
  return event;
}

/** A `block_actions` payload: a button press, or a users_select choice when `selectedUser` is given. */
export function blockActionsPayload(options: {
  teamId: string;
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  value?: string;
  blockId?: string;
  triggerId?: string;
  selectedUser?: string;
  /** Merged into `message` (e.g. its `blocks`, `text`). */
  message?: Record<string, unknown>;
}): Record<string, unknown> {
  const actionTs = (Date.now() / 1000).toFixed(6);
  const blockId = options.blockId ?? 'b';
  const action: Record<string, unknown> = options.selectedUser === undefined
    ? { action_id: options.actionId, block_id: blockId, text: { type: 'plain_text', text: options.value ?? options.actionId, emoji: true }, type: 'button', action_ts: actionTs }
    : { action_id: options.actionId, block_id: blockId, type: 'users_select', selected_user: options.selectedUser, action_ts: actionTs };
  if (options.selectedUser === undefined && options.value !== undefined) action.value = options.value;
  return {
    type: 'block_actions',
    user: { id: options.userId, username: options.userId.toLowerCase(), name: options.userId.toLowerCase(), team_id: options.teamId },
    api_app_id: TEST_APP_ID,
    token: TEST_VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: options.messageTs, channel_id: options.channelId, is_ephemeral: false },
    trigger_id: options.triggerId ?? newTriggerId(),
    team: { id: options.teamId, domain: 'fake-workspace' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channelId, name: options.channelId.startsWith('D') ? 'directmessage' : 'general' },
    message: { type: 'message', ts: options.messageTs, ...options.message },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${options.teamId}/${randomDigits(13)}/${randomBytes(12).toString('hex')}`,
    actions: [action],
  };
}

/** One input's state in a submitted view, as Slack reports it. */
export interface ViewStateValue {
  type: string;
  value?: string | null;
  selected_option?: { text: { type: 'plain_text'; text: string; emoji?: boolean }; value: string } | null;
  selected_user?: string | null;
  [key: string]: unknown;
}

/** `view.state.values`: block id → action id → state. */
export type ViewStateValues = Record<string, Record<string, ViewStateValue>>;

/** A `view_submission` payload for a modal. */
export function viewSubmissionPayload(options: {
  teamId: string;
  userId: string;
  callbackId: string;
  privateMetadata: string;
  values: ViewStateValues;
  triggerId?: string;
  /** The modal's id (e.g. the one views.open answered); default a fresh one. */
  viewId?: string;
}): Record<string, unknown> {
  const viewId = options.viewId ?? `V${randomDigits(9)}`;
  return {
    type: 'view_submission',
    team: { id: options.teamId, domain: 'fake-workspace' },
    user: { id: options.userId, username: options.userId.toLowerCase(), name: options.userId.toLowerCase(), team_id: options.teamId },
    api_app_id: TEST_APP_ID,
    token: TEST_VERIFICATION_TOKEN,
    trigger_id: options.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: options.teamId,
      type: 'modal',
      blocks: [],
      private_metadata: options.privateMetadata,
      callback_id: options.callbackId,
      state: { values: options.values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: 'Modal', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: TEST_APP_ID,
      external_id: '',
      app_installed_team_id: options.teamId,
      bot_id: 'B0BOT00001',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

function randomDigits(count: number): string {
  let digits = '';
  for (const byte of randomBytes(count)) digits += String(byte % 10);
  return digits.replace(/^0/, '1');
}

/** Shaped like Slack's, e.g. 1234567890123.1234567890.0123456789abcdef0123456789abcdef. */
function newTriggerId(): string {
  return `${randomDigits(13)}.${randomDigits(10)}.${randomBytes(16).toString('hex')}`;
}
