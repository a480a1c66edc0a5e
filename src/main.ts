import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Db } from 'mongodb';
import type { Agenda } from 'agenda';
import type { Context, MiddlewareFn, Telegram } from 'telegraf';
import { channelStatus, ConfigError, loadDeskConfig, loadEnv } from './config.js';
import { createLogger, type Logger } from './log.js';
import { sendJson, startHttpServer, type ChannelHandle } from './http.js';
import { isDatabaseUnavailable } from './store/health.js';
import { openDatabase } from './store/open.js';
import { AuditLog } from './store/audit.js';
import { COLLECTIONS } from './store/collections.js';
import { Leases } from './store/leases.js';
import { localServerSizeWarning, type LocalServer } from './store/local/server.js';
import { LocalDbError } from './store/local/errors.js';
import { projectRoot } from './store/local/paths.js';
import { WebChatStore } from './store/web-chat.js';
import { FileStore } from './store/files.js';
import { SlackPostStore } from './store/slack-posts.js';
import { ConsoleSessionStore } from './store/console-sessions.js';
import { ClaimQueries } from './store/claim-queries.js';
import { pruneFinishedJobs, releaseUnstartedJobs } from './store/job-housekeeping.js';
import { createScheduler, stopScheduler } from './jobs/agenda.js';
import { scheduleJobs } from './jobs/schedule.js';
import { webChatRetention } from './jobs/housekeeping.js';
import { notifyJobLimits, type CustomerNotificationOptions } from './jobs/customer-notification.js';
import { createCore } from './core.js';
import type { ClaimRegistry, DeskClaims } from './registry.js';
import type { StaffDesk } from './staff-desk.js';
import type { Channel } from './domain/claim.js';
import { ConsoleAuth, logConsole, staffWithExamplePassword } from './console-auth.js';
import type { ConversationRunner, MessageSender } from '../flows/runner.js';
import { TelegramPacer } from '../adapters/telegram/pacer.js';
import { SharedTelegramBudget } from '../adapters/telegram/shared-budget.js';
import { TelegramBudgetStore } from './store/telegram-budget.js';
import { startTelegram, telegramErrorName, TELEGRAM_WEBHOOK_PATH } from '../adapters/telegram-grammy/start.js';
import { TelegrafDesk, type TelegrafDeskOptions } from '../adapters/telegram-telegraf/middleware.js';
import { startSlack, SLACK_EVENTS_PATH, type SlackHandle } from '../adapters/slack/start.js';
import { slackFailure } from '../adapters/slack/api.js';
import { startWebChat, type WebChatOptions } from '../adapters/web/chat/routes.js';
import { startConsole } from '../adapters/web/console/index.js';
export { EXAMPLE_CONSOLE_PASSWORD } from './console-auth.js';
export { TELEGRAM_WEBHOOK_PATH, SLACK_EVENTS_PATH };

/** A running desk. */
export interface App {
  readonly url: string;
  readonly db: Db;
  /** Every change of a claim goes through it (planned in src/domain/claim-changes.ts). */
  readonly registry: ClaimRegistry;
  /** The claims as the flows, jobs and adapters see them: the store's reads beside the registry's changes. */
  readonly claims: DeskClaims;
  /** What staff do with claims (the rules and the audit trail), whatever the console. */
  readonly staff: StaffDesk;
  /** The conversation runner the channel adapters hand their updates to. */
  readonly conversations: ConversationRunner;
  /** The scheduler (Agenda) running the desk's jobs, e.g. to run one now: `app.jobs.now('digest.departments')`. */
  readonly jobs: Agenda;
  /** The local database the app started, when MONGODB_URI was not set. */
  readonly localServer: LocalServer | undefined;
  /**
   * The desk as a middleware for a Telegraf bot the host application runs itself (start the app
   * with `runTelegramBot: false`). Mount it after the bot's own handlers.
   * @example bot.use(app.telegraf(bot));
   */
  telegraf(bot: { readonly telegram: Telegram }, options?: TelegrafDeskOptions): MiddlewareFn<Context>;
  /** Settles once every update handed over and every Slack post sync started so far has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartAppOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  /** Folder the relative DESK_CONFIG path is resolved from (default: the repository root). */
  readonly cwd?: string;
  /** Senders of replies per channel (the channel adapters provide them; tests pass fakes). */
  readonly senders?: Partial<Record<Channel, MessageSender>>;
  /** How often scheduled jobs are looked for, in milliseconds (tests use less). */
  readonly jobsEveryMs?: number;
  /** After this long a job whose worker died is taken over by another (default 10 min; tests use less). */
  readonly jobsLockLifetimeMs?: number;
  /**
   * Run the standalone grammY bot when TELEGRAM_BOT_TOKEN is set (default true). False when the
   * host application runs its own Telegraf bot and mounts `app.telegraf(bot)` instead.
   */
  readonly runTelegramBot?: boolean;
  /** Customer notifications: the sweep, its grace time, and the retries of a failing send (tests use less). */
  readonly notifications?: CustomerNotificationOptions;
  /** Overrides the desk's digest cron (tests: a short interval, or false for no digest). */
  readonly digestEvery?: string | number | false;
  /** How often the survey sweep runs (default every minute; tests use less). */
  readonly surveyEvery?: string | number;
  /** How often the SLA sweep runs (default every minute; tests use less). */
  readonly slaEvery?: string | number;
  /** The web chat's flood limits (tests that open many chats from one address raise them). */
  readonly webChat?: Pick<WebChatOptions, 'sessionsPerMinutePerAddress' | 'postsPerMinute'>;
  /** How often the staff sync sweep runs and how old a change must be for it (tests use less). */
  readonly staffSync?: { readonly every?: string | number; readonly graceMs?: number; readonly retryAfterMs?: number };
}

/**
 * The composition root: reads the configuration, starts the local database when MONGODB_URI is
 * not set, connects, builds the core once (createCore), schedules the jobs (scheduleJobs), and
 * starts each channel (startWebChat, startConsole, startSlack, startTelegram) on the HTTP server.
 * One log line per component.
 * @example const app = await startApp(); … await app.stop();
 */
export async function startApp(options: StartAppOptions = {}): Promise<App> {
  const source = options.env ?? process.env;
  const env = loadEnv(source);
  const log = options.log ?? createLogger(env.LOG_LEVEL);
  const desk = await loadDeskConfig(env.DESK_CONFIG, options.cwd ?? projectRoot);
  log.info('config', 'desk configuration loaded', { file: env.DESK_CONFIG, departments: desk.departments.length, categories: desk.categories.length, staff: desk.staff.length });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const { db, localServer, health } = await openDatabase(env.MONGODB_URI, source, log, stops);
    const core = createCore(db, desk, { ...(options.senders ? { senders: options.senders } : {}), logger: { warn: (message, fields) => log.warn('conversation', message, fields) } });
    const { registry, claims, conversations, staff } = core;
    const sizeWarning = localServer ? localServerSizeWarning(localServer.kind, await core.repository.estimatedCount()) : undefined;
    if (sizeWarning) log.warn('database', sizeWarning);
    stops.push(() => conversations.drain());
    // the Slack post sync is drained after the server stopped taking requests
    let slack: SlackHandle | undefined;
    stops.push(() => slack?.sync.drain() ?? Promise.resolve());

    const webChatStore = new WebChatStore(db);
    const uploads = new FileStore(db);
    const audit = new AuditLog(db);
    // a deployed desk (PUBLIC_URL set) refuses the example configuration's password
    const consoleAuth = new ConsoleAuth(desk, new ConsoleSessionStore(db), { refuseExamplePassword: env.PUBLIC_URL !== undefined });
    // one pacer for every Telegram message of this process: notifications wait for budget, replies never;
    // TELEGRAM_BULK_PER_SECOND is the desk's budget, shared by its instances through the database
    // (each takes an equal share; bulk messages to one chat hold its slot), started with the channel
    const telegramBudgetStore = new TelegramBudgetStore(db);
    const reportBudget = (what: string, error: unknown) => {
      if (health.up && !isDatabaseUnavailable(error)) log.warn('telegram', `${what} failed`, { error: errorName(error) });
    };
    const telegramPacer = new TelegramPacer({ perSecond: env.TELEGRAM_BULK_PER_SECOND, chatSlots: telegramBudgetStore, onError: reportBudget });
    const telegramBudget = new SharedTelegramBudget({
      pacer: telegramPacer,
      members: telegramBudgetStore,
      onError: reportBudget,
      onShare: (share, instances) => log.info('telegram', "sending budget shared by the desk's instances", { instances, perSecond: share, budget: env.TELEGRAM_BULK_PER_SECOND }),
    });
    stops.push(() => telegramBudget.stop());
    // enough notification jobs at once (and locked ahead) to send a backlog at the full rate
    const notifyLimits = notifyJobLimits(env.TELEGRAM_BULK_PER_SECOND, options.jobsEveryMs ?? 5_000);
    const scheduler = createScheduler(db, {
      ...(options.jobsEveryMs ? { processEveryMs: options.jobsEveryMs } : {}),
      ...(options.jobsLockLifetimeMs ? { lockLifetimeMs: options.jobsLockLifetimeMs } : {}),
      maxConcurrency: notifyLimits.concurrency + 20,
    });
    // Agenda connects and creates its indexes in the background: wait, so a start that fails
    // later (a token refused) does not close the client under it
    await scheduler.ready;
    // a database blip makes Agenda emit 'error' at every poll (unheard, that would end the process):
    // an outage is logged once by the health check, other errors once a minute per kind
    const schedulerError = onceAMinute((error: unknown) => log.warn('jobs', 'scheduler error', { error: errorName(error) }), errorName);
    scheduler.on('error', (error: unknown) => {
      if (health.up && !isDatabaseUnavailable(error)) schedulerError(error);
    });

    // while staff sign in with the published example password, only this machine may reach the
    // desk unless HOST says otherwise
    const exampleStaff = consoleAuth.enabled ? await staffWithExamplePassword(desk) : [];
    const host = env.HOST ?? (exampleStaff.length > 0 ? '127.0.0.1' : '0.0.0.0');
    const http = await startHttpServer({ port: env.PORT, host, onError: (error) => log.error('http', 'handler failed', { error: errorName(error) }), database: { isUnavailable: isDatabaseUnavailable, health } });
    stops.push(() => http.close());
    http.route('GET', '/healthz', async (_req, res) => {
      const ok = await health.check();
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' });
    });
    log.info('http', 'listening', { url: http.url, interface: host, health: `${http.url}/healthz` });
    // the channels stop taking input before the server closes (the web chat ends its live streams)
    const channels: ChannelHandle[] = [];
    stops.push(async () => {
      for (const channel of channels) await channel.stop();
    });

    channels.push(startWebChat({ http, runner: conversations, chat: webChatStore, uploads, defaultLocale: desk.desk.defaultLocale, log, trustProxy: env.TRUST_PROXY, uploadQuota: { deskBytes: env.WEB_UPLOADS_MAX_MB * 1024 * 1024 }, ...options.webChat }));
    log.info('web', 'customer chat ready', { url: `${http.url}/chat` });
    channels.push(startConsole({ http, desk, auth: consoleAuth, staff, reads: new ClaimQueries(db, { timezone: desk.desk.timezone }), files: uploads, audit, onExport: (staffId, rows, complete) => log.info('console', complete ? 'claims register exported' : 'claims register export stopped', { staffId, rows }), secureCookie: env.PUBLIC_URL?.startsWith('https:') ?? false, trustProxy: env.TRUST_PROXY, log, ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}) }));
    logConsole(log, consoleAuth.enabled, exampleStaff, http.url, env);

    const off = channelStatus(env);
    if (off.slack) {
      log.warn('slack', `off: ${off.slack}`);
    } else {
      slack = await startSlack({
        config: { botToken: env.SLACK_BOT_TOKEN ?? '', ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}), ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}), ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}) },
        desk,
        posts: new SlackPostStore(db),
        claims,
        onClaimChange: (listener) => registry.onChange(listener),
        staff,
        conversations,
        router: http,
        log,
        audit,
      });
      channels.push(slack);
    }
    if (off.telegram) {
      log.warn('telegram', `off: ${off.telegram}`);
    } else if (options.runTelegramBot === false) {
      log.info('telegram', "left to the host application's bot (app.telegraf)");
    } else if (env.TELEGRAM_BOT_TOKEN) {
      await telegramBudget.start();
      const webhook = env.TELEGRAM_MODE === 'webhook' && env.PUBLIC_URL && env.TELEGRAM_WEBHOOK_SECRET ? { publicUrl: env.PUBLIC_URL, secret: env.TELEGRAM_WEBHOOK_SECRET } : undefined;
      channels.unshift(await startTelegram({ config: { token: env.TELEGRAM_BOT_TOKEN, ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}), ...(webhook ? { webhook } : {}) }, pacer: telegramPacer, conversations, router: http, log }));
    }
    const telegraf = (bot: { readonly telegram: Telegram }, deskOptions: TelegrafDeskOptions = {}): MiddlewareFn<Context> => {
      const onError = (what: string, error: unknown) => log.warn('telegram', `${what} failed`, { error: telegramErrorName(error) });
      const telegrafDesk = new TelegrafDesk(bot.telegram, conversations, { onError, ...deskOptions, sender: { pacer: telegramPacer, ...deskOptions.sender } });
      conversations.setSender('telegram', telegrafDesk.sender);
      void telegramBudget.start();
      stops.push(() => telegrafDesk.stop());
      log.info('telegram', "mounted into the host application's Telegraf bot");
      return telegrafDesk.middleware();
    };

    await scheduleJobs(
      scheduler,
      {
        desk,
        claims,
        onClaimChange: (listener) => registry.onChange(listener),
        conversations,
        conversationStore: core.conversationStore,
        notifyLeases: new Leases(db, COLLECTIONS.notifyLeases),
        housekeeping: {
          pruneFinishedJobs: (names, before) => pruneFinishedJobs(db, names, before),
          pruneConsoleSessions: () => consoleAuth.pruneSessions(),
          ...webChatRetention({ chats: webChatStore, uploads }),
          pruneTelegramChatSlots: () => telegramBudgetStore.pruneChatSlots(new Date(Date.now() - 86_400_000)),
          pruneAudit: () => audit.pruneBefore(new Date(Date.now() - desk.audit.retentionDays * 86_400_000)),
        },
        ...(slack ? { slack: { sync: (claimId: string) => slack.sync.sync(claimId), postDigest: slack.postDigest, failure: slackFailure } } : {}),
        log,
      },
      { notifyLimits, notifications: options.notifications, surveyEvery: options.surveyEvery, slaEvery: options.slaEvery, digestEvery: options.digestEvery, staffSync: options.staffSync },
    );
    await scheduler.start();
    // on stop: running jobs may finish (up to 20 s), then every lock still held is released
    stops.push(() => stopScheduler(scheduler, (ids) => releaseUnstartedJobs(db, ids)));
    log.info('jobs', 'scheduler started', { idleAfterMinutes: desk.conversation.idleMinutes });

    const idle = async () => {
      await conversations.drain();
      await slack?.sync.drain();
    };
    return { url: http.url, db, registry, claims, staff, conversations, jobs: scheduler, localServer, telegraf, idle, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Calls `report` at most once a minute for each kind of error (by `kindOf`). */
function onceAMinute<E>(report: (error: E) => void, kindOf: (error: E) => string): (error: E) => void {
  const last = new Map<string, number>();
  return (error) => {
    const kind = kindOf(error);
    const now = Date.now();
    if (now - (last.get(kind) ?? 0) < 60_000) return;
    last.set(kind, now);
    report(error);
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

/** Runs the desk as a process: one clear line and exit code 1 on a configuration error. */
async function runAsProcess(): Promise<void> {
  const dotenv = path.join(projectRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv); // variables already set in the environment win
  let app: App;
  try {
    app = await startApp();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof LocalDbError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${new Date().toISOString()} info  [app] ${signal}: stopping\n`);
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runAsProcess();
}
