/**
 * A fake Telegram Bot API server for tests: a local node:http server that speaks enough of the Bot API
 * (https://core.telegram.org/bots/api) for grammY and Telegraf to run unmodified against it.
 *
 *   const fake = await FakeTelegram.start();
 *   const bot = new Bot(fake.token, { client: { apiRoot: fake.url } });          // grammY
 *   const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });   // Telegraf
 *
 * Tests play the customer (`userSays`, `userPresses`, …: updates queued for getUpdates) and read every
 * call the bot made (`calls`, `callsTo`, `sentTo`, `documentsTo`, `waitForCall`). Errors look like the real API's:
 * `{ ok: false, error_code, description, parameters? }` with the matching HTTP status.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type {
  BotCommand,
  CallbackQuery,
  Chat,
  File,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  Update,
  User,
  UserFromGetMe,
} from 'grammy/types';

/** What the fake answered to a call: exactly the JSON that went over the wire. */
export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

/** The Bot API's ResponseParameters. */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** One API call the bot made. `response` is set once answered (a pending long poll has none yet). */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  response?: ApiResponse;
}

/** A customer. In a private chat the chat id equals the user id. */
export interface FakeUser {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

/** An error to inject with {@link FakeTelegram.failNext}. */
export type InjectedFailure =
  | { code: 429; retryAfter: number }
  | { code: 403; description?: string }
  | { code: 500; description?: string }
  | { code: 400; description: string; migrateToChatId?: number }
  /** The connection is cut before any answer (the client sees ECONNRESET or a hang-up); nothing is done. */
  | { code: 'reset' };

/** A file part of a multipart request, as recorded in `params`: its content is kept as its size and SHA-256 (hex). */
export interface UploadedFile {
  filename: string;
  contentType?: string;
  size: number;
  sha256: string;
}

/** Options of {@link FakeTelegram.start}. */
export interface FakeTelegramOptions {
  /** The bot token the fake accepts; default '123456:TEST-token'. Its number is the bot's user id. */
  token?: string;
  /** The clock for `date` fields; default the real one. */
  now?: () => Date;
}

/** A message in a private chat with a customer, as in `Update.message`. */
type ChatMessage = Message & Update.NonChannel;

interface RegisteredFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
}

interface PendingPoll {
  res: http.ServerResponse;
  call: RecordedCall;
  limit: number;
  timer: NodeJS.Timeout;
}

interface StoredMessage {
  message: ChatMessage;
  fromBot: boolean;
}

/** Telegram's limit for files a bot may download with getFile. */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;
/** Telegram's limit for files a bot uploads. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const MAX_CALLBACK_DATA_BYTES = 64;

/** Thrown inside method handlers; becomes `{ ok: false, … }`. */
class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}

const badRequest = (what: string): ApiFailure => new ApiFailure(400, `Bad Request: ${what}`);

let userCounter = 0;

/** A customer with a fresh, unique id (per process). */
export function fakeUser(overrides: Partial<FakeUser> = {}): FakeUser {
  userCounter += 1;
  return {
    id: 700_000_000 + userCounter,
    firstName: `Customer${userCounter}`,
    lastName: 'Test',
    username: `customer_${userCounter}`,
    languageCode: 'en',
    ...overrides,
  };
}

/** The local fake Bot API server. Create with {@link FakeTelegram.start}; {@link FakeTelegram.close} when done. */
export class FakeTelegram {
  /** The apiRoot to hand to grammY/Telegraf, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  readonly token: string;
  /** Every call the bot made, in arrival order (failed ones included, with their error `response`). */
  readonly calls: RecordedCall[] = [];
  /** The bot's own user, as getMe returns it. */
  readonly botUser: UserFromGetMe;
  /** Set by setWebhook, cleared by deleteWebhook. */
  webhook: { url: string; secretToken?: string } | undefined;
  /** The commands the bot registered with setMyCommands (default scope). */
  commands: BotCommand[] = [];

  private readonly server: http.Server;
  private readonly now: () => Date;
  /** Updates not yet confirmed (by a getUpdates offset or a successful webhook delivery). */
  private queue: Update[] = [];
  private nextUpdateId = 10_000;
  private pending: PendingPoll | undefined;
  private readonly failures = new Map<string, { failure: InjectedFailure; remaining: number }[]>();
  private readonly chats = new Map<string, { nextMessageId: number; messages: Map<number, StoredMessage> }>();
  private readonly users = new Map<number, FakeUser>();
  private readonly files = new Map<string, RegisteredFile>();
  private readonly openCallbackQueries = new Set<string>();
  private fileCounter = 0;
  private callbackCounter = 0;
  private closed = false;

  private constructor(server: http.Server, url: string, options: FakeTelegramOptions) {
    this.server = server;
    this.url = url;
    this.token = options.token ?? '123456:TEST-token';
    this.now = options.now ?? (() => new Date());
    const botId = Number(/^(\d+):/.exec(this.token)?.[1] ?? '123456');
    this.botUser = {
      id: botId,
      is_bot: true,
      first_name: 'Claimdesk Test Bot',
      username: 'claimdesk_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    server.on('request', (req, res) => {
      this.onRequest(req, res).catch(() => res.destroy());
    });
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const server = http.createServer();
    // idle connections stay open for a minute: with the default 5 s a client reusing a socket just as
    // the server closed it gets ECONNRESET (a race real Telegram makes rare; a benchmark pausing
    // one side for ~5 s met it)
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new FakeTelegram(server, `http://127.0.0.1:${port}`, options);
  }

  // ---------------------------------------------------------------- reading what the bot did

  /** The calls of one method (case-insensitive, as the Bot API's method names). */
  callsTo(method: string): RecordedCall[] {
    const wanted = method.toLowerCase();
    return this.calls.filter((c) => c.method.toLowerCase() === wanted);
  }

  /** Messages the bot sent to a chat (sendMessage params, in order; only calls that succeeded). */
  sentTo(chatId: number | string): Record<string, unknown>[] {
    return this.callsTo('sendMessage')
      .filter((c) => c.response?.ok === true && String(c.params.chat_id) === String(chatId))
      .map((c) => c.params);
  }

  /** Files the bot sent to a chat with sendDocument (the uploaded parts, in order; only calls that succeeded). */
  documentsTo(chatId: number | string): UploadedFile[] {
    return this.callsTo('sendDocument')
      .filter((c) => c.response?.ok === true && String(c.params.chat_id) === String(chatId))
      .flatMap((c) => (isUpload(c.params.document) ? [c.params.document] : []));
  }

  /**
   * Resolves with the first recorded call (past or future) of `method` that matches the predicate.
   * Polls; rejects after timeoutMs (default 5000) or when the fake is closed.
   */
  waitForCall(method: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.callsTo(method).find(predicate);
        if (found) {
          resolve(found);
          return;
        }
        if (this.closed || Date.now() >= deadline) {
          const seen = this.calls.map((c) => c.method).join(', ') || 'none';
          reject(new Error(`FakeTelegram: no matching ${method} call within ${timeoutMs} ms${this.closed ? ' (closed)' : ''}; calls so far: ${seen}`));
          return;
        }
        setTimeout(check, 10);
      };
      check();
    });
  }

  // ---------------------------------------------------------------- playing the customer

  /** The customer writes `text` in their private chat with the bot. A leading /command gets its bot_command entity. */
  userSays(user: FakeUser, text: string): Update {
    const message: ChatMessage = { ...this.newUserMessage(user), text };
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
    if (command) {
      const entity: MessageEntity = { type: 'bot_command', offset: 0, length: command[0].length };
      message.entities = [entity];
    }
    return this.queueMessage(message);
  }

  /**
   * The customer presses an inline button. Without `messageId` the button is looked up on the latest bot message
   * in the chat that carries it (throws if there is none: a customer can only press buttons they see); with
   * `messageId` nothing is checked (stale or forged data).
   */
  userPresses(user: FakeUser, callbackData: string, messageId?: number): Update {
    this.users.set(user.id, user);
    const chatKey = String(user.id);
    let stored: StoredMessage | undefined;
    if (messageId === undefined) {
      const botMessages = [...(this.chats.get(chatKey)?.messages.values() ?? [])].filter((m) => m.fromBot).reverse();
      stored = botMessages.find((m) => buttonData(m.message.reply_markup).includes(callbackData));
      if (!stored) {
        const visible = botMessages.flatMap((m) => buttonData(m.message.reply_markup).map((d) => `${m.message.message_id}:${d}`));
        throw new Error(`FakeTelegram: no bot message in chat ${user.id} has a button with callback_data "${callbackData}" (buttons: ${visible.join(', ') || 'none'})`);
      }
    } else {
      stored = this.chats.get(chatKey)?.messages.get(messageId);
    }
    const message: ChatMessage = stored?.message ?? {
      message_id: messageId ?? 0,
      date: this.unixNow(),
      chat: privateChat(user),
      from: this.botUser,
    };
    this.callbackCounter += 1;
    const id = `${String(Date.now())}${String(this.callbackCounter).padStart(6, '0')}`;
    this.openCallbackQueries.add(id);
    const query: CallbackQuery = {
      id,
      from: telegramUser(user),
      message,
      chat_instance: String(4_000_000_000_000_000 + user.id),
      data: callbackData,
    };
    return this.enqueue({ callback_query: query });
  }

  /** The customer sends a photo (three sizes; the largest has `fileSize`, default 120 kB). */
  userSendsPhoto(user: FakeUser, opts: { caption?: string; fileSize?: number } = {}): Update {
    const largest = opts.fileSize ?? 120_000;
    const sizes: [number, number][] = [[90, Math.min(largest, 1_500)], [320, Math.min(largest, 20_000)], [1280, largest]];
    const photo: PhotoSize[] = sizes.map(([side, size]) => {
      const file = this.registerFile(size, 'photos', 'jpg', 'AgACAgIAAxkBAAI');
      return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: size, width: side, height: Math.round(side * 0.75) };
    });
    const message: ChatMessage = { ...this.newUserMessage(user), photo };
    if (opts.caption !== undefined) message.caption = opts.caption;
    return this.queueMessage(message);
  }

  /** The customer sends a file. Over 20 MB its getFile fails like the real API's. */
  userSendsDocument(user: FakeUser, opts: { fileName: string; fileSize: number; mimeType?: string; caption?: string }): Update {
    const extension = /\.([A-Za-z0-9]+)$/.exec(opts.fileName)?.[1]?.toLowerCase() ?? 'bin';
    const file = this.registerFile(opts.fileSize, 'documents', extension, 'BQACAgIAAxkBAAI');
    const message: ChatMessage = {
      ...this.newUserMessage(user),
      document: {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_name: opts.fileName,
        mime_type: opts.mimeType ?? MIME_TYPES[extension] ?? 'application/octet-stream',
        file_size: opts.fileSize,
      },
    };
    if (opts.caption !== undefined) message.caption = opts.caption;
    return this.queueMessage(message);
  }

  /** The customer shares their own contact (e.g. through a request_contact keyboard button). */
  userSharesContact(user: FakeUser, phone: string): Update {
    const message: ChatMessage = { ...this.newUserMessage(user), contact: { phone_number: phone, first_name: user.firstName, user_id: user.id } };
    if (user.lastName !== undefined && message.contact) message.contact.last_name = user.lastName;
    return this.queueMessage(message);
  }

  /** Telegram no longer has a file (as after its storage time): getFile answers `invalid file_id`, its download 404. */
  forgetFile(fileId: string): void {
    this.files.delete(fileId);
  }

  /** The customer sends a sticker. */
  userSendsSticker(user: FakeUser): Update {
    const file = this.registerFile(24_000, 'stickers', 'webp', 'CAACAgIAAxkBAAI');
    const message: ChatMessage = {
      ...this.newUserMessage(user),
      sticker: {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: '👍',
        set_name: 'FakeStickers',
        file_size: file.file_size,
      },
    };
    return this.queueMessage(message);
  }

  /** The customer sends a 3-second voice note. */
  userSendsVoice(user: FakeUser): Update {
    const file = this.registerFile(9_000, 'voice', 'oga', 'AwACAgIAAxkBAAI');
    const message: ChatMessage = {
      ...this.newUserMessage(user),
      voice: { file_id: file.file_id, file_unique_id: file.file_unique_id, duration: 3, mime_type: 'audio/ogg', file_size: file.file_size },
    };
    return this.queueMessage(message);
  }

  /** Queues any raw update (edited_message, my_chat_member, …); an `update_id` is assigned if missing. Returns it. */
  enqueue(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const full: Update = { ...update, update_id: update.update_id ?? this.nextUpdateId };
    this.nextUpdateId = Math.max(this.nextUpdateId, full.update_id) + 1;
    this.queue.push(full);
    this.wakePendingPoll();
    return full;
  }

  /** The HTTP request Telegram would make to the webhook for this update: the JSON body and headers (with the secret token if set). */
  webhookRequest(update: Update): { body: string; headers: Record<string, string> } {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.webhook?.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = this.webhook.secretToken;
    return { body: JSON.stringify(update), headers };
  }

  /**
   * Posts the update to the webhook (or to `url`, e.g. the local server behind the https address) as Telegram does.
   * On a 2xx answer the update counts as delivered (it leaves the getUpdates queue), and a webhook reply
   * (a JSON body with `method`, as Telegraf sends by default) is executed and recorded like an API call.
   * Returns the HTTP status of the webhook's answer.
   */
  async deliverToWebhook(update: Update, url?: string): Promise<number> {
    const target = url ?? this.webhook?.url;
    if (target === undefined) throw new Error('FakeTelegram: no webhook set and no url given');
    const { body, headers } = this.webhookRequest(update);
    const response = await fetch(target, { method: 'POST', headers, body });
    const text = await response.text();
    if (response.ok) {
      this.queue = this.queue.filter((u) => u.update_id !== update.update_id);
      const reply = parseJsonObject(text);
      if (reply && typeof reply.method === 'string') {
        const { method, ...params } = reply;
        this.record(method, params);
      }
    }
    return response.status;
  }

  /** Updates queued and not yet confirmed. */
  get pendingUpdates(): readonly Update[] {
    return this.queue;
  }

  // ---------------------------------------------------------------- failure injection

  /** The next `times` (default 1) calls of `method` fail with this error (after the token check, before validation). */
  failNext(method: string, error: InjectedFailure, times = 1): void {
    const key = method.toLowerCase();
    const list = this.failures.get(key) ?? [];
    list.push({ failure: error, remaining: times });
    this.failures.set(key, list);
  }

  /** Stops the server; a pending long poll is answered with no updates first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending) this.answerPoll(this.pending, []);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 50).unref();
    });
  }

  // ---------------------------------------------------------------- HTTP

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      this.serveFile(res, file[1] ?? '', decodeURIComponent(file[2] ?? ''));
      return;
    }
    const match = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
    if (!match) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const methodName = CANONICAL[match[2]?.toLowerCase() ?? ''] ?? match[2] ?? '';
    let params: Record<string, unknown>;
    try {
      params = { ...queryParams(url.searchParams), ...parseBody(req.headers['content-type'], body) };
    } catch {
      const call: RecordedCall = { method: methodName, params: {}, at: Date.now() };
      this.calls.push(call);
      this.respond(res, call, { ok: false, error_code: 400, description: "Bad Request: can't parse request body" });
      return;
    }
    if (typeof params.method === 'string' && params.method.toLowerCase() === methodName.toLowerCase()) delete params.method; // Telegraf's multipart adds it
    const call: RecordedCall = { method: methodName, params, at: Date.now() };
    this.calls.push(call);
    if (match[1] !== this.token) {
      this.respond(res, call, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const injected = this.takeFailure(methodName);
    if (injected === 'reset') {
      req.socket.destroy();
      return;
    }
    if (injected) {
      this.respond(res, call, injected);
      return;
    }
    if (methodName === 'getUpdates') {
      this.getUpdates(res, call);
      return;
    }
    this.respond(res, call, this.execute(methodName, params));
  }

  private respond(res: http.ServerResponse, call: RecordedCall, response: ApiResponse): void {
    call.response = response;
    sendJson(res, response.ok ? 200 : response.error_code, response);
  }

  /** Records and runs a call that did not come over HTTP (a webhook reply). */
  private record(method: string, params: Record<string, unknown>): void {
    const methodName = CANONICAL[method.toLowerCase()] ?? method;
    const call: RecordedCall = { method: methodName, params, at: Date.now() };
    this.calls.push(call);
    const injected = this.takeFailure(methodName);
    // a webhook reply has no connection of its own to cut: the call is simply lost
    if (injected === 'reset') return;
    call.response = injected ?? (methodName === 'getUpdates'
      ? { ok: false, error_code: 400, description: 'Bad Request: method is unavailable in a webhook reply' }
      : this.execute(methodName, params));
  }

  private takeFailure(method: string): ApiResponse | 'reset' | undefined {
    const list = this.failures.get(method.toLowerCase());
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) list.shift();
    const f = head.failure;
    switch (f.code) {
      case 'reset':
        return 'reset';
      case 429:
        return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${f.retryAfter}`, parameters: { retry_after: f.retryAfter } };
      case 403:
        return { ok: false, error_code: 403, description: f.description ?? 'Forbidden: bot was blocked by the user' };
      case 500:
        return { ok: false, error_code: 500, description: f.description ?? 'Internal Server Error' };
      case 400: {
        const description = f.description.startsWith('Bad Request') ? f.description : `Bad Request: ${f.description}`;
        return f.migrateToChatId === undefined
          ? { ok: false, error_code: 400, description }
          : { ok: false, error_code: 400, description, parameters: { migrate_to_chat_id: f.migrateToChatId } };
      }
    }
  }

  private serveFile(res: http.ServerResponse, token: string, filePath: string): void {
    const file = [...this.files.values()].find((f) => f.file_path === filePath);
    if (token !== this.token || !file || file.file_size > MAX_DOWNLOAD_BYTES) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.file_size) });
    res.end(Buffer.alloc(file.file_size, 0x2a));
  }

  // ---------------------------------------------------------------- getUpdates (long polling)

  private getUpdates(res: http.ServerResponse, call: RecordedCall): void {
    if (this.webhook) {
      this.respond(res, call, {
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      return;
    }
    const offset = intParam(call.params, 'offset') ?? 0;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
    const limit = Math.min(100, Math.max(1, intParam(call.params, 'limit') ?? 100));
    const timeoutSeconds = Math.max(0, intParam(call.params, 'timeout') ?? 0);
    if (this.pending) {
      // Telegram answers the older of two concurrent polls with 409 (two bot instances on one token)
      const older = this.pending;
      this.pending = undefined;
      clearTimeout(older.timer);
      this.respond(older.res, older.call, {
        ok: false,
        error_code: 409,
        description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    if (this.queue.length > 0 || timeoutSeconds === 0 || this.closed) {
      this.respond(res, call, { ok: true, result: this.queue.slice(0, limit) });
      return;
    }
    const poll: PendingPoll = {
      res,
      call,
      limit,
      timer: setTimeout(() => this.answerPoll(poll, []), timeoutSeconds * 1000),
    };
    this.pending = poll;
    res.on('close', () => {
      // the client gave up (an aborted fetch when the bot stops)
      if (this.pending === poll) {
        clearTimeout(poll.timer);
        this.pending = undefined;
      }
    });
  }

  private answerPoll(poll: PendingPoll, updates: Update[]): void {
    clearTimeout(poll.timer);
    if (this.pending === poll) this.pending = undefined;
    if (!poll.res.writableEnded && !poll.res.destroyed) this.respond(poll.res, poll.call, { ok: true, result: updates });
  }

  private wakePendingPoll(): void {
    const poll = this.pending;
    if (poll) this.answerPoll(poll, this.queue.slice(0, poll.limit));
  }

  // ---------------------------------------------------------------- the methods

  private execute(method: string, params: Record<string, unknown>): ApiResponse {
    const handler = this.handlers[method.toLowerCase()];
    if (!handler) return { ok: false, error_code: 404, description: 'Not Found: method not found' };
    try {
      const result = handler(params);
      return result instanceof WithDescription ? { ok: true, result: result.result, description: result.description } : { ok: true, result };
    } catch (error) {
      if (error instanceof ApiFailure) {
        return error.parameters
          ? { ok: false, error_code: error.code, description: error.description, parameters: error.parameters }
          : { ok: false, error_code: error.code, description: error.description };
      }
      const description = error instanceof Error ? error.message : String(error);
      return { ok: false, error_code: 500, description: `Internal Server Error: ${description}` };
    }
  }

  private readonly handlers: Record<string, ((params: Record<string, unknown>) => unknown) | undefined> = {
    getme: () => this.botUser,
    logout: () => true,
    setwebhook: (p) => {
      const url = stringParam(p, 'url') ?? '';
      if (url === '') {
        const had = this.webhook !== undefined;
        this.webhook = undefined;
        return new WithDescription(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
      }
      if (!/^https:\/\/[^/\s]+/i.test(url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      const secretToken = stringParam(p, 'secret_token');
      if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) throw badRequest('secret token contains unallowed characters');
      if (p.drop_pending_updates === true) this.queue = [];
      this.webhook = secretToken === undefined ? { url } : { url, secretToken };
      return new WithDescription(true, 'Webhook was set');
    },
    deletewebhook: (p) => {
      const had = this.webhook !== undefined;
      this.webhook = undefined;
      if (p.drop_pending_updates === true) this.queue = [];
      return new WithDescription(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
    },
    getwebhookinfo: () => ({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length }),
    sendmessage: (p) => {
      const chatId = requireChatId(p);
      const text = formattedText(p);
      const markup = checkReplyMarkup(p.reply_markup);
      const chat = this.chatFor(chatId);
      const replyTo = intParam(p, 'reply_to_message_id') ?? intParam(asRecord(p.reply_parameters) ?? {}, 'message_id');
      const allowWithout = p.allow_sending_without_reply === true || asRecord(p.reply_parameters)?.allow_sending_without_reply === true;
      if (replyTo !== undefined && !allowWithout && !this.chats.get(String(chatId))?.messages.has(replyTo)) throw badRequest('message to be replied not found');
      const message: ChatMessage = { message_id: this.nextMessageId(String(chatId)), from: this.botUser, chat, date: this.unixNow(), text };
      if (markup) message.reply_markup = markup;
      this.store(message, true);
      return message;
    },
    senddocument: (p) => {
      const chatId = requireChatId(p);
      const chat = this.chatFor(chatId);
      const document = this.documentOf(p.document);
      const caption = stringParam(p, 'caption');
      if (caption !== undefined && caption.length > MAX_CAPTION_LENGTH) throw badRequest('message caption is too long');
      const markup = checkReplyMarkup(p.reply_markup);
      const message: ChatMessage = { message_id: this.nextMessageId(String(chatId)), from: this.botUser, chat, date: this.unixNow(), document };
      if (caption !== undefined && caption !== '') message.caption = caption;
      if (markup) message.reply_markup = markup;
      this.store(message, true);
      return message;
    },
    editmessagetext: (p) => {
      const text = formattedText(p);
      const markup = checkReplyMarkup(p.reply_markup);
      if (stringParam(p, 'inline_message_id') !== undefined) return true;
      const stored = this.messageToEdit(p);
      const before = stored.message;
      if (before.text === undefined) throw badRequest("there is no text in the message to edit");
      if (before.text === text && sameJson(before.reply_markup, markup)) {
        throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
      }
      const edited: ChatMessage = { ...before, text, edit_date: this.unixNow() };
      delete edited.reply_markup;
      if (markup) edited.reply_markup = markup;
      this.store(edited, true);
      return edited;
    },
    editmessagereplymarkup: (p) => {
      const markup = checkReplyMarkup(p.reply_markup);
      if (stringParam(p, 'inline_message_id') !== undefined) return true;
      const stored = this.messageToEdit(p);
      if (sameJson(stored.message.reply_markup, markup)) {
        throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
      }
      const edited: ChatMessage = { ...stored.message, edit_date: this.unixNow() };
      delete edited.reply_markup;
      if (markup) edited.reply_markup = markup;
      this.store(edited, true);
      return edited;
    },
    deletemessage: (p) => {
      const chatId = requireChatId(p);
      const messageId = intParam(p, 'message_id');
      const messages = this.chats.get(String(chatId))?.messages;
      if (messageId === undefined || !messages?.delete(messageId)) throw badRequest('message to delete not found');
      return true;
    },
    answercallbackquery: (p) => {
      const id = stringParam(p, 'callback_query_id');
      if (id === undefined || !this.openCallbackQueries.delete(id)) {
        throw badRequest('query is too old and response timeout expired or query ID is invalid');
      }
      return true;
    },
    getfile: (p) => {
      const fileId = stringParam(p, 'file_id');
      const file = fileId === undefined ? undefined : this.files.get(fileId);
      if (!file) throw badRequest('invalid file_id');
      if (file.file_size > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
      const result: File = { ...file };
      return result;
    },
    sendchataction: (p) => {
      requireChatId(p);
      const action = stringParam(p, 'action');
      if (action === undefined || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      return true;
    },
    setmycommands: (p) => {
      const commands = p.commands;
      if (!Array.isArray(commands)) throw badRequest('parameter "commands" is required');
      const checked: BotCommand[] = commands.map((entry: unknown) => {
        const c = asRecord(entry);
        const command = c && typeof c.command === 'string' ? c.command : '';
        const description = c && typeof c.description === 'string' ? c.description : '';
        if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
        if (description.trim() === '' || description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
        return { command, description };
      });
      if (p.scope === undefined && p.language_code === undefined) this.commands = checked;
      return true;
    },
    getmycommands: () => this.commands,
    deletemycommands: () => {
      this.commands = [];
      return true;
    },
  };

  // ---------------------------------------------------------------- helpers

  private unixNow(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private chatState(chatKey: string): { nextMessageId: number; messages: Map<number, StoredMessage> } {
    let state = this.chats.get(chatKey);
    if (!state) {
      state = { nextMessageId: 1, messages: new Map() };
      this.chats.set(chatKey, state);
    }
    return state;
  }

  /** Message ids count up per chat, shared by the customer's and the bot's messages (as in private chats). */
  private nextMessageId(chatKey: string): number {
    const state = this.chatState(chatKey);
    const id = state.nextMessageId;
    state.nextMessageId += 1;
    return id;
  }

  private store(message: ChatMessage, fromBot: boolean): void {
    this.chatState(String(message.chat.id)).messages.set(message.message_id, { message, fromBot });
  }

  private messageToEdit(p: Record<string, unknown>): StoredMessage {
    const chatId = requireChatId(p);
    const messageId = intParam(p, 'message_id');
    const stored = messageId === undefined ? undefined : this.chats.get(String(chatId))?.messages.get(messageId);
    if (!stored) throw badRequest('message to edit not found');
    if (!stored.fromBot) throw badRequest("message can't be edited");
    return stored;
  }

  private chatFor(chatId: number | string): Exclude<Chat, Chat.ChannelChat> {
    const id = typeof chatId === 'number' ? chatId : Number(chatId);
    if (!Number.isSafeInteger(id)) throw badRequest('chat not found');
    if (id < -1_000_000_000_000) return { id, type: 'supergroup', title: 'Fake supergroup' };
    if (id < 0) return { id, type: 'group', title: 'Fake group' };
    const user = this.users.get(id);
    return user ? privateChat(user) : { id, type: 'private', first_name: 'Unknown' };
  }

  private newUserMessage(user: FakeUser): ChatMessage {
    this.users.set(user.id, user);
    return { message_id: this.nextMessageId(String(user.id)), from: telegramUser(user), chat: privateChat(user), date: this.unixNow() };
  }

  private queueMessage(message: ChatMessage): Update {
    this.store(message, false);
    return this.enqueue({ message });
  }

  /**
   * The Document a sendDocument call sends: an uploaded file (registered, so getFile finds it) or
   * the file_id of a file Telegram has. Its MIME type comes from the name's extension, as an upload
   * through grammY or Telegraf names no type of its own.
   */
  private documentOf(value: unknown): NonNullable<Message['document']> {
    if (typeof value === 'string') {
      const known = this.files.get(value);
      if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
      return { file_id: known.file_id, file_unique_id: known.file_unique_id, file_size: known.file_size };
    }
    if (!isUpload(value)) throw badRequest('there is no document in the request');
    if (value.size === 0) throw badRequest('file must be non-empty');
    if (value.size > MAX_UPLOAD_BYTES) throw new ApiFailure(413, 'Request Entity Too Large');
    const extension = /\.([A-Za-z0-9]+)$/.exec(value.filename)?.[1]?.toLowerCase() ?? 'bin';
    const file = this.registerFile(value.size, 'documents', extension, 'BQACAgIAAxkBAAI');
    return {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_name: value.filename,
      mime_type: MIME_TYPES[extension] ?? 'application/octet-stream',
      file_size: value.size,
    };
  }

  private registerFile(size: number, dir: string, extension: string, idPrefix: string): RegisteredFile {
    this.fileCounter += 1;
    const file: RegisteredFile = {
      file_id: `${idPrefix}${randomBytes(24).toString('base64url')}`,
      file_unique_id: `AQAD${randomBytes(8).toString('base64url')}`,
      file_size: size,
      file_path: `${dir}/file_${this.fileCounter}.${extension}`,
    };
    this.files.set(file.file_id, file);
    return file;
  }
}

/** A successful result that carries the API's `description` too (setWebhook's "Webhook was set"). */
class WithDescription {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

/** Method names as the API documents them; the API itself is case-insensitive. */
const CANONICAL: Record<string, string | undefined> = Object.fromEntries(
  [
    'getMe', 'logOut', 'getUpdates', 'setWebhook', 'deleteWebhook', 'getWebhookInfo', 'sendMessage', 'sendDocument', 'editMessageText',
    'editMessageReplyMarkup', 'deleteMessage', 'answerCallbackQuery', 'getFile', 'sendChatAction', 'setMyCommands',
    'getMyCommands', 'deleteMyCommands',
  ].map((m) => [m.toLowerCase(), m]),
);

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

const MIME_TYPES: Record<string, string | undefined> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  mp4: 'video/mp4',
  txt: 'text/plain',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  zip: 'application/zip',
};

function telegramUser(user: FakeUser): User {
  const result: User = { id: user.id, is_bot: false, first_name: user.firstName };
  if (user.lastName !== undefined) result.last_name = user.lastName;
  if (user.username !== undefined) result.username = user.username;
  if (user.languageCode !== undefined) result.language_code = user.languageCode;
  return result;
}

function privateChat(user: FakeUser): Chat.PrivateChat {
  const chat: Chat.PrivateChat = { id: user.id, type: 'private', first_name: user.firstName };
  if (user.lastName !== undefined) chat.last_name = user.lastName;
  if (user.username !== undefined) chat.username = user.username;
  return chat;
}

/** The callback_data of every button of an inline keyboard. */
function buttonData(markup: InlineKeyboardMarkup | undefined): string[] {
  return (markup?.inline_keyboard ?? []).flat().flatMap((b) => ('callback_data' in b ? [b.callback_data] : []));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

// ---------------------------------------------------------------- parameters

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringParam(p: Record<string, unknown>, key: string): string | undefined {
  const value = p[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function intParam(p: Record<string, unknown>, key: string): number | undefined {
  const value = p[key];
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function requireChatId(p: Record<string, unknown>): number | string {
  const value = p.chat_id;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') return /^-?\d+$/.test(value) ? Number(value) : value;
  throw badRequest('chat_id is empty');
}

/** Validates text + parse_mode like the API and returns the text as it will appear (markup removed). */
function formattedText(p: Record<string, unknown>): string {
  const raw = stringParam(p, 'text') ?? '';
  const parseMode = stringParam(p, 'parse_mode');
  let plain: string;
  switch (parseMode?.toLowerCase()) {
    case undefined:
    case '':
      plain = raw;
      break;
    case 'html':
      plain = parseHtml(raw);
      break;
    case 'markdownv2':
      plain = parseMarkdownV2(raw);
      break;
    case 'markdown':
      plain = parseLegacyMarkdown(raw);
      break;
    default:
      throw badRequest(`unsupported parse_mode`);
  }
  if (plain.trim() === '') throw badRequest('message text is empty');
  if (plain.length > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  return plain;
}

const BUTTON_ACTIONS = [
  'callback_data', 'url', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
];

/** Checks an inline keyboard like the API does; returns it when it is one (only inline keyboards are echoed in a Message). */
function checkReplyMarkup(value: unknown): InlineKeyboardMarkup | undefined {
  const markup = asRecord(value);
  if (!markup || !('inline_keyboard' in markup)) return undefined;
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  for (const row of rows as unknown[][]) {
    for (const entry of row) {
      const button = asRecord(entry);
      if (!button || typeof button.text !== 'string') throw badRequest("can't parse inline keyboard button: Text must be a String");
      if (!BUTTON_ACTIONS.some((action) => action in button)) throw badRequest('text buttons are unallowed in the inline keyboard');
      if ('callback_data' in button) {
        const data = button.callback_data;
        if (typeof data !== 'string' || data === '' || Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_DATA_BYTES) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
      }
    }
  }
  return markup as unknown as InlineKeyboardMarkup;
}

// ---------------------------------------------------------------- formatting (parse_mode)

const entityError = (what: string): ApiFailure => badRequest(`can't parse entities: ${what}`);
const byteOffset = (text: string, index: number): number => Buffer.byteLength(text.slice(0, index), 'utf8');

const HTML_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji', 'tg-time',
]);
const HTML_TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*>/;
const HTML_ENTITY = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/;

/** Telegram's HTML style: the supported tags, properly nested; `<` only as a tag; the four named entities decoded. */
function parseHtml(text: string): string {
  const open: string[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '<') {
      const tag = HTML_TAG.exec(text.slice(i));
      const name = tag?.[2]?.toLowerCase() ?? /^<\/?([^\s>]*)/.exec(text.slice(i))?.[1] ?? '';
      if (!tag || !HTML_TAGS.has(name)) throw entityError(`Unsupported start tag "${name}" at byte offset ${byteOffset(text, i)}`);
      if (tag[1] === '/') {
        const top = open.pop();
        if (top === undefined) throw entityError(`Unexpected end tag at byte offset ${byteOffset(text, i)}`);
        if (top !== name) throw entityError(`Unmatched end tag at byte offset ${byteOffset(text, i)}, expected "</${top}>", found "</${name}>"`);
      } else {
        open.push(name);
      }
      i += tag[0].length;
      continue;
    }
    if (ch === '&') {
      const entity = HTML_ENTITY.exec(text.slice(i));
      if (entity) {
        const body = entity[1] ?? '';
        const named: Record<string, string | undefined> = { lt: '<', gt: '>', amp: '&', quot: '"' };
        plain += named[body] ?? String.fromCodePoint(body.startsWith('#x') ? parseInt(body.slice(2), 16) : Number(body.slice(1)));
        i += entity[0].length;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) throw entityError(`Can't find end tag corresponding to start tag "${unclosed}"`);
  return plain;
}

const MARKDOWN_V2_RESERVED = '_*[]()~`>#+-=|{}.!';
const V2_ENTITY_NAMES: Record<string, string | undefined> = {
  '*': 'Bold', _: 'Italic', __: 'Underline', '~': 'Strikethrough', '||': 'Spoiler', '[': 'TextUrl', '`': 'Code', '```': 'Pre',
};

/** MarkdownV2: every reserved character outside the markup must be escaped with `\`; markup must be balanced. */
function parseMarkdownV2(text: string): string {
  const open: { marker: string; index: number }[] = [];
  let plain = '';
  let i = 0;
  const endOf = (entry: { marker: string; index: number }): ApiFailure =>
    entityError(`Can't find end of ${V2_ENTITY_NAMES[entry.marker] ?? 'the'} entity at byte offset ${byteOffset(text, entry.index)}`);
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\') {
      plain += text.charAt(i + 1);
      i += 2;
      continue;
    }
    if (ch === '`') {
      const fence = text.startsWith('```', i) ? '```' : '`';
      let j = i + fence.length;
      let content = '';
      while (j < text.length && !text.startsWith(fence, j)) {
        if (text.charAt(j) === '\\' && j + 1 < text.length) {
          content += text.charAt(j + 1);
          j += 2;
        } else {
          content += text.charAt(j);
          j += 1;
        }
      }
      if (j >= text.length) throw endOf({ marker: fence, index: i });
      plain += fence === '```' ? content.replace(/^[^\s`]*\n/, '') : content;
      i = j + fence.length;
      continue;
    }
    if (ch === '>' && (i === 0 || text.charAt(i - 1) === '\n')) {
      i += 1; // block quotation
      continue;
    }
    if (ch === '!' && text.charAt(i + 1) === '[') {
      i += 1; // custom emoji ![👍](tg://emoji?id=…)
      continue;
    }
    if (ch === '[') {
      open.push({ marker: '[', index: i });
      i += 1;
      continue;
    }
    if (ch === ']' && open.at(-1)?.marker === '[') {
      open.pop();
      if (text.charAt(i + 1) !== '(') throw entityError(`Character ']' is reserved and must be escaped with the preceding '\\'`);
      let j = i + 2;
      while (j < text.length && text.charAt(j) !== ')') j += text.charAt(j) === '\\' ? 2 : 1;
      if (j >= text.length) throw entityError(`Can't find end of a URL at byte offset ${byteOffset(text, i + 1)}`);
      i = j + 1;
      continue;
    }
    const marker = text.startsWith('__', i) ? '__' : text.startsWith('||', i) ? '||' : '*_~'.includes(ch) ? ch : undefined;
    if (marker !== undefined) {
      const top = open.at(-1);
      if (top?.marker === marker) open.pop();
      else if (top && open.some((entry) => entry.marker === marker)) throw endOf(top);
      else open.push({ marker, index: i });
      i += marker.length;
      continue;
    }
    if (MARKDOWN_V2_RESERVED.includes(ch)) throw entityError(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
    plain += ch;
    i += 1;
  }
  const first = open[0];
  if (first) throw endOf(first);
  return plain;
}

/** Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````, `[text](url)` must be closed. */
function parseLegacyMarkdown(text: string): string {
  let plain = '';
  let i = 0;
  const unclosed = (index: number): ApiFailure => entityError(`Can't find end of the entity starting at byte offset ${byteOffset(text, index)}`);
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\' && '*_`['.includes(text.charAt(i + 1))) {
      plain += text.charAt(i + 1);
      i += 2;
      continue;
    }
    const marker = text.startsWith('```', i) ? '```' : '*_`'.includes(ch) ? ch : undefined;
    if (marker !== undefined) {
      const end = text.indexOf(marker, i + marker.length);
      if (end === -1) throw unclosed(i);
      plain += text.slice(i + marker.length, end);
      i = end + marker.length;
      continue;
    }
    if (ch === '[') {
      const close = text.indexOf(']', i);
      if (close === -1) throw unclosed(i);
      plain += text.slice(i + 1, close);
      i = close + 1;
      if (text.charAt(i) === '(') {
        const end = text.indexOf(')', i);
        if (end === -1) throw unclosed(i);
        i = end + 1;
      }
      continue;
    }
    plain += ch;
    i += 1;
  }
  return plain;
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

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) });
  res.end(json);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Parses a JSON, urlencoded or multipart/form-data body into params. Throws on malformed JSON. */
function parseBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
    return parseMultipart(body, boundary?.[1] ?? boundary?.[2] ?? '');
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return queryParams(new URLSearchParams(body.toString('utf8')));
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  const record = asRecord(parsed);
  if (!record) throw new Error('body is not a JSON object');
  return record;
}

function queryParams(search: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of search) params[key] = coerceFormValue(key, value);
  return params;
}

function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (boundary === '') return params;
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    let start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body[start] === 13 && body[start + 1] === 10) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
      const filenameMatch = /filename=(?:"([^"]*)"|([^;\r\n]+))/i.exec(headers); // grammY leaves it unquoted
      const filename = filenameMatch?.[1] ?? filenameMatch?.[2]?.trim();
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
      if (name !== undefined) {
        if (filename === undefined) {
          params[name] = coerceFormValue(name, content.toString('utf8'));
        } else {
          const sha256 = createHash('sha256').update(content).digest('hex');
          const upload: UploadedFile = contentType === undefined ? { filename, size: content.length, sha256 } : { filename, contentType, size: content.length, sha256 };
          params[name] = upload;
        }
      }
    }
    position = next;
  }
  return resolveAttachments(params);
}

/** Replaces `attach://<name>` references (grammY's uploads, InputMedia) by the uploaded file parts they name. */
function resolveAttachments(params: Record<string, unknown>): Record<string, unknown> {
  const used = new Set<string>();
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const name = value.slice('attach://'.length);
      const upload = params[name];
      if (typeof upload === 'object' && upload !== null) {
        used.add(name);
        return upload;
      }
      return value;
    }
    if (Array.isArray(value)) return value.map(resolve);
    const record = asRecord(value);
    if (record && !isUpload(record)) return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  const resolved = Object.entries(params).map(([k, v]): [string, unknown] => [k, resolve(v)]);
  return Object.fromEntries(resolved.filter(([k]) => !used.has(k)));
}

function isUpload(value: unknown): value is UploadedFile {
  const record = asRecord(value);
  return record !== undefined && typeof record.filename === 'string' && typeof record.size === 'number' && typeof record.sha256 === 'string';
}

const NUMERIC_FIELDS = new Set([
  'chat_id', 'from_chat_id', 'message_id', 'message_thread_id', 'reply_to_message_id', 'offset', 'limit', 'timeout',
  'user_id', 'cache_time', 'max_connections', 'duration', 'width', 'height',
]);
const BOOLEAN_FIELDS = new Set([
  'disable_notification', 'protect_content', 'allow_sending_without_reply', 'disable_web_page_preview', 'show_alert',
  'drop_pending_updates', 'has_spoiler', 'is_personal', 'disable_content_type_detection', 'supports_streaming',
]);
const FREE_TEXT_FIELDS = new Set(['text', 'caption', 'description', 'title', 'question', 'explanation', 'callback_data', 'url', 'secret_token']);

/** Form fields are all strings: numbers and booleans of known fields are converted, JSON objects/arrays parsed. */
function coerceFormValue(key: string, value: string): unknown {
  if (NUMERIC_FIELDS.has(key) && /^-?\d+$/.test(value)) return Number(value);
  if (BOOLEAN_FIELDS.has(key) && (value === 'true' || value === 'false')) return value === 'true';
  if (!FREE_TEXT_FIELDS.has(key) && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}
