import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { safeFileName, type Attachment } from '../../../src/domain/claim.js';
import type { Locale } from '../../../src/domain/locale.js';
import { ClientAbortedError, clientAddress, HttpError, parseQuery, RateLimiter, readBody, readJson, sendFile, sendJson, sendText, type BodyPace, type ChannelHandle, type HttpServer, type RouteHandler } from '../../../src/http.js';
import type { Logger } from '../../../src/log.js';
import type { ConversationRunner } from '../../../flows/runner.js';
import type { Inbound, InboundContent, Sender } from '../../../flows/types.js';
import { allowedType, kindOf, matchesType, sendDownload, WEB_FILE_LIMIT_BYTES } from './files.js';
import { CHAT_PAGE_CSP, renderChatPage, WEB_TEXT_LIMIT } from './page.js';
import { pageLocale } from '../pages.js';
import type { CustomerLine, DeskFilePort, RateWindowPort, TranscriptEntry, TranscriptFile, UploadPort, WebChatPort, WebVisitor } from '../../../src/web-chat-ports.js';
import { LiveHub, WebSender } from './sender.js';

/** Where the chat lives on the app's HTTP server. */
export const WEB_CHAT_PATH = '/chat';

/** How many transcript entries one read returns at most. */
export const TRANSCRIPT_PAGE = 200;

/** Live connections one visitor may hold open at once (tabs); more are refused with 429. */
const MAX_STREAMS_PER_VISITOR = 5;
/** Bytes a live connection may have waiting for a slow reader before it is ended. */
const MAX_STREAM_BUFFER = 1024 * 1024;
/** Live connections one instance keeps open at most (each polls the store every few seconds). */
const MAX_STREAMS = 2000;
/** How fast an upload must arrive: within two minutes, and at 8 KB/s on average after its first 5 s. */
export const UPLOAD_PACE: BodyPace = { deadlineMs: 120_000, minBytesPerSecond: 8 * 1024, graceMs: 5_000 };

/** What one visitor may store, and the desk altogether (bytes). */
export interface UploadQuota {
  /** Per report (its files step) or claim (/add): default 50 MB. */
  readonly perTargetBytes: number;
  /** Per visitor in 24 hours: default 100 MB. */
  readonly perDayBytes: number;
  /** Every upload of the desk together: default 2 GB (WEB_UPLOADS_MAX_MB). */
  readonly deskBytes: number;
}
export const DEFAULT_UPLOAD_QUOTA: UploadQuota = { perTargetBytes: 50 * 1024 * 1024, perDayBytes: 100 * 1024 * 1024, deskBytes: 2048 * 1024 * 1024 };
/** How long the desk's total of stored bytes is reused before it is summed again. */
const TOTAL_BYTES_TTL_MS = 60_000;

/** How long a gap in the seq numbers is watched for a write still in flight in another instance. */
const GAP_WATCH_MS = 30_000;

export interface WebChatOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly runner: Pick<ConversationRunner, 'accept' | 'setSender' | 'filesTarget'>;
  readonly chat: WebChatPort;
  readonly uploads: UploadPort;
  /** The files staff send with replies (#25), for the visitor to download; without it the page lists them only. */
  readonly deskFiles?: DeskFilePort;
  /** The new-chat limits' windows, shared by the desk's instances (src/store/rate-windows.ts). */
  readonly windows: RateWindowPort;
  readonly defaultLocale: Locale;
  /** Failures by name, refusals by code; never message text, names, phones or file names. */
  readonly log: Logger;
  /** How often a live connection looks in the store for messages written elsewhere (default 3 s). */
  readonly pollMs?: number;
  /** How often a live connection sends a keep-alive comment (default 20 s). */
  readonly heartbeatMs?: number;
  /** New chats the desk (all its instances together) starts per minute from one client address (default 10). */
  readonly sessionsPerMinutePerAddress?: number;
  /** New chats the desk (all its instances together) starts per minute altogether, a last resort far above the per-address limit (default 600). */
  readonly sessionsPerMinute?: number;
  /** Reverse proxies in front of the desk whose X-Forwarded-For is trusted for the client address (TRUST_PROXY; default 0). */
  readonly trustProxy?: number;
  /** Uploads this instance reads at once at most (each is held in memory, up to 10 MB; default 4); one per visitor and per address. */
  readonly concurrentUploads?: number;
  /** How fast an upload must arrive (default UPLOAD_PACE). */
  readonly uploadPace?: BodyPace;
  /** What a visitor and the desk may store (default DEFAULT_UPLOAD_QUOTA). */
  readonly uploadQuota?: Partial<UploadQuota>;
  /** Messages, button presses and files one visitor may send a minute (default 30). */
  readonly postsPerMinute?: number;
}

/** The mounted web chat. */
export interface WebChat {
  /** The MessageSender for the `web` channel (already set on the runner). */
  readonly sender: WebSender;
  /** Ends the open live connections and their timers (on app stop, before the server closes). */
  close(): void;
}

/**
 * The web chat as a channel: mounts its routes (the page, the API, the live stream) and returns
 * how to stop it (its live connections end before the server closes).
 * @example const webChat = startWebChat({ http, runner, chat, uploads, defaultLocale: 'ru', log });
 */
export function startWebChat(options: WebChatOptions): ChannelHandle {
  const webChat = mountWebChat(options);
  return {
    stop: () => {
      webChat.close();
      return Promise.resolve();
    },
  };
}

/** A page's id for one message: 8–64 characters of A-Z, a-z, 0-9, `_`, `-`. */
const ClientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8–64 characters of A-Z, a-z, 0-9, "_" or "-"');
const Seq = z.string().regex(/^\d{1,15}$/, 'expected a message number (0 or more)').transform(Number);

const SessionBody = z.strictObject({
  languageCode: z
    .string()
    .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/, 'expected a language tag such as en-GB')
    .optional(),
});

const MessageBody = z
  .strictObject({
    id: ClientId,
    text: z.string().max(WEB_TEXT_LIMIT, `expected at most ${WEB_TEXT_LIMIT} characters`).optional(),
    choiceId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected the id of a button the desk offered').optional(),
    /** Sent by the page itself (the opening /start): handled, but not shown as the customer's line. */
    auto: z.literal(true).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.text === undefined) === (body.choiceId === undefined)) ctx.addIssue({ code: 'custom', path: ['text'], message: 'expected either text or choiceId' });
    else if (body.text !== undefined && body.text.trim() === '') ctx.addIssue({ code: 'custom', path: ['text'], message: 'expected a non-empty text' });
    if (body.auto && body.text !== '/start') ctx.addIssue({ code: 'custom', path: ['auto'], message: 'expected auto only with /start' });
  });

const TranscriptQuery = z.strictObject({
  after: Seq.optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'expected a number from 1 to 200').transform(Number).pipe(z.number().min(1, 'expected a number from 1 to 200').max(TRANSCRIPT_PAGE, 'expected a number from 1 to 200')).optional(),
});
const EventsQuery = z.strictObject({ after: Seq.optional() });

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/** A size for a refusal: whole megabytes, or bytes when less. */
function megabytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${String(bytes / 1024 / 1024)} MB` : `${String(bytes)} bytes`;
}

function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A transcript entry as the page sees it (no file ids). */
/** A transcript line as the page gets it; a desk line's files with where to download them (#25). */
function view(entry: TranscriptEntry) {
  const url = (index: number) => (entry.from === 'desk' ? { url: `${WEB_CHAT_PATH}/api/messages/${String(entry.seq)}/files/${String(index)}` } : {});
  return {
    seq: entry.seq,
    at: entry.at.toISOString(),
    from: entry.from,
    text: entry.text,
    ...(entry.choices ? { choices: entry.choices.map((c) => ({ id: c.id, label: c.label, ...(c.lasting ? { lasting: true } : {}) })) } : {}),
    ...(entry.expects ? { expects: entry.expects } : {}),
    ...(entry.files ? { files: entry.files.map((f, index) => ({ ...(f.name ? { name: f.name } : {}), mimeType: f.mimeType, sizeBytes: f.sizeBytes, ...url(index) })) } : {}),
    ...(entry.clientId ? { clientId: entry.clientId } : {}),
  };
}

function attachmentOf(file: TranscriptFile): Attachment {
  return { channel: 'web', kind: file.kind, fileId: file.fileId, ...(file.name ? { fileName: file.name } : {}), mimeType: file.mimeType, sizeBytes: file.sizeBytes };
}

function senderOf(visitor: WebVisitor): Sender {
  return { channel: 'web', chatId: visitor.id, userId: visitor.id, ...(visitor.languageCode ? { languageCode: visitor.languageCode } : {}) };
}

function unauthorized(): HttpError {
  return new HttpError(401, 'unauthorized', 'expected the chat token as Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="chat"' });
}

/**
 * The customer web chat: the page (`GET /chat`, its script and stylesheet), an anonymous session
 * (`POST /chat/api/session`), messages in (`POST /chat/api/messages`), files in
 * (`POST /chat/api/files`), the transcript (`GET /chat/api/messages?after=`) and the live stream
 * of new messages (`GET /chat/api/events`, Server-Sent Events). It only translates: the dialogs
 * decide, through the runner; desk messages come back through the WebSender it sets on the runner.
 * @example const chat = mountWebChat({ http, runner, chat: new WebChatStore(db), uploads: new FileStore(db), defaultLocale: 'ru', log });
 */
export function mountWebChat(options: WebChatOptions): WebChat {
  const { http, runner, chat, uploads, log } = options;
  const hub = new LiveHub();
  const sender = new WebSender(chat, hub);
  runner.setSender('web', sender);
  const streams = new Set<LiveStream>();
  let closed = false;
  const trustProxy = options.trustProxy ?? 0;
  // new chats: per client address first; the desk-wide limit is a last resort far above it. Both
  // are counted per minute in windows every instance shares, the address by its hash only
  const sessionsPerMinute = options.sessionsPerMinute ?? 600;
  const sessionsPerMinutePerAddress = options.sessionsPerMinutePerAddress ?? 10;
  const uploadSlots = options.concurrentUploads ?? 4;
  // the uploads being read: how many, and by whom (one at a time per visitor and per address)
  let uploading = 0;
  const uploadingVisitors = new Set<string>();
  const uploadingAddresses = new Set<string>();
  const pace = options.uploadPace ?? UPLOAD_PACE;
  const quota: UploadQuota = { ...DEFAULT_UPLOAD_QUOTA, ...options.uploadQuota };
  // the desk's stored bytes: summed at most once a minute, plus what this instance stored since
  let deskBytes: { readonly at: number; total: number } | undefined;
  const storedBytes = async () => {
    if (!deskBytes || Date.now() - deskBytes.at > TOTAL_BYTES_TTL_MS) deskBytes = { at: Date.now(), total: await uploads.totalBytes() };
    return deskBytes.total;
  };
  // per visitor: messages, presses and files together (a person never needs more; the page retries)
  const perVisitor = new RateLimiter(options.postsPerMinute ?? 30);
  const spend = (visitorId: string) => {
    if (!perVisitor.take(visitorId)) throw new HttpError(429, 'too_many_messages', 'too many messages at once; they will be sent shortly', { 'retry-after': String(perVisitor.retryAfterSeconds(visitorId)) });
  };

  /** A handler whose database failures answer 503 (try again), logged by name only. */
  const guarded =
    (what: string, handler: RouteHandler): RouteHandler =>
    async (req, res, params) => {
      try {
        await handler(req, res, params);
      } catch (error) {
        if (error instanceof HttpError) throw error;
        log.warn('web', `${what} failed; answered 503`, { error: error instanceof Error ? error.name : 'unknown' });
        throw new HttpError(503, 'unavailable', 'the desk cannot take this right now; try again', { 'retry-after': '2' });
      }
    };

  /** Refuses a file of `bytes` that would take a visitor or the desk past what they may store. */
  const checkQuota = async (visitorId: string, target: string, bytes: number, refuse: (status: number, code: string, message: string) => HttpError) => {
    if ((await storedBytes()) + bytes > quota.deskBytes) throw refuse(507, 'storage_full', 'the desk cannot take more files right now; describe the problem in words, or send the files later');
    if ((await uploads.bytesOf(visitorId, { target })) + bytes > quota.perTargetBytes) throw refuse(413, 'quota_exceeded', `expected at most ${megabytes(quota.perTargetBytes)} of files for one report or claim`);
    if ((await uploads.bytesOf(visitorId, { since: new Date(Date.now() - 86_400_000) })) + bytes > quota.perDayBytes) throw refuse(413, 'quota_exceeded', `expected at most ${megabytes(quota.perDayBytes)} of files a day`);
  };

  const visitorOf = async (req: IncomingMessage): Promise<WebVisitor> => {
    const match = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized();
    const visitor = await chat.visitorByTokenHash(sha256(match[1]));
    if (!visitor) throw unauthorized();
    return visitor;
  };

  /** Records a customer's line once per client id, hands the input to the dialogs, answers 202. */
  const take = async (res: ServerResponse, visitor: WebVisitor, clientId: string, content: InboundContent, line: CustomerLine | undefined) => {
    // the customer's line first, so the transcript shows it before the desk's answer
    if (line && (await chat.appendCustomer(visitor.id, clientId, line)).created) hub.notify(visitor.id);
    const inbound: Inbound = { updateId: `web:${visitor.id}:${clientId}`, from: senderOf(visitor), content };
    const recorded = await runner.accept(inbound);
    sendJson(res, 202, { status: 'accepted', duplicate: recorded.outcome === 'duplicate', ...(recorded.notice !== undefined ? { notice: recorded.notice } : {}) });
  };

  http.route('GET', WEB_CHAT_PATH, (req, res) => {
    const { locale, explicit } = pageLocale(new URL(req.url ?? '/', 'http://local').search, req.headers['accept-language'], options.defaultLocale);
    sendText(res, 200, 'text/html; charset=utf-8', renderChatPage(locale, explicit), { 'content-security-policy': CHAT_PAGE_CSP, 'cache-control': 'no-cache', vary: 'Accept-Language' });
  });
  http.route('GET', `${WEB_CHAT_PATH}/app.js`, (_req, res) => sendFile(res, `${PAGE_DIR}app.js`, 'text/javascript; charset=utf-8'));
  http.route('GET', `${WEB_CHAT_PATH}/app.css`, (_req, res) => sendFile(res, `${PAGE_DIR}app.css`, 'text/css; charset=utf-8'));

  http.route(
    'POST',
    `${WEB_CHAT_PATH}/api/session`,
    guarded('starting a chat', async (req, res) => {
      const body = await readJson(req, SessionBody, 1024);
      const address = clientAddress(req, trustProxy);
      const fromAddress = await options.windows.take(`web_chats:address:${sha256(address)}`, sessionsPerMinutePerAddress, 60_000);
      if (!fromAddress.taken) {
        // (a customer's address is not logged: the staff console's sign-ins are, customers' are not)
        log.info('web', 'new chat refused: too many from one address');
        throw new HttpError(429, 'too_many_chats', 'too many new chats from this address; try again shortly', { 'retry-after': String(fromAddress.retryAfterSeconds) });
      }
      const deskWide = await options.windows.take('web_chats:desk', sessionsPerMinute, 60_000);
      if (!deskWide.taken) {
        log.info('web', 'new chat refused: too many at once');
        throw new HttpError(429, 'too_many_chats', 'too many new chats right now; try again shortly', { 'retry-after': String(deskWide.retryAfterSeconds) });
      }
      const token = randomBytes(32).toString('base64url');
      const visitor = await chat.createVisitor(sha256(token), body.languageCode);
      log.debug('web', 'chat visitor created', { visitorId: visitor.id });
      sendJson(res, 201, { token });
    }),
  );

  http.route(
    'GET',
    `${WEB_CHAT_PATH}/api/messages`,
    guarded('reading a transcript', async (req, res) => {
      const visitor = await visitorOf(req);
      const query = parseQuery(req, TranscriptQuery);
      const limit = query.limit ?? TRANSCRIPT_PAGE;
      const entries = await chat.after(visitor.id, query.after ?? 0, limit);
      sendJson(res, 200, { messages: entries.map(view), more: entries.length === limit });
    }),
  );

  // a file staff sent with a reply (#25), by its line and place: only the visitor whose transcript holds it
  http.route(
    'GET',
    `${WEB_CHAT_PATH}/api/messages/:seq/files/:index`,
    guarded('sending a file', async (req, res, params) => {
      const visitor = await visitorOf(req);
      const seq = Seq.safeParse(params.seq);
      const index = Seq.safeParse(params.index);
      if (!seq.success || !index.success) throw new HttpError(400, 'invalid_input', 'expected a message number and a file number');
      const [entry] = await chat.after(visitor.id, seq.data - 1, 1);
      const held = entry?.seq === seq.data && entry.from === 'desk' ? entry.files?.[index.data] : undefined;
      const file = held && options.deskFiles ? await options.deskFiles.open(held.fileId) : undefined;
      if (!held || !file) throw new HttpError(404, 'not_found', 'no such file in this chat');
      await sendDownload(res, { ...file, name: held.name ?? file.name });
    }),
  );

  http.route(
    'POST',
    `${WEB_CHAT_PATH}/api/messages`,
    guarded('taking a message', async (req, res) => {
      const visitor = await visitorOf(req);
      spend(visitor.id);
      const body = await readJson(req, MessageBody, 32 * 1024);
      if (body.text !== undefined) {
        await take(res, visitor, body.id, { type: 'text', text: body.text }, body.auto ? undefined : { text: body.text });
        return;
      }
      const choiceId = body.choiceId ?? '';
      // the pressed button's label is the customer's line; a button never offered shows nothing (the desk answers it)
      const label = await chat.choiceLabel(visitor.id, choiceId);
      await take(res, visitor, body.id, { type: 'choice', choiceId }, label !== undefined ? { text: label, choiceId } : undefined);
    }),
  );

  http.route(
    'POST',
    `${WEB_CHAT_PATH}/api/files`,
    guarded('taking a file', async (req, res) => {
      const visitor = await visitorOf(req);
      spend(visitor.id);
      const id = ClientId.safeParse(req.headers['x-message-id']);
      if (!id.success) throw new HttpError(400, 'invalid_input', 'x-message-id: expected 8–64 characters of A-Z, a-z, 0-9, "_" or "-"');
      const type = allowedType(req.headers['content-type']);
      if (!type) {
        log.info('web', 'file refused', { reason: 'type_not_allowed' });
        throw new HttpError(415, 'type_not_allowed', 'expected a JPEG, PNG, WebP, GIF or HEIC image, a PDF, plain text or an MP4 video');
      }
      let fileName: string | undefined;
      try {
        fileName = safeFileName(decodeURIComponent(String(req.headers['x-file-name'] ?? '')));
      } catch {
        // decodeURIComponent throws a URIError exactly for a malformed escape
        throw new HttpError(400, 'invalid_input', 'x-file-name: expected a URL-encoded file name');
      }
      const earlier = await chat.customerEntry(visitor.id, id.data);
      if (earlier && !earlier.files) throw new HttpError(409, 'id_in_use', 'x-message-id: this id names another message');
      let files = earlier?.files;
      if (files) {
        req.resume(); // a retry of a file already kept: its bytes are not needed again
      } else {
        const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}): HttpError => {
          log.info('web', 'file refused', { reason: code });
          return new HttpError(status, code, message, headers);
        };
        // files only where a dialog step takes them (a report's files step, /add) or staff asked for information
        const target = await runner.filesTarget(senderOf(visitor));
        if (!target) throw refuse(409, 'file_not_expected', 'expected a file only when the desk asks for one, or after /add');
        // what the request says it brings (a chunked one is checked once read)
        await checkQuota(visitor.id, target, Math.min(Number(req.headers['content-length']) || 0, WEB_FILE_LIMIT_BYTES), refuse);
        // each upload is held in memory while it is checked: only so many at once, one per visitor and per address
        const address = clientAddress(req, trustProxy);
        if (uploading >= uploadSlots || uploadingVisitors.has(visitor.id) || uploadingAddresses.has(address)) {
          throw new HttpError(503, 'busy', 'too many files arriving at once; try again shortly', { 'retry-after': '2' });
        }
        uploading++;
        uploadingVisitors.add(visitor.id);
        uploadingAddresses.add(address);
        const bytes = await readBody(req, WEB_FILE_LIMIT_BYTES, pace)
          .catch((error: unknown) => {
            if (error instanceof ClientAbortedError) log.info('web', 'file upload aborted by the client');
            else if (error instanceof HttpError) log.info('web', 'file refused', { reason: error.code });
            throw error;
          })
          .finally(() => {
            uploading--;
            uploadingVisitors.delete(visitor.id);
            uploadingAddresses.delete(address);
          });
        if (bytes.length === 0) throw new HttpError(400, 'empty_file', 'expected a file with some content');
        if (!matchesType(bytes, type)) {
          log.info('web', 'file refused', { reason: 'content_does_not_match_type', declared: type, sizeBytes: bytes.length });
          throw new HttpError(415, 'type_mismatch', `expected the content of a ${type} file`);
        }
        await checkQuota(visitor.id, target, bytes.length, refuse);
        const fileId = await uploads.put({ bytes, mimeType: type, ownerId: visitor.id, target, ...(fileName ? { fileName } : {}) });
        if (deskBytes) deskBytes.total += bytes.length;
        const file: TranscriptFile = { fileId, mimeType: type, sizeBytes: bytes.length, kind: kindOf(type), ...(fileName ? { name: fileName } : {}) };
        const kept = await chat.appendCustomer(visitor.id, id.data, { text: '', files: [file] });
        if (kept.created) hub.notify(visitor.id);
        else await uploads.remove(fileId); // a retry of the same upload got there first
        files = kept.entry.files ?? [file];
      }
      await take(res, visitor, id.data, { type: 'files', attachments: files.map(attachmentOf) }, undefined);
    }),
  );

  http.route(
    'GET',
    `${WEB_CHAT_PATH}/api/events`,
    guarded('opening a live connection', async (req, res) => {
      const visitor = await visitorOf(req);
      const query = parseQuery(req, EventsQuery);
      const lastEventId = Seq.safeParse(req.headers['last-event-id']);
      if (closed) throw new HttpError(503, 'unavailable', 'the desk is stopping; try again');
      if (hub.count(visitor.id) >= MAX_STREAMS_PER_VISITOR) throw new HttpError(429, 'too_many_streams', `expected at most ${MAX_STREAMS_PER_VISITOR} open connections per chat`);
      if (streams.size >= MAX_STREAMS) throw new HttpError(503, 'busy', 'too many open connections; try again shortly', { 'retry-after': '5' });
      // the browser may have gone while the token was checked: its 'close' has fired already
      if (res.destroyed || req.destroyed) return;
      const after = query.after ?? (lastEventId.success ? lastEventId.data : 0);
      const stream = new LiveStream(res, visitor.id, after, chat, log);
      streams.add(stream);
      const unsubscribe = hub.subscribe(visitor.id, () => stream.pump());
      const poll = setInterval(() => stream.pump(), options.pollMs ?? 3_000);
      const heartbeat = setInterval(() => stream.comment('ping'), options.heartbeatMs ?? 20_000);
      const done = new Promise<void>((resolve) => {
        stream.onEnd(() => {
          clearInterval(poll);
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(stream);
          resolve();
        });
      });
      stream.open();
      stream.pump();
      await done;
    }),
  );

  return {
    sender,
    close() {
      closed = true;
      for (const stream of [...streams]) stream.end();
    },
  };
}

/**
 * One live connection: writes the visitor's new transcript entries as SSE events, in seq order.
 * A gap in the numbers (a write still in flight, perhaps in another instance) is watched for a
 * while, and filled in if the entry appears; the page puts entries in place by their seq.
 */
class LiveStream {
  private last: number;
  private readonly gaps = new Map<number, number>();
  private pumping = false;
  private again = false;
  private ended = false;
  private failing = false;
  private readonly endListeners: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly visitorId: string,
    after: number,
    private readonly chat: Pick<WebChatPort, 'after'>,
    private readonly log: Logger,
  ) {
    this.last = after;
    res.on('close', () => this.finish());
  }

  open(): void {
    this.res.writeHead(200, {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    this.res.write('retry: 3000\n\n');
  }

  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  comment(text: string): void {
    if (!this.ended) this.res.write(`: ${text}\n\n`);
  }

  /** Looks for new entries now; calls while a look is running make it look once more after. */
  pump(): void {
    if (this.ended) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.readNew();
        } while (this.again && !this.ended);
        this.failing = false;
      } catch (error) {
        // the next poll tries again; say so once per outage
        if (!this.failing && !this.ended) this.log.warn('web', 'live connection could not read the transcript; will retry', { error: error instanceof Error ? error.name : 'unknown' });
        this.failing = true;
      } finally {
        this.pumping = false;
      }
    })();
  }

  end(): void {
    if (!this.ended) this.res.end();
    this.finish();
  }

  private async readNew(): Promise<void> {
    const now = Date.now();
    for (const [seq, until] of this.gaps) if (until < now) this.gaps.delete(seq);
    let from = this.gaps.size > 0 ? Math.min(this.last, ...this.gaps.keys()) - 1 : this.last;
    for (;;) {
      const entries = await this.chat.after(this.visitorId, from, TRANSCRIPT_PAGE);
      if (this.ended) return;
      for (const entry of entries) {
        if (entry.seq > this.last) {
          for (let missing = Math.max(this.last + 1, entry.seq - 20); missing < entry.seq; missing++) this.gaps.set(missing, now + GAP_WATCH_MS);
          this.last = entry.seq;
          this.write(entry);
        } else if (this.gaps.delete(entry.seq)) {
          this.write(entry);
        }
      }
      const lastRead = entries.at(-1);
      if (entries.length < TRANSCRIPT_PAGE || !lastRead) return;
      from = lastRead.seq;
    }
  }

  private write(entry: TranscriptEntry): void {
    this.res.write(`id: ${String(entry.seq)}\nevent: message\ndata: ${JSON.stringify(view(entry))}\n\n`);
    // a reader that does not read: end the stream rather than buffer without bound (the page
    // reconnects and asks for what came after its last seq)
    if (this.res.writableLength > MAX_STREAM_BUFFER) this.end();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of this.endListeners.splice(0)) listener();
  }
}
