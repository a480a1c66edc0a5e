import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { HttpError, sendJson, sendText, type ChannelHandle, type ChannelReadiness, type Router } from './http.js';
import type { DeskMetrics } from './metrics.js';

/** Who may read `GET /metrics` (METRICS_TOKEN, METRICS_PUBLIC, and the interface the server listens on). */
export interface MetricsAccess {
  /** With a token, every request must carry `Authorization: Bearer <token>` (else 401), wherever the desk listens. */
  readonly token?: string;
  /** Without a token: served on every interface when true; otherwise only when the server listens on loopback. */
  readonly public: boolean;
  /** The interface the server listens on (HOST). */
  readonly host: string;
}

/** Whether a listening address is this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}

/**
 * What `GET /metrics` answers a request: served, 401 (a token is set and the request does not
 * carry it), or 404 (no token, not public, and the server listens beyond loopback: the endpoint
 * does not exist there, as if never mounted).
 */
export function metricsDecision(access: MetricsAccess, req: Pick<IncomingMessage, 'headers'>): 'serve' | 'unauthorized' | 'hidden' {
  if (access.token !== undefined) {
    const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
    return given !== '' && timingSafeEqual(digest(given), digest(access.token)) ? 'serve' : 'unauthorized';
  }
  return access.public || isLoopback(access.host) ? 'serve' : 'hidden';
}

export interface OperationsOptions {
  readonly metrics: DeskMetrics;
  readonly access: MetricsAccess;
  /** The database check (DatabaseHealth.check: a ping). */
  readonly database: { check(): Promise<boolean> };
  /** The scheduler: running once started, until stopped. */
  readonly jobs: { isActiveJobProcessor(): boolean };
  /** The running channels (read at each request: channels started later count). */
  readonly channels: readonly ChannelHandle[];
}

/** A readiness probe that takes longer than this counts as not ready. */
const CHECK_TIMEOUT_MS = 3_000;

async function channelReadiness(handle: ChannelHandle): Promise<ChannelReadiness | undefined> {
  if (!handle.ready) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([handle.ready(), timeout]);
    return result === 'timeout' ? { channel: 'unknown', ok: false, detail: 'no answer in time' } : result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Mounts the operations endpoints: `GET /metrics` (Prometheus text format; access by
 * {@link metricsDecision}) and `GET /readyz` — 200 `{ status: 'ready', checks }` when the database
 * answers, the scheduler runs and every configured channel is connected, else 503
 * `{ status: 'not_ready', notReady: [...names], checks }` where each check is `ok` or why not.
 * `/healthz` (liveness: the process and its database) stays where main.ts mounts it.
 * @example mountOperations(http, { metrics, access: { token: env.METRICS_TOKEN, public: env.METRICS_PUBLIC, host }, database: health, jobs: scheduler, channels });
 */
export function mountOperations(router: Router, options: OperationsOptions): void {
  const { metrics, access } = options;
  router.route('GET', '/metrics', async (req, res) => {
    const decision = metricsDecision(access, req);
    if (decision === 'unauthorized') throw new HttpError(401, 'unauthorized', 'expected the metrics token as Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="metrics"' });
    if (decision === 'hidden') {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    sendText(res, 200, metrics.registry.contentType, await metrics.registry.metrics(), { 'cache-control': 'no-store' });
  });

  router.route('GET', '/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    const [database, ...channels] = await Promise.all([options.database.check().catch(() => false), ...options.channels.map(channelReadiness)]);
    checks.database = database ? 'ok' : 'unreachable';
    checks.jobs = options.jobs.isActiveJobProcessor() ? 'ok' : 'not running';
    for (const channel of channels) if (channel) checks[channel.channel] = channel.ok ? 'ok' : (channel.detail ?? 'not connected');
    const notReady = Object.entries(checks)
      .filter(([, state]) => state !== 'ok')
      .map(([name]) => name);
    sendJson(res, notReady.length === 0 ? 200 : 503, notReady.length === 0 ? { status: 'ready', checks } : { status: 'not_ready', notReady, checks });
  });
}
