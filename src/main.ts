import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { channelStatus, ConfigError, loadDeskConfig, loadEnv } from './config.js';
import { smtpFromEnv } from '../adapters/email/smtp.js';
import { createLogger, errorName, onceAMinute, type Logger } from './log.js';
import { sendJson, startHttpServer, type ChannelHandle } from './http.js';
import { isDatabaseUnavailable } from './store/health.js';
import { openDatabase } from './store/open.js';
import { COLLECTIONS } from './store/collections.js';
import { Leases } from './store/leases.js';
import { localServerSizeWarning } from './store/local/server.js';
import { LocalDbError } from './store/local/errors.js';
import { projectRoot } from './store/local/paths.js';
import { RateWindowStore } from './store/rate-windows.js';
import { FileStore, INVESTIGATION_FILES_BUCKET } from './store/files.js';
import { SlackPostStore } from './store/slack-posts.js';
import { ConsoleSessionStore } from './store/console-sessions.js';
import { ClaimQueries } from './store/claim-queries.js';
import { ClaimSearch } from './store/claim-search.js';
import { pruneFinishedJobs, releaseUnstartedJobs } from './store/job-housekeeping.js';
import { createScheduler, stopScheduler } from './jobs/agenda.js';
import { scheduleJobs } from './jobs/schedule.js';
import { replyFilesCleanup, webChatRetention, webVisitorRecords } from './jobs/housekeeping.js';
import { notifyJobLimits } from './jobs/customer-notification.js';
import { createCore } from './core.js';
import { retentionOf } from './domain/desk.js';
import { createMetrics } from './metrics.js';
import { mountOperations } from './operations.js';
import { ConsoleAuth, logConsole, staffWithExamplePassword } from './console-auth.js';
import { telegramBudget } from '../adapters/telegram/budget.js';
import { TelegramBudgetStore } from './store/telegram-budget.js';
import { startTelegram, TELEGRAM_WEBHOOK_PATH } from '../adapters/telegram-grammy/start.js';
import { startTelegraf } from '../adapters/telegram-telegraf/start.js';
import { startSlack, SLACK_EVENTS_PATH, type SlackHandle } from '../adapters/slack/start.js';
import { slackFailure } from '../adapters/slack/api.js';
import { startWebChat } from '../adapters/web/chat/routes.js';
import { startConsole } from '../adapters/web/console/index.js';
import { channelFilesOf } from '../adapters/files/channel-files.js';
export { EXAMPLE_CONSOLE_PASSWORD } from './console-auth.js';
import type { App, StartAppOptions } from './app.js';
export type { App, StartAppOptions } from './app.js';
export { TELEGRAM_WEBHOOK_PATH, SLACK_EVENTS_PATH };

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
  const log = options.log ?? createLogger(env.LOG_LEVEL, undefined, { format: env.LOG_FORMAT });
  const desk = await loadDeskConfig(env.DESK_CONFIG, options.cwd ?? projectRoot);
  log.info('config', 'desk configuration loaded', { file: env.DESK_CONFIG, departments: desk.departments.length, categories: desk.categories.length, staff: desk.staff.length });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const { db, localServer, health } = await openDatabase(env.MONGODB_URI, source, log, stops);
    const metrics = createMetrics();
    // the Slack post sync is drained after the server stopped taking requests; an erasure rewrites Slack once it runs
    let slack: SlackHandle | undefined;
    const core = createCore(db, desk, { ...(options.senders ? { senders: options.senders } : {}), logger: { warn: (message, fields) => log.warn('conversation', message, fields) }, observer: metrics.runner, takeDataRequests: true, slackEraser: () => slack?.eraseClaim });
    const { registry, claims, conversations, staff, customers, consoleNotices, staffNotices, uploads } = core;
    const webChatStore = core.webChat;
    const audit = core.auditLog;
    registry.onChange(metrics.claimChanged);
    const sizeWarning = localServer ? localServerSizeWarning(localServer.kind, await core.repository.estimatedCount()) : undefined;
    if (sizeWarning) log.warn('database', sizeWarning);
    stops.push(() => conversations.drain());
    stops.push(() => slack?.sync.drain() ?? Promise.resolve());

    const slackPosts = new SlackPostStore(db);
    // a deployed desk (PUBLIC_URL set) refuses the example configuration's password
    const consoleAuth = new ConsoleAuth(desk, new ConsoleSessionStore(db), { refuseExamplePassword: env.PUBLIC_URL !== undefined });
    // TELEGRAM_BULK_PER_SECOND is the desk's budget, shared by its instances through the database
    const telegramBudgetStore = new TelegramBudgetStore(db);
    const telegram = telegramBudget({ perSecond: env.TELEGRAM_BULK_PER_SECOND, store: telegramBudgetStore, reportable: (error) => health.up && !isDatabaseUnavailable(error), log });
    stops.push(() => telegram.stop());
    metrics.watchTelegramPacer(telegram.pacer);
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
    const http = await startHttpServer({ port: env.PORT, host, onError: (error) => log.error('http', 'handler failed', { error: errorName(error) }), database: { isUnavailable: isDatabaseUnavailable, health }, onRequest: (request) => {
      log.debug('http', 'request', { method: request.method, route: request.route, status: request.status, durationMs: Math.round(request.ms * 10) / 10 });
      metrics.request(request);
    } });
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
    mountOperations(http, { metrics, access: { ...(env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {}), public: env.METRICS_PUBLIC, host }, database: health, jobs: scheduler, channels });

    channels.push(startWebChat({ http, runner: conversations, chat: webChatStore, uploads, deskFiles: core.replyFiles, windows: new RateWindowStore(db), defaultLocale: desk.desk.defaultLocale, log, trustProxy: env.TRUST_PROXY, uploadQuota: { deskBytes: env.WEB_UPLOADS_MAX_MB * 1024 * 1024 }, ...options.webChat }));
    log.info('web', 'customer chat ready', { url: `${http.url}/chat` });
    // staff open a customer's Telegram or Slack file through the channel's API, on demand (#25)
    const channelFiles = channelFilesOf(env);
    channels.push(startConsole({ http, desk, auth: consoleAuth, staff, reads: new ClaimQueries(db, { timezone: desk.desk.timezone, desk }), files: uploads, audit, capa: { desk: core.capa, claims }, customers, notices: { store: staffNotices, claims, actions: core.actions }, search: new ClaimSearch(db), channelFiles, replyFiles: core.replyFiles, investigationFiles: { store: new FileStore(db, INVESTIGATION_FILES_BUCKET), claims, attach: (claimId, staffId, file) => registry.attachInvestigationFile(claimId, staffId, file) }, analysis: { similar: core.similar, effectiveness: (filter, at) => core.analysis.effectiveness(filter, at), claimByNumber: (number) => claims.findByNumber(number) }, onExport: (staffId, rows, complete) => log.info('console', complete ? 'claims register exported' : 'claims register export stopped', { staffId, rows }), secureCookie: env.PUBLIC_URL?.startsWith('https:') ?? false, trustProxy: env.TRUST_PROXY, log, ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}) }));
    logConsole(log, consoleAuth.enabled, exampleStaff, http.url, env);

    const off = channelStatus(env);
    if (off.slack) {
      log.warn('slack', `off: ${off.slack}`);
    } else {
      slack = await startSlack({
        config: { botToken: env.SLACK_BOT_TOKEN ?? '', ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}), ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}), ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}) },
        desk,
        posts: slackPosts,
        claims,
        onClaimChange: (listener) => registry.onChange(listener),
        staff,
        capa: core.capa,
        similar: (claim) => core.similar.forClaim(claim),
        conversations,
        router: http,
        log,
        audit,
        ...(env.PUBLIC_URL ? { consoleUrl: `${env.PUBLIC_URL.replace(/\/+$/, '')}/console` } : {}),
      });
      channels.push(slack);
    }
    if (off.telegram) {
      log.warn('telegram', `off: ${off.telegram}`);
    } else if (options.runTelegramBot === false) {
      log.info('telegram', "left to the host application's bot (app.telegraf)");
    } else if (env.TELEGRAM_BOT_TOKEN) {
      const webhook = env.TELEGRAM_MODE === 'webhook' && env.PUBLIC_URL && env.TELEGRAM_WEBHOOK_SECRET ? { publicUrl: env.PUBLIC_URL, secret: env.TELEGRAM_WEBHOOK_SECRET } : undefined;
      channels.unshift(await startTelegram({ config: { token: env.TELEGRAM_BOT_TOKEN, ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}), ...(webhook ? { webhook } : {}) }, budget: telegram, conversations, router: http, log }));
    }
    // the host application's Telegraf bot, when it mounts app.telegraf(bot)
    const telegraf = startTelegraf({ budget: telegram, conversations, log });
    channels.unshift(telegraf);

    // #25: customers without a messenger who gave an e-mail address hear from the desk by e-mail
    const email = smtpFromEnv(env, log);
    if (email) stops.push(() => email.close());
    await scheduleJobs(
      scheduler,
      {
        desk,
        claims,
        onClaimChange: (listener) => registry.onChange(listener),
        conversations,
        conversationStore: core.conversationStore,
        notifyLeases: new Leases(db, COLLECTIONS.notifyLeases),
        ...(email ? { email } : {}),
        replyFiles: core.replyFiles,
        housekeeping: {
          pruneFinishedJobs: (names, before) => pruneFinishedJobs(db, names, before),
          pruneConsoleSessions: () => consoleAuth.pruneSessions(),
          ...webChatRetention({ chats: webChatStore, uploads, visitors: webVisitorRecords(core.repository, core.conversationStore) }, undefined, retentionOf(desk).abandonedWebChatDays),
          ...replyFilesCleanup(core.replyFiles, core.repository),
          pruneTelegramChatSlots: () => telegramBudgetStore.pruneChatSlots(new Date(Date.now() - 86_400_000)),
          pruneAudit: () => audit.pruneBefore(new Date(Date.now() - desk.audit.retentionDays * 86_400_000)),
        },
        capa: { capa: core.capa, store: core.actions },
        privacy: { retention: () => customers.eraseByRetention(), ...(slack ? { tellStaff: () => customers.tellStaff(slack.dataRequestNotice) } : {}) },
        notices: { console: consoleNotices, claims: core.repository },
        ...(slack ? { slack: { sync: (claimId: string) => slack.sync.sync(claimId), postDigest: slack.postDigest, actionAlert: slack.actionAlert, failure: slackFailure } } : {}),
        log,
        observer: metrics.jobs,
      },
      { notifyLimits, notifications: options.notifications, surveyEvery: options.surveyEvery, slaEvery: options.slaEvery, digestEvery: options.digestEvery, fulfilmentEvery: options.fulfilmentEvery, staffSync: options.staffSync, retentionEvery: options.retentionEvery },
    );
    await scheduler.start();
    // on stop: running jobs may finish (up to 20 s), then every lock still held is released
    // releasing is a courtesy to the other workers: when it fails (the database gone), they take the
    // jobs after the lock lifetime, and the stop goes on
    const release = (ids: readonly string[]) =>
      releaseUnstartedJobs(db, ids).catch((error: unknown) => {
        log.warn('jobs', 'held jobs not released; other workers take them after the lock lifetime', { jobs: ids.length, error: errorName(error) });
        return 0;
      });
    stops.push(() => stopScheduler(scheduler, release));
    log.info('jobs', 'scheduler started', { idleAfterMinutes: desk.conversation.idleMinutes });

    const idle = async () => {
      await conversations.drain();
      await slack?.sync.drain();
    };
    return { url: http.url, db, registry, claims, staff, capa: core.capa, customers, conversations, jobs: scheduler, localServer, telegraf: telegraf.mount, idle, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Runs the desk as a process: one clear line and exit code 1 on a configuration error. */
async function runAsProcess(): Promise<void> {
  const dotenv = path.join(projectRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv); // variables already set in the environment win
  let app: App;
  let log: Logger;
  try {
    const env = loadEnv(process.env);
    log = createLogger(env.LOG_LEVEL, undefined, { format: env.LOG_FORMAT });
    app = await startApp({ log });
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
    log.info('app', `${signal}: stopping`);
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
