import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { z } from 'zod';
import { formatIssues } from './domain/zod-issues.js';

/** A route handler; it must always answer. `params` holds the `:name` parts of a pattern route. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string>>) => void | Promise<void>;

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  /**
   * Adds a route: an exact path (`route('POST', '/telegram/webhook', handler)`), or a pattern with
   * `:name` segments (`route('GET', '/console/api/claims/:number', handler)`; a segment matches
   * one non-empty path segment, URL-decoded). Exact paths win over patterns.
   */
  route(method: string, path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/**
 * A refusal a handler throws to answer with a 4xx: the router sends `{ error: code, message }`
 * with the status. Anything else thrown is a 500 without details.
 * @example throw new HttpError(413, 'too_large', 'expected a file of at most 10 MB');
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers every answer carries: no sniffing, no referrer leaking claim numbers or tokens. */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Sends a JSON answer (never cached: it may carry claims). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'cache-control': 'no-store',
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a page or text; `headers` may set a content security policy, framing rules, caching. */
export function sendText(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...BASE_HEADERS, ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Streams a file from disk (static assets: scripts, styles, the charting library). */
export async function sendFile(res: ServerResponse, file: string, contentType: string, headers: Readonly<Record<string, string>> = {}): Promise<void> {
  const info = await stat(file);
  res.writeHead(200, { ...BASE_HEADERS, 'cache-control': 'no-cache', ...headers, 'content-type': contentType, 'content-length': info.size });
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

/** How fast a body must arrive (an upload): a trickle must not hold a slot for long. */
export interface BodyPace {
  /** The whole body must have arrived within this many milliseconds of the start. */
  readonly deadlineMs: number;
  /** From `graceMs` on, the body must have come at least this fast on average (bytes a second). */
  readonly minBytesPerSecond: number;
  /** How long a slow start is forgiven (default 5 s). */
  readonly graceMs?: number;
}

/** The client went away before its body was read: nothing to answer, nothing failed on our side. */
export class ClientAbortedError extends HttpError {
  constructor() {
    super(400, 'aborted', 'the request was cut off before its body arrived');
    this.name = 'ClientAbortedError';
  }
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A refusal after which the rest of the body is not read: the connection closes after the answer. */
const CLOSE: Readonly<Record<string, string>> = { connection: 'close' };

/**
 * Reads a request body up to `limitBytes`; a larger body is refused with 413 as soon as it is
 * seen (by its content-length or while reading), without buffering the rest. With `pace`, a body
 * that takes longer than the deadline or comes slower than the minimum rate is refused with 408.
 * Both refusals carry `Connection: close`: the server answers and closes the connection, so the
 * rest of the body is dropped and no next request waits behind it. A client that goes away
 * mid-body rejects with ClientAbortedError.
 * @example const bytes = await readBody(req, 10 * 1024 * 1024, { deadlineMs: 120_000, minBytesPerSecond: 8192 });
 */
export function readBody(req: IncomingMessage, limitBytes: number, pace?: BodyPace): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'too_large', `expected a body of at most ${limitBytes} bytes`, CLOSE);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const started = Date.now();
    let size = 0;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      if (error) {
        req.on('error', () => undefined); // a reset while the rest is dropped is no news
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) settle(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => settle(undefined);
    const onGone = () => settle(new ClientAbortedError());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
    if (pace) {
      const tooSlow = () => settle(new HttpError(408, 'too_slow', 'the body came too slowly; try again on a better connection', CLOSE));
      timers.push(setTimeout(tooSlow, pace.deadlineMs));
      const grace = pace.graceMs ?? 5_000;
      const check = () => {
        if (((Date.now() - started) / 1000) * pace.minBytesPerSecond > size) tooSlow();
        else timers.push(setTimeout(check, 1_000));
      };
      timers.push(setTimeout(check, grace));
    }
  });
}

/**
 * Reads and validates a JSON body: 415 unless it is `application/json` (which also keeps plain
 * HTML forms of other sites from posting it), 400 naming the fields for bad JSON or bad values.
 * @example const input = await readJson(req, z.object({ text: z.string().max(4000) }));
 */
export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S, limitBytes = 64 * 1024): Promise<z.output<S>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'expected content-type application/json');
  const body = await readBody(req, limitBytes);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    // JSON.parse throws a SyntaxError exactly for text that is not JSON
    throw new HttpError(400, 'invalid_json', 'expected a JSON body');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'invalid_input', formatIssues(parsed.error).join('; '));
  return parsed.data;
}

/**
 * Validates query parameters (each name once; a repeated name is a 400, so `?status=a&status=b`
 * cannot smuggle an array where a string is expected).
 * @example const query = parseQuery(req, z.object({ page: z.coerce.number().int().min(1).default(1) }));
 */
export function parseQuery<S extends z.ZodType>(req: IncomingMessage, schema: S): z.output<S> {
  const params = new URL(req.url ?? '/', 'http://local').searchParams;
  // no prototype: `?constructor=x` is a parameter like any other
  const values = Object.create(null) as Record<string, string>;
  for (const [name, value] of params) {
    if (Object.hasOwn(values, name)) throw new HttpError(400, 'invalid_input', `${name}: expected one value`);
    values[name] = value;
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new HttpError(400, 'invalid_input', formatIssues(parsed.error).join('; '));
  return parsed.data;
}

/**
 * A token bucket: at most `burst` takes at once, refilled at `perMinute`. In-process: each app
 * instance keeps its own (a limit against floods, not an exact quota).
 * @example const sessions = new TokenBucket(120, 120); if (!sessions.take()) throw new HttpError(429, …);
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when none is left. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 60_000) * this.perMinute);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds until the next token. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.perMinute) * 60));
  }
}

/**
 * Token buckets by key (a client address, a visitor): each key has its own `perMinute`, and at
 * most `maxKeys` are remembered (the least recently used is forgotten first). In-process.
 * @example const perAddress = new RateLimiter(10); if (!perAddress.take(address)) throw new HttpError(429, …);
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perMinute: number,
    private readonly burst = perMinute,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes one token of this key; false when none is left. */
  take(key: string): boolean {
    return this.bucket(key).take();
  }

  /** Seconds until this key has a token again. */
  retryAfterSeconds(key: string): number {
    return this.bucket(key).retryAfterSeconds();
  }

  private bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = new TokenBucket(this.perMinute, this.burst, this.now);
    this.buckets.set(key, bucket); // most recently used last
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return bucket;
  }
}

/**
 * The client's address, for limits and logs. Behind `trustProxy` reverse proxies it is the
 * address the outermost of them saw: that many hops from the right of `X-Forwarded-For` (each
 * proxy appends the address it was called from; what a client wrote further left is not trusted).
 * IPv4-mapped IPv6 addresses are shown as IPv4; other IPv6 addresses are taken by their /64 (one
 * household or host), so a client cannot pick a fresh address for every request.
 * @example clientAddress(req, 1) // '203.0.113.7' from `X-Forwarded-For: 198.51.100.2, 203.0.113.7`
 */
export function clientAddress(req: IncomingMessage, trustProxy = 0): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  let address = socketAddress;
  if (trustProxy > 0) {
    const header = req.headers['x-forwarded-for'];
    const hops = [...(Array.isArray(header) ? header.join(',') : (header ?? '')).split(','), socketAddress].map((hop) => hop.trim()).filter((hop) => hop !== '');
    const candidate = hops[Math.max(0, hops.length - 1 - trustProxy)] ?? socketAddress;
    if (isIP(candidate.replace(/^\[|\]$/g, '')) !== 0) address = candidate.replace(/^\[|\]$/g, '');
  }
  return addressKey(address);
}

function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  // the first four groups of the full form: the /64
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const front = head === '' ? [] : head.split(':');
  const back = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

interface PatternRoute {
  readonly parts: readonly string[];
  readonly byMethod: Map<string, RouteHandler>;
}

function matchPattern(parts: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        // decodeURIComponent throws a URIError exactly for a malformed escape: no match
        return undefined;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** One answered request, for the request log and metrics: the route's pattern, never the raw path (ids, tokens). */
export interface RequestInfo {
  readonly method: string;
  /** The route as mounted (`/console/api/claims/:number`), or `unmatched` for a 404 of an unknown path. */
  readonly route: string;
  readonly status: number;
  /** From the request's arrival to the end of its answer (or the connection closing), in milliseconds. */
  readonly ms: number;
}

/** What the server knows of the database, to answer 503 instead of hanging or failing with 500. */
export interface HttpDatabaseGuard {
  /** Whether a handler's error means the database cannot answer now (retrying later can help). */
  isUnavailable(error: unknown): boolean;
  /** Whether the database answers now, and a way to hear when that changes. */
  readonly health?: { readonly up: boolean; onChange(listener: (up: boolean) => void): () => void };
  /** How long a request may wait while the database does not answer before it gets 503 (default 2 s). */
  readonly cutoffMs?: number;
}

/** The answer to a request the database cannot serve now: try again shortly. */
function sendUnavailable(res: ServerResponse): void {
  sendJson(res, 503, { error: 'unavailable', message: 'the desk cannot reach its database right now; try again shortly' }, { 'retry-after': '5' });
}

/**
 * Answers 503 to every request that has waited `cutoffMs` without an answer while the database is
 * down (frozen or gone), so nobody waits on it longer than that. Streams that already answered
 * (a live chat, an export) are left alone.
 */
function cutOffWhileDown(guard: HttpDatabaseGuard, pending: Map<ServerResponse, number>): () => void {
  const cutoffMs = guard.cutoffMs ?? 2_000;
  let ticker: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [res, since] of pending) {
      if (now - since < cutoffMs) continue;
      pending.delete(res);
      if (!res.headersSent) sendUnavailable(res);
    }
  };
  const follow = (up: boolean) => {
    clearInterval(ticker);
    ticker = undefined;
    if (!up) {
      sweep();
      ticker = setInterval(sweep, Math.min(250, cutoffMs));
      ticker.unref();
    }
  };
  const unsubscribe = guard.health?.onChange(follow);
  if (guard.health && !guard.health.up) follow(false);
  return () => {
    unsubscribe?.();
    clearInterval(ticker);
  };
}

/**
 * The app's HTTP server: exact-path and `:param` routes, 404 for unknown paths, 405 for a known
 * path with another method, the status of an `HttpError` a handler throws, 503 with Retry-After
 * when the database cannot answer (given a `database` guard), and 500 (without details) for
 * anything else.
 * @example const http = await startHttpServer({ port: 3000, host: '0.0.0.0', onError });
 */
export async function startHttpServer(options: { port: number; host: string; onError: (error: unknown) => void; database?: HttpDatabaseGuard; onRequest?: (request: RequestInfo) => void }): Promise<HttpServer> {
  const pending = new Map<ServerResponse, number>();
  const stopCutOff = options.database ? cutOffWhileDown(options.database, pending) : () => undefined;
  const routes = new Map<string, Map<string, RouteHandler>>();
  const patterns: PatternRoute[] = [];
  const find = (pathname: string): { byMethod: Map<string, RouteHandler>; params: Record<string, string>; route: string } | undefined => {
    const exact = routes.get(pathname);
    if (exact) return { byMethod: exact, params: {}, route: pathname };
    const segments = pathname.split('/');
    for (const pattern of patterns) {
      const params = matchPattern(pattern.parts, segments);
      if (params) return { byMethod: pattern.byMethod, params, route: pattern.parts.join('/') };
    }
    return undefined;
  };
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    const found = find(pathname);
    const onRequest = options.onRequest;
    if (onRequest) {
      const started = performance.now();
      // a known method name, or one word for the rest (the label must not grow with what clients send)
      const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method ?? 'GET') : 'OTHER';
      res.once('close', () => onRequest({ method, route: found?.route ?? 'unmatched', status: res.statusCode, ms: performance.now() - started }));
    }
    if (!found) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    // no HEAD for GET routes: a HEAD would do the GET's work (an export, a live stream) for nothing
    const handler = found.byMethod.get(req.method ?? 'GET');
    if (!handler) {
      res.setHeader('allow', [...found.byMethod.keys()].join(', '));
      sendJson(res, 405, { error: 'method_not_allowed' });
      return;
    }
    if (options.database) {
      pending.set(res, Date.now());
      res.once('close', () => pending.delete(res));
    }
    Promise.resolve()
      .then(() => handler(req, res, found.params))
      .catch((error: unknown) => {
        // answered 503 already (the database stopped answering meanwhile): the handler's late failure changes nothing
        if (res.writableEnded) return;
        if (!res.headersSent && options.database?.isUnavailable(error)) {
          sendUnavailable(res);
          return;
        }
        // once a body has started (an export, a download), a failure must not look like its end: cut the connection
        if (error instanceof HttpError) {
          // a refusal before the body was read: close after answering, so the rest of the body is
          // dropped rather than read as the next request (a client that stops sending would hang)
          const unread = !req.complete && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
          if (!res.headersSent) sendJson(res, error.status, { error: error.code, message: error.message }, unread ? { ...error.headers, ...CLOSE } : error.headers);
          else res.destroy(error);
          return;
        }
        options.onError(error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
        else res.destroy(error instanceof Error ? error : new Error('handler failed'));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    port,
    url: `http://${shownHost}:${port}`,
    route(method, path, handler) {
      if (path.includes('/:')) {
        const parts = path.split('/');
        let pattern = patterns.find((p) => p.parts.join('/') === parts.join('/'));
        if (!pattern) {
          pattern = { parts, byMethod: new Map() };
          patterns.push(pattern);
        }
        pattern.byMethod.set(method.toUpperCase(), handler);
        return;
      }
      const byMethod = routes.get(path) ?? new Map<string, RouteHandler>();
      byMethod.set(method.toUpperCase(), handler);
      routes.set(path, byMethod);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        stopCutOff();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * What every channel's start function returns (`startTelegram`, `startSlack`, `startWebChat`,
 * `startConsole`): how to stop it. A channel that serves HTTP mounts its routes on the router it is
 * given before it tells the outside world where to send them (a webhook is set only once its route answers).
 */
export interface ChannelHandle {
  stop(): Promise<void>;
  /** Whether the channel is connected now (for /readyz): Telegram polling or its webhook set, Slack's token accepted. */
  ready?(): Promise<ChannelReadiness>;
}

/** A channel's readiness: its name, whether it is connected, and if not, why (a code or a short phrase, no personal data). */
export interface ChannelReadiness {
  readonly channel: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The part of the app's HTTP server a channel mounts its routes on. */
export type Router = Pick<HttpServer, 'route'>;
