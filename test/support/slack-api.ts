/**
 * A fake Slack Web API server for tests: a local node:http server that speaks the Web API's wire protocol
 * (https://api.slack.com/web) for `@slack/web-api`'s WebClient and Bolt's App to run unmodified against it.
 *
 *   const fake = await FakeSlack.start();
 *   const client = new WebClient(fake.token, { slackApiUrl: fake.url });                 // @slack/web-api
 *   const app = new App({ token: fake.token, signingSecret, clientOptions: { slackApiUrl: fake.url } });  // Bolt
 *
 * Requests are `POST <url><method>` with an `Authorization: Bearer <token>` header (a `token` body field works
 * too, as on the real API) and an `application/x-www-form-urlencoded` body whose object/array fields are JSON
 * strings (they are parsed back: `blocks`, `view`, … arrive in `params` as objects) or a JSON body.
 * Answers are `{ ok: true, … }` or `{ ok: false, error }` with HTTP 200, as the real API's; a rate limit is
 * HTTP 429 with a `Retry-After` header.
 *
 * Tests read every call the app made (`calls`, `callsTo`, `waitForCall`), the messages as they now stand in a
 * channel (`messagesIn`), the files the bot uploaded there (`filesIn`: `files.uploadV2`'s three steps,
 * `files.getUploadURLExternal`, a POST of the bytes to the upload URL this server gives, and
 * `files.completeUploadExternal`), register people for users.info (`addUser`) and inject errors (`failNext`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

/** What the fake answered: exactly the JSON that went over the wire. */
export type SlackResponse =
  | ({ ok: true } & Record<string, unknown>)
  | ({ ok: false; error: string } & Record<string, unknown>);

/** One Web API call the app made. */
export interface RecordedCall {
  /** The method name as in the URL, e.g. 'chat.postMessage'. */
  method: string;
  /** The request's arguments (query string and body; JSON fields parsed), without the `token` field. */
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** The answer's body, set once answered. */
  response?: SlackResponse;
  /** The answer's HTTP status (200, or 429/500 for injected failures). */
  status?: number;
}

/** A workspace member for users.info. */
export interface FakeSlackUser {
  id: string;
  /** The handle, e.g. 'alice'. */
  name: string;
  /** Default: `name`. */
  realName?: string;
  /** Default: `realName`. */
  displayName?: string;
  /** IANA zone; default 'UTC'. */
  tz?: string;
  /** e.g. 'de-DE'; only answered when users.info is called with `include_locale: true`, as on the real API. */
  locale?: string;
  isBot?: boolean;
}

/** A failure to inject with {@link FakeSlack.failNext}. */
export type InjectedFailure =
  /** HTTP 429 with `Retry-After: <retryAfter>` and `{ ok: false, error: 'ratelimited' }`. */
  | { status: 429; retryAfter: number }
  /** HTTP 500 (WebClient throws a WebAPIHTTPError and retries per its retryConfig). */
  | { status: 500 }
  /** HTTP 200 `{ ok: false, error }`, e.g. 'channel_not_found', 'cannot_dm_bot', 'is_archived'. */
  | { error: string };

/** Options of {@link FakeSlack.start}. */
export interface FakeSlackOptions {
  /** The bot token the fake accepts; default 'xoxb-test-token'. */
  token?: string;
  /** Default 'T0TEST0001'. */
  teamId?: string;
  /** The bot's user id; default 'U0BOT00001'. */
  botUserId?: string;
  /** The clock for message timestamps; default the real one. */
  now?: () => Date;
}

/** A message as stored in a channel (and as chat.postMessage's `message`). */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  user: string;
  bot_id: string;
  team: string;
}

/** A file the bot uploaded and shared in a channel (files.completeUploadExternal): its bytes kept as size and SHA-256. */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
  size: number;
  /** SHA-256 of the bytes posted to the upload URL (hex). */
  sha256: string;
  /** The thread it was shared in, if any. */
  threadTs?: string;
}

/** The bot's bot id (auth.test's `bot_id`, messages' `bot_id`). */
export const FAKE_BOT_ID = 'B0BOT00001';
/** The app id views carry. */
export const FAKE_APP_ID = 'A0APP00001';

/** Thrown inside method handlers; becomes `{ ok: false, error }`. */
class SlackApiError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

type Handler = (params: Record<string, unknown>) => Record<string, unknown>;

/** The local fake Web API server. Create with {@link FakeSlack.start}; {@link FakeSlack.stop} when done. */
export class FakeSlack {
  /** The slackApiUrl to hand to WebClient/Bolt, e.g. http://127.0.0.1:PORT/api/ (with the trailing slash). */
  readonly url: string;
  readonly token: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId = FAKE_BOT_ID;
  /** Every call the app made, in arrival order (failed ones included, with their error `response`). */
  readonly calls: RecordedCall[] = [];

  private readonly server: http.Server;
  private readonly now: () => Date;
  private readonly failures = new Map<string, { failure: InjectedFailure; remaining: number }[]>();
  /** channel id → messages in post order. */
  private readonly channels = new Map<string, StoredMessage[]>();
  private readonly users = new Map<string, FakeSlackUser>();
  /** user id (or sorted comma-joined ids) → conversation id, and the reverse for collision checks. */
  private readonly dmByUsers = new Map<string, string>();
  private readonly dmIds = new Set<string>();
  private readonly views = new Map<string, Record<string, unknown>>();
  private readonly files = new Map<string, { id: string; name: string; mimetype: string; size: number }>();
  private readonly deletedFiles = new Set<string>();
  /** Uploads started with files.getUploadURLExternal: their bytes once posted to the upload URL. */
  private readonly uploads = new Map<string, { id: string; name: string; length: number; bytes?: { size: number; sha256: string } }>();
  /** channel id → files shared there, in order. */
  private readonly shared = new Map<string, SharedFile[]>();
  private lastTsSeconds = 0;
  private tsCounter = 0;
  private viewCounter = 0;
  private stopped = false;

  private constructor(server: http.Server, url: string, options: FakeSlackOptions) {
    this.server = server;
    this.url = url;
    this.token = options.token ?? 'xoxb-test-token';
    this.teamId = options.teamId ?? 'T0TEST0001';
    this.botUserId = options.botUserId ?? 'U0BOT00001';
    this.now = options.now ?? (() => new Date());
    server.on('request', (req, res) => {
      this.onRequest(req, res).catch(() => res.destroy());
    });
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new FakeSlack(server, `http://127.0.0.1:${port}/api/`, options);
  }

  /** Stops the server (idempotent). Pending {@link waitForCall}s reject. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 50).unref();
    });
  }

  /** Same as {@link stop} (the name FakeTelegram uses). */
  close(): Promise<void> {
    return this.stop();
  }

  // ---------------------------------------------------------------- reading what the app did

  /** The calls of one method, e.g. 'chat.postMessage'. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * Resolves with the first recorded call (already made or future) of `method` that matches the predicate
   * (and has been answered). Rejects after timeoutMs (default 5000) or when the fake is stopped.
   */
  waitForCall(method: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.callsTo(method).find((c) => c.response !== undefined && predicate(c));
        if (found) {
          resolve(found);
          return;
        }
        if (this.stopped || Date.now() >= deadline) {
          const seen = this.calls.map((c) => c.method).join(', ') || 'none';
          const matching = this.callsTo(method).length;
          reject(new Error(
            `FakeSlack: no matching ${method} call within ${timeoutMs} ms${this.stopped ? ' (stopped)' : ''}` +
            ` (${matching} ${method} call(s) did not match); calls so far: ${seen}`,
          ));
          return;
        }
        setTimeout(check, 10);
      };
      check();
    });
  }

  /**
   * The messages the bot posted to a channel as they stand now (after chat.update), in post order, thread replies
   * included (with `thread_ts`). A user id stands for the DM channel with that user. Copies: editing them changes nothing.
   */
  messagesIn(channel: string): StoredMessage[] {
    const id = this.resolveChannel(channel);
    return (this.channels.get(id) ?? []).map((m) => structuredClone(m));
  }

  /** The files the bot uploaded and shared in a channel (a user id stands for their DM), in order. Copies. */
  filesIn(channel: string): SharedFile[] {
    return (this.shared.get(this.resolveChannel(channel)) ?? []).map((f) => ({ ...f }));
  }

  /** Forgets recorded calls, stored messages and views and pending injected failures (users and DM ids stay). */
  clear(): void {
    this.calls.length = 0;
    this.channels.clear();
    this.uploads.clear();
    this.shared.clear();
    this.views.clear();
    this.failures.clear();
  }

  // ---------------------------------------------------------------- setting the scene

  /**
   * A file shared in the workspace (say, in a customer's DM): `files.info` answers it with a
   * private URL on this server, which serves `size` bytes only with the bot token. Returns its id.
   */
  addFile(file: { readonly name: string; readonly mimetype: string; readonly size: number }): string {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    this.files.set(id, { id, ...file });
    return id;
  }

  /** The file was deleted in Slack: files.info answers `file_deleted`, its URL 404. */
  deleteFile(id: string): void {
    this.files.delete(id);
    this.deletedFiles.add(id);
  }

  /** Registers a workspace member for users.info (replaces one with the same id). */
  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, user);
  }

  /** The DM channel id conversations.open gives for this user: deterministic, the same every time. */
  dmChannelFor(userId: string): string {
    const existing = this.dmByUsers.get(userId);
    if (existing !== undefined) return existing;
    const base = `D${userId.slice(1).padStart(8, '0')}`;
    let id = base;
    for (let n = 2; this.dmIds.has(id); n += 1) id = `${base}${n}`;
    this.dmByUsers.set(userId, id);
    this.dmIds.add(id);
    return id;
  }

  /** A fresh message ts ('<seconds of now()>.<6-digit counter>'), greater than every one before; also for the ts of messages tests post as users. */
  nextTs(): string {
    const seconds = Math.max(Math.floor(this.now().getTime() / 1000), this.lastTsSeconds);
    if (seconds > this.lastTsSeconds) {
      this.lastTsSeconds = seconds;
    }
    this.tsCounter += 1;
    if (this.tsCounter > 999_999) {
      this.tsCounter = 1;
      this.lastTsSeconds += 1;
    }
    return `${this.lastTsSeconds}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  // ---------------------------------------------------------------- failure injection

  /** The next `times` (default 1) calls of `method` fail like this (after the token check); queued per method, in order. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    list.push({ failure, remaining: times });
    this.failures.set(method, list);
  }

  // ---------------------------------------------------------------- HTTP

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    const download = /^\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\/[^/]+$/.exec(url.pathname);
    if (download) {
      this.serveFile(req, res, download[1] ?? '');
      return;
    }
    const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(url.pathname);
    if (upload) {
      this.receiveUpload(req, res, upload[1] ?? '', body);
      return;
    }
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    if (!match) {
      sendJson(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = match[1] ?? '';
    let params: Record<string, unknown>;
    try {
      params = { ...formParams(url.searchParams), ...parseBody(req.headers['content-type'], body) };
    } catch {
      const call: RecordedCall = { method, params: {}, at: Date.now() };
      this.calls.push(call);
      this.respond(res, call, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    const bodyToken = typeof params.token === 'string' ? params.token : undefined;
    delete params.token;
    const call: RecordedCall = { method, params, at: Date.now() };
    this.calls.push(call);

    const authorization = req.headers.authorization;
    const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() ?? '';
    const token = bearer ?? bodyToken;
    if (token === undefined || token === '') {
      this.respond(res, call, 200, { ok: false, error: 'not_authed' });
      return;
    }
    if (token !== this.token) {
      this.respond(res, call, 200, { ok: false, error: 'invalid_auth' });
      return;
    }
    const handler = this.handlers[method];
    if (!handler) {
      this.respond(res, call, 200, { ok: false, error: 'unknown_method', req_method: method });
      return;
    }
    const injected = this.takeFailure(method);
    if (injected) {
      if ('error' in injected) {
        this.respond(res, call, 200, { ok: false, error: injected.error });
      } else if (injected.status === 429) {
        this.respond(res, call, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(injected.retryAfter) });
      } else {
        this.respond(res, call, 500, { ok: false, error: 'internal_error' });
      }
      return;
    }
    let response: SlackResponse;
    try {
      response = { ok: true, ...handler(params) };
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      response = { ok: false, error: error.error };
    }
    this.respond(res, call, 200, response);
  }

  /** A file's private URL: its bytes with the bot token, as files.slack.com serves them; 404 otherwise (a deleted file too). */
  private serveFile(req: http.IncomingMessage, res: http.ServerResponse, id: string): void {
    const file = this.files.get(id);
    if (req.headers.authorization !== `Bearer ${this.token}` || !file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.size) });
    res.end(Buffer.alloc(file.size, 0x2a));
  }

  /**
   * The upload URL of files.getUploadURLExternal: takes the file's bytes, raw or as the one file
   * part of a multipart form (as WebClient posts them), and answers `OK - <size>` as Slack does;
   * an unknown or already used URL 404.
   */
  private receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, id: string, body: Buffer): void {
    const pending = this.uploads.get(id);
    if (req.method !== 'POST' || !pending || pending.bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    const content = multipartFile(req.headers['content-type'], body) ?? body;
    pending.bytes = { size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${String(content.length)}`);
  }

  private respond(res: http.ServerResponse, call: RecordedCall, status: number, response: SlackResponse, headers: Record<string, string> = {}): void {
    call.response = response;
    call.status = status;
    sendJson(res, status, response, headers);
  }

  private takeFailure(method: string): InjectedFailure | undefined {
    const list = this.failures.get(method);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) list.shift();
    return head.failure;
  }

  // ---------------------------------------------------------------- the methods

  private readonly handlers: Record<string, Handler | undefined> = {
    'api.test': (p) => ({ args: p }),
    'auth.test': () => ({
      url: 'https://fake.slack.test/',
      team: 'Fake Workspace',
      user: 'claimdesk_bot',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (p) => {
      const channel = this.resolveChannel(requireString(p, 'channel', 'channel_not_found'));
      const text = optionalString(p, 'text');
      const blocks = optionalArray(p, 'blocks');
      const attachments = optionalArray(p, 'attachments');
      if ((text === undefined || text === '') && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
      const threadTs = optionalString(p, 'thread_ts');
      const message: StoredMessage = { type: 'message', ts: this.nextTs(), text: text ?? '', user: this.botUserId, bot_id: this.botId, team: this.teamId };
      if (blocks) message.blocks = blocks;
      if (attachments) message.attachments = attachments;
      if (threadTs !== undefined && threadTs !== '') message.thread_ts = threadTs;
      const list = this.channels.get(channel) ?? [];
      list.push(message);
      this.channels.set(channel, list);
      return { channel, ts: message.ts, message: structuredClone(message) };
    },
    'chat.update': (p) => {
      const channel = this.resolveChannel(requireString(p, 'channel', 'channel_not_found'));
      const ts = requireString(p, 'ts', 'message_not_found');
      const message = this.channels.get(channel)?.find((m) => m.ts === ts);
      if (!message) throw new SlackApiError('message_not_found');
      const text = optionalString(p, 'text');
      const blocks = optionalArray(p, 'blocks');
      const attachments = optionalArray(p, 'attachments');
      if (text !== undefined) message.text = text;
      if (blocks) {
        if (blocks.length > 0) message.blocks = blocks;
        else delete message.blocks;
      }
      if (attachments) {
        if (attachments.length > 0) message.attachments = attachments;
        else delete message.attachments;
      }
      return { channel, ts, text: message.text, message: structuredClone(message) };
    },
    'chat.postEphemeral': (p) => {
      requireString(p, 'channel', 'channel_not_found');
      requireString(p, 'user', 'user_not_found');
      const text = optionalString(p, 'text');
      if ((text === undefined || text === '') && !optionalArray(p, 'blocks')?.length && !optionalArray(p, 'attachments')?.length) {
        throw new SlackApiError('no_text');
      }
      return { message_ts: this.nextTs() };
    },
    'chat.getPermalink': (p) => {
      const channel = this.resolveChannel(requireString(p, 'channel', 'channel_not_found'));
      const ts = requireString(p, 'message_ts', 'message_not_found');
      return { channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}` };
    },
    'conversations.open': (p) => {
      const channelParam = optionalString(p, 'channel');
      if (channelParam !== undefined && channelParam !== '') return { channel: { id: channelParam } };
      const users = (optionalString(p, 'users') ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
      if (users.length === 0) throw new SlackApiError('users_list_not_supplied');
      if (users.length > 8) throw new SlackApiError('too_many_users');
      const [only] = users;
      if (users.length === 1 && only !== undefined) return { channel: { id: this.dmChannelFor(only) } };
      const key = [...users].sort().join(',');
      let id = this.dmByUsers.get(key);
      if (id === undefined) {
        id = `G${String(this.dmByUsers.size + 1).padStart(9, '0')}`;
        this.dmByUsers.set(key, id);
        this.dmIds.add(id);
      }
      return { channel: { id } };
    },
    'views.open': (p) => {
      requireString(p, 'trigger_id', 'invalid_trigger_id');
      return { view: this.storeView(requireView(p), undefined) };
    },
    'views.push': (p) => {
      requireString(p, 'trigger_id', 'invalid_trigger_id');
      return { view: this.storeView(requireView(p), undefined) };
    },
    'views.update': (p) => {
      const view = requireView(p);
      const viewId = optionalString(p, 'view_id');
      const externalId = optionalString(p, 'external_id');
      let id: string | undefined;
      if (viewId !== undefined && viewId !== '') id = this.views.has(viewId) ? viewId : undefined;
      else if (externalId !== undefined && externalId !== '') id = [...this.views.entries()].find(([, v]) => v.external_id === externalId)?.[0];
      else throw new SlackApiError('invalid_arguments');
      if (id === undefined) throw new SlackApiError('not_found');
      const hash = optionalString(p, 'hash');
      if (hash !== undefined && hash !== '' && this.views.get(id)?.hash !== hash) throw new SlackApiError('hash_conflict');
      return { view: this.storeView(view, id) };
    },
    'files.info': (p) => {
      const id = requireString(p, 'file', 'file_not_found');
      if (this.deletedFiles.has(id)) throw new SlackApiError('file_deleted');
      const file = this.files.get(id);
      if (!file) throw new SlackApiError('file_not_found');
      const url = `${this.url.replace(/\/api\/$/, '')}/files-pri/${this.teamId}-${file.id}/${encodeURIComponent(file.name)}`;
      return { file: { id: file.id, name: file.name, mimetype: file.mimetype, size: file.size, url_private: url, url_private_download: `${url}?download=1` } };
    },
    'files.getUploadURLExternal': (p) => {
      const filename = requireString(p, 'filename', 'invalid_arguments');
      const length = Number(requireString(p, 'length', 'invalid_arguments'));
      if (!Number.isSafeInteger(length) || length <= 0) throw new SlackApiError('invalid_arguments');
      const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
      this.uploads.set(id, { id, name: filename, length });
      return { upload_url: `${this.url.replace(/\/api\/$/, '')}/upload/v1/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (p) => {
      const list = p.files;
      if (!Array.isArray(list) || list.length === 0) throw new SlackApiError('invalid_arguments');
      const entries = list.map((entry: unknown) => asRecord(entry) ?? {});
      // every file must have been started and its bytes posted, with the length announced
      const uploads = entries.map((entry) => {
        const upload = typeof entry.id === 'string' ? this.uploads.get(entry.id) : undefined;
        if (!upload?.bytes || upload.bytes.size !== upload.length) throw new SlackApiError('file_not_found');
        return { upload, bytes: upload.bytes, title: typeof entry.title === 'string' && entry.title !== '' ? entry.title : upload.name };
      });
      const channelId = optionalString(p, 'channel_id');
      const threadTs = optionalString(p, 'thread_ts');
      if (threadTs !== undefined && threadTs !== '' && (channelId === undefined || channelId === '')) throw new SlackApiError('invalid_arguments');
      const files = uploads.map(({ upload, bytes, title }) => {
        this.uploads.delete(upload.id);
        const file: SharedFile = { id: upload.id, name: upload.name, title, size: bytes.size, sha256: bytes.sha256 };
        if (threadTs !== undefined && threadTs !== '') file.threadTs = threadTs;
        return file;
      });
      if (channelId !== undefined && channelId !== '') {
        const channel = this.resolveChannel(channelId);
        this.shared.set(channel, [...(this.shared.get(channel) ?? []), ...files]);
      }
      return { files: files.map((f) => ({ id: f.id, name: f.name, title: f.title, size: f.size })) };
    },
    'users.info': (p) => {
      const id = requireString(p, 'user', 'user_not_found');
      const user = this.users.get(id);
      if (!user) throw new SlackApiError('user_not_found');
      const realName = user.realName ?? user.name;
      const info: Record<string, unknown> = {
        id: user.id,
        team_id: this.teamId,
        name: user.name,
        deleted: false,
        real_name: realName,
        tz: user.tz ?? 'UTC',
        is_bot: user.isBot ?? false,
        profile: { display_name: user.displayName ?? realName, real_name: realName, team: this.teamId },
      };
      if (user.locale !== undefined && (p.include_locale === true || p.include_locale === 'true')) info.locale = user.locale;
      return { user: info };
    },
  };

  /** A user id (U…/W…) stands for the DM with that user, as chat.postMessage allows. */
  private resolveChannel(channel: string): string {
    return /^[UW][A-Z0-9]+$/.test(channel) ? this.dmChannelFor(channel) : channel;
  }

  private storeView(view: Record<string, unknown>, id: string | undefined): Record<string, unknown> {
    let viewId = id;
    if (viewId === undefined) {
      this.viewCounter += 1;
      viewId = `V${String(this.viewCounter).padStart(9, '0')}`;
    }
    const previous = this.views.get(viewId);
    const stored: Record<string, unknown> = {
      callback_id: '',
      private_metadata: '',
      external_id: '',
      ...view,
      id: viewId,
      team_id: this.teamId,
      state: { values: {} },
      hash: `${Math.floor(this.now().getTime() / 1000)}.${randomBytes(4).toString('hex')}`,
      root_view_id: previous?.root_view_id ?? viewId,
      previous_view_id: null,
      app_id: FAKE_APP_ID,
      bot_id: this.botId,
    };
    this.views.set(viewId, stored);
    return structuredClone(stored);
  }
}

// ---------------------------------------------------------------- params

function requireString(params: Record<string, unknown>, key: string, error: string): string {
  const value = params[key];
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') throw new SlackApiError(error);
  return value;
}

function optionalString(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : undefined;
}

function optionalArray(params: Record<string, unknown>, key: string): unknown[] | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (!Array.isArray(value)) throw new SlackApiError(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments');
  return value as unknown[];
}

function requireView(params: Record<string, unknown>): Record<string, unknown> {
  const view = asRecord(params.view);
  if (!view || typeof view.type !== 'string') throw new SlackApiError('invalid_arguments');
  return view;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

// ---------------------------------------------------------------- request bodies

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(json)) });
  res.end(json);
}

/** Parses a urlencoded or JSON body. Throws on malformed JSON. */
function parseBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    const record = asRecord(JSON.parse(body.toString('utf8')));
    if (!record) throw new Error('body is not a JSON object');
    return record;
  }
  return formParams(new URLSearchParams(body.toString('utf8')));
}

/** The content of the one file part of a multipart/form-data body, or undefined for another body. */
function multipartFile(contentType: string | undefined, body: Buffer): Buffer | undefined {
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2] ?? ''}`);
  for (let at = body.indexOf(delimiter); at !== -1; ) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2); // between the CRLFs around the delimiters
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1 && /filename=/i.test(part.subarray(0, headerEnd).toString('utf8'))) return part.subarray(headerEnd + 4);
    at = next;
  }
  return undefined;
}

/** Fields that are plain strings even when they look like JSON (a message text "[1, 2]" stays a string). */
const STRING_FIELDS = new Set([
  'text', 'markdown_text', 'username', 'icon_emoji', 'icon_url', 'channel', 'ts', 'thread_ts', 'message_ts', 'user', 'users',
  'trigger_id', 'interactivity_pointer', 'view_id', 'external_id', 'hash', 'cursor', 'query', 'team_id',
]);

/** Form fields are strings; those holding a JSON object or array (blocks, view, attachments, …) are parsed. */
function formParams(search: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of search) params[key] = !STRING_FIELDS.has(key) && /^\s*[[{]/.test(value) ? parseJsonOr(value) : value;
  return params;
}

function parseJsonOr(value: string): unknown {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? parsed : value;
  } catch {
    return value;
  }
}
