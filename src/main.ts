import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Db } from 'mongodb';
import { channelStatus, ConfigError, loadDeskConfig, loadEnv } from './config.js';
import { createLogger, type Logger } from './log.js';
import { sendJson, startHttpServer, type HttpServer } from './http.js';
import { connectMongo } from './store/mongo.js';
import { DatabaseHealth, isDatabaseUnavailable } from './store/health.js';
import { COLLECTIONS, ensureIndexes } from './store/collections.js';
import { Leases } from './store/leases.js';
import { ClaimRepository } from './store/claims.js';
import { ClaimRegistry } from './registry.js';
import { localServerSizeWarning, startLocalServer, type LocalServer } from './store/local/server.js';
import { LocalDbError } from './store/local/errors.js';
import { dataDir, projectRoot } from './store/local/paths.js';
import { MongoConversationStore } from './store/conversations.js';
import { ConversationRunner, type MessageSender } from '../flows/runner.js';
import { createScheduler } from './jobs/agenda.js';
import { scheduleIdleSweep } from './jobs/conversation-idle.js';
import type { Channel } from './domain/claim.js';
import { GrammyDesk } from '../adapters/telegram-grammy/bot.js';
import { TelegrafDesk, type TelegrafDeskOptions } from '../adapters/telegram-telegraf/middleware.js';
import type { Context, MiddlewareFn, Telegram } from 'telegraf';
import { GrammyError } from 'grammy';
import { App as BoltApp, LogLevel as BoltLogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Agenda } from 'agenda';
import { SlackApi, slackErrorCode, slackFailure } from '../adapters/slack/api.js';
import { DeskReceiver } from '../adapters/slack/receiver.js';
import { SlackSender } from '../adapters/slack/sender.js';
import { SlackClaimSync } from '../adapters/slack/sync.js';
import { mountSlackConsole } from '../adapters/slack/console.js';
import { StaffDesk } from './staff-desk.js';
import { StaffActionLog } from './store/staff-actions.js';
import { SlackPostStore } from './store/slack-posts.js';
import { scheduleStaffSyncSweep } from './jobs/staff-sync.js';
import { scheduleSlaSweep } from './jobs/sla.js';
import { scheduleSurveySweep } from './jobs/survey.js';
import { scheduleDigest } from './jobs/digest.js';
import { scheduleHousekeeping } from './jobs/housekeeping.js';
import { pruneFinishedJobs, releaseUnstartedJobs } from './store/job-housekeeping.js';
import { slackDigestPoster } from '../adapters/slack/digest.js';
import { mountWebChat } from '../adapters/web/chat/routes.js';
import { WebChatStore } from './store/web-chat.js';
import { FileStore } from './store/files.js';
import { CustomerNotifier, NOTIFY_JOB, notifyJobLimits, scheduleCustomerNotifications, type CustomerNotificationOptions } from './jobs/customer-notification.js';
import { TelegramPacer } from '../adapters/telegram/pacer.js';
import { SharedTelegramBudget } from '../adapters/telegram/shared-budget.js';
import { TelegramBudgetStore } from './store/telegram-budget.js';
import type { DeskConfig } from './domain/desk.js';
import { ConsoleAuth, isExamplePassword } from './console-auth.js';
export { EXAMPLE_CONSOLE_PASSWORD } from './console-auth.js';
import { ConsoleSessionStore } from './store/console-sessions.js';
import { ClaimQueries } from './store/claim-queries.js';
import { mountWebConsole } from '../adapters/web/console/index.js';
import type { EnvConfig } from './config.js';

/** Where Telegram delivers updates in webhook mode (under PUBLIC_URL). */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** Where Slack delivers events, interactions and slash commands in HTTP mode (under PUBLIC_URL). */
export const SLACK_EVENTS_PATH = '/slack/events';

/** A running desk. */
export interface App {
  readonly url: string;
  readonly db: Db;
  readonly registry: ClaimRegistry;
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
  /** How often the staff sync sweep runs and how old a change must be for it (tests use less). */
  readonly staffSync?: { readonly every?: string | number; readonly graceMs?: number; readonly retryAfterMs?: number };
}

/**
 * The composition root: reads the configuration, starts the local database when MONGODB_URI is
 * not set, connects, creates indexes, and serves HTTP (`GET /healthz`). One log line per component.
 * @example const app = await startApp(); … await app.stop();
 */
export async function startApp(options: StartAppOptions = {}): Promise<App> {
  const source = options.env ?? process.env;
  const env = loadEnv(source);
  const log = options.log ?? createLogger(env.LOG_LEVEL);
  const desk = await loadDeskConfig(env.DESK_CONFIG, options.cwd ?? projectRoot);
  log.info('config', 'desk configuration loaded', {
    file: env.DESK_CONFIG,
    departments: desk.departments.length,
    categories: desk.categories.length,
    staff: desk.staff.length,
  });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let uri = env.MONGODB_URI;
    let localServer: LocalServer | undefined;
    if (uri) {
      log.info('database', 'using MONGODB_URI');
    } else {
      const local: LocalServer = await startLocalServer({
        dataDir: path.join(dataDir(source), 'db'),
        env: source,
        say: (line) => log.info('database', line),
        warn: (line) => log.warn('database', line),
        supervise: true,
      });
      localServer = local;
      stops.push(() => local.stop());
      uri = `${local.uri}claimdesk`;
      log.info('database', `started a local ${local.kind}`, { uri: local.uri, dataDir: path.join(dataDir(source), 'db') });
    }
    const { client, db } = await connectMongo(uri);
    stops.push(() => client.close());
    await ensureIndexes(db);
    log.info('database', 'connected, indexes ready', { database: db.databaseName });
    // one line when the database stops answering and one when it is back; requests get 503 meanwhile
    const health = new DatabaseHealth(db, {
      onChange: (up, downForMs) =>
        up ? log.info('database', 'answering again', { downForSeconds: Math.round(downForMs / 100) / 10 }) : log.warn('database', 'not answering: requests get 503 and jobs wait until it is back'),
    });
    health.start();
    stops.push(() => {
      health.stop();
      return Promise.resolve();
    });

    const claimRepository = new ClaimRepository(db, { survey: desk.survey });
    const sizeWarning = localServer ? localServerSizeWarning(localServer.kind, await claimRepository.estimatedCount()) : undefined;
    if (sizeWarning) log.warn('database', sizeWarning);
    const registry = new ClaimRegistry(desk, claimRepository);
    const conversationStore = new MongoConversationStore(db);
    const conversations = new ConversationRunner({
      desk,
      store: conversationStore,
      claims: registry,
      senders: options.senders ?? {},
      logger: { warn: (message, fields) => log.warn('conversation', message, fields) },
    });
    stops.push(() => conversations.drain());

    const staff = new StaffDesk(desk, registry, new StaffActionLog(db));
    // a deployed desk (PUBLIC_URL set) refuses the example configuration's password
    const webChatStore = new WebChatStore(db);
    const uploads = new FileStore(db);
    const consoleAuth = new ConsoleAuth(desk, new ConsoleSessionStore(db), { refuseExamplePassword: env.PUBLIC_URL !== undefined });
    // the Slack post sync, when Slack runs: drained after the channels stop taking updates
    let slackSync: SlackClaimSync | undefined;
    stops.push(() => slackSync?.drain() ?? Promise.resolve());

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
      onShare: (share, instances) => log.info('telegram', 'sending budget shared by the desk\'s instances', { instances, perSecond: share, budget: env.TELEGRAM_BULK_PER_SECOND }),
    });
    stops.push(() => telegramBudget.stop());
    // enough notification jobs at once (and locked ahead) to send a backlog at the full rate
    const notifyLimits = notifyJobLimits(env.TELEGRAM_BULK_PER_SECOND, options.jobsEveryMs ?? 5_000);
    const scheduler = createScheduler(db, {
      ...(options.jobsEveryMs ? { processEveryMs: options.jobsEveryMs } : {}),
      ...(options.jobsLockLifetimeMs ? { lockLifetimeMs: options.jobsLockLifetimeMs } : {}),
      maxConcurrency: notifyLimits.concurrency + 20,
    });
    // a database blip makes Agenda emit 'error' at every poll (unheard, that would end the process):
    // an outage is logged once by the health check, other errors once a minute per kind
    const schedulerError = onceAMinute((error: unknown) => log.warn('jobs', 'scheduler error', { error: errorName(error) }), errorName);
    scheduler.on('error', (error: unknown) => {
      if (health.up && !isDatabaseUnavailable(error)) schedulerError(error);
    });
    await scheduleIdleSweep(scheduler, conversations);
    const notifier = new CustomerNotifier({
      desk,
      leases: new Leases(db, COLLECTIONS.notifyLeases),
      ...(options.notifications?.giveUpAfterMs !== undefined ? { giveUpAfterMs: options.notifications.giveUpAfterMs } : {}),
      ...(options.notifications?.leaseMs !== undefined ? { leaseMs: options.notifications.leaseMs } : {}),
      claims: registry,
      senders: conversations,
      reachability: {
        isUnreachable: async (to) => (await conversationStore.load({ channel: to.channel, chatId: to.chatId })).unreachableSince !== undefined,
        markUnreachable: (to) => conversationStore.setUnreachable({ channel: to.channel, chatId: to.chatId }, new Date()),
      },
    });
    const notifications = await scheduleCustomerNotifications(scheduler, notifier, registry, {
      limits: notifyLimits,
      ...options.notifications,
      onError: (what, fields) => log.warn('jobs', `${what} failed`, fields),
    });
    await scheduleSlaSweep(scheduler, registry, {
      ...(options.slaEvery !== undefined ? { every: options.slaEvery } : {}),
      onError: (claimId, error) => log.warn('jobs', 'SLA check failed; the next sweep retries', { claimId, error: errorName(error) }),
    });
    await scheduleSurveySweep(scheduler, registry, {
      ...(options.surveyEvery !== undefined ? { every: options.surveyEvery } : {}),
      onError: (claimId, error) => log.warn('jobs', 'survey step failed; the next sweep retries', { claimId, error: errorName(error) }),
    });
    await scheduleHousekeeping(scheduler, { pruneFinishedJobs: (names, before) => pruneFinishedJobs(db, names, before), pruneConsoleSessions: () => consoleAuth.pruneSessions(), pruneWebChats: () => pruneWebChats(webChatStore, uploads), pruneTelegramChatSlots: () => telegramBudgetStore.pruneChatSlots(new Date(Date.now() - 86_400_000)) }, {
      names: [NOTIFY_JOB],
      onPruned: (count, what) => log.info('jobs', `pruned ${{ jobs: 'finished jobs', console_sessions: 'ended console sessions', web_chats: 'abandoned web chats', telegram_chat_slots: 'idle Telegram chat slots' }[what]}`, { count }),
    });
    // the job is scheduled right after the change; the sweep catches what a crash left behind
    registry.onChange((claim) => {
      notifications.enqueue(claim).catch((error: unknown) => log.warn('jobs', 'scheduling a notification failed; the sweep will', { claimId: claim.id, error: errorName(error) }));
    });

    const http: HttpServer = await startHttpServer({
      port: env.PORT,
      host: env.HOST,
      onError: (error) => log.error('http', 'handler failed', { error: error instanceof Error ? error.name : 'unknown' }),
      database: { isUnavailable: isDatabaseUnavailable, health },
    });
    stops.push(() => http.close());
    http.route('GET', '/healthz', async (_req, res) => {
      const ok = await health.check();
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' });
    });
    log.info('http', 'listening', { url: http.url, health: `${http.url}/healthz` });
    // the customer web chat: its live connections end before the server closes
    const webChat = mountWebChat({ http, runner: conversations, chat: webChatStore, uploads, defaultLocale: desk.desk.defaultLocale, log });
    stops.push(() => {
      webChat.close();
      return Promise.resolve();
    });
    log.info('web', 'customer chat ready', { url: `${http.url}/chat` });
    mountWebConsole({ http, desk, auth: consoleAuth, staff, reads: new ClaimQueries(db, { timezone: desk.desk.timezone }), files: uploads, onExport: (staffId, rows, complete) => log.info('console', complete ? 'claims register exported' : 'claims register export stopped', { staffId, rows }), secureCookie: env.PUBLIC_URL?.startsWith('https:') ?? false, ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}) });
    if (consoleAuth.enabled) {
      log.info('console', 'staff console', { url: `${http.url}/console` });
      const example = await staffWithExamplePassword(desk);
      if (example.length > 0) {
        log.warn('console', env.PUBLIC_URL ? 'staff with the example password cannot sign in (PUBLIC_URL is set); set their own with npm run console:password' : 'staff sign in with the example password; set your own with npm run console:password', { staff: example.join(', ') });
      }
    } else {
      log.info('console', 'staff console: nobody can sign in (no staff member has console.passwordHash in the desk config)');
    }

    const channels = channelStatus(env);
    if (channels.slack) {
      log.warn('slack', `off: ${channels.slack}`);
    } else {
      const slack = await startSlack({ env, desk, db, log, registry, staff, conversations, scheduler, staffSync: options.staffSync ?? {}, digestEvery: options.digestEvery });
      slackSync = slack.sync;
      if (slack.receiver) http.route('POST', SLACK_EVENTS_PATH, slack.receiver.handler());
      if (slack.stop) stops.push(slack.stop);
    }
    const reportTelegram = (what: string, error: unknown) => log.warn('telegram', `${what} failed`, { error: errorName(error) });
    if (channels.telegram) {
      log.warn('telegram', `off: ${channels.telegram}`);
    } else if (options.runTelegramBot === false) {
      log.info('telegram', 'left to the host application\'s bot (app.telegraf)');
    } else if (env.TELEGRAM_BOT_TOKEN) {
      const telegram = new GrammyDesk({ token: env.TELEGRAM_BOT_TOKEN, ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}), sender: { pacer: telegramPacer }, onError: reportTelegram });
      const me = await telegramCall('getMe', () => telegram.bot.api.getMe());
      conversations.setSender('telegram', telegram.sender);
      telegram.attach(conversations);
      await telegramBudget.start();
      if (env.TELEGRAM_MODE === 'webhook' && env.PUBLIC_URL && env.TELEGRAM_WEBHOOK_SECRET) {
        http.route('POST', TELEGRAM_WEBHOOK_PATH, telegram.webhookHandler(env.TELEGRAM_WEBHOOK_SECRET));
        const webhookUrl = new URL(TELEGRAM_WEBHOOK_PATH, env.PUBLIC_URL).href;
        await telegramCall('setWebhook', () => telegram.bot.api.setWebhook(webhookUrl, { secret_token: env.TELEGRAM_WEBHOOK_SECRET }));
        log.info('telegram', 'receiving updates by webhook', { bot: me.username, webhook: webhookUrl });
      } else {
        telegram.startPolling();
        stops.push(() => telegram.stopPolling());
        log.info('telegram', 'receiving updates by long polling', { bot: me.username });
      }
    }

    const telegraf = (bot: { readonly telegram: Telegram }, deskOptions: TelegrafDeskOptions = {}): MiddlewareFn<Context> => {
      const telegrafDesk = new TelegrafDesk(bot.telegram, conversations, { onError: reportTelegram, ...deskOptions, sender: { pacer: telegramPacer, ...deskOptions.sender } });
      conversations.setSender('telegram', telegrafDesk.sender);
      void telegramBudget.start();
      stops.push(() => telegrafDesk.stop());
      log.info('telegram', 'mounted into the host application\'s Telegraf bot');
      return telegrafDesk.middleware();
    };

    await scheduler.start();
    // on stop: let running jobs finish (up to 20 s), then release every lock still held (jobs
    // fetched but not started, or still running after the wait) so another worker takes them at once
    stops.push(async () => {
      // Agenda 6 exposes no "release what you fetched"; its job processor keeps the list of jobs it
      // locked (a fetch still in flight adds to it after drain() returns), so keep hold of it
      const processor = (scheduler as unknown as { jobProcessor?: { lockedJobs?: readonly { attrs: { _id?: { toString(): string } } }[] } }).jobProcessor;
      await scheduler.drain({ timeout: 20_000, closeConnection: false });
      await new Promise((resolve) => setTimeout(resolve, 100)); // let an in-flight fetch land
      const ids = (processor?.lockedJobs ?? []).flatMap((job) => (job.attrs._id !== undefined ? [job.attrs._id.toString()] : []));
      await releaseUnstartedJobs(db, ids);
    });
    log.info('jobs', 'scheduler started', { idleAfterMinutes: desk.conversation.idleMinutes });

    const idle = async () => {
      await conversations.drain();
      await slackSync?.drain();
    };
    return { url: http.url, db, registry, staff, conversations, jobs: scheduler, localServer, telegraf, idle, stop: stopAll };
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
  if (error instanceof GrammyError) return `${error.name} ${String(error.error_code)}`;
  return error instanceof Error ? error.name : 'unknown';
}

/** A Bot API call at start-up; a refused token or webhook becomes one clear configuration error. */
async function telegramCall<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GrammyError) {
      const field = method === 'setWebhook' ? 'PUBLIC_URL' : 'TELEGRAM_BOT_TOKEN';
      throw new ConfigError('TELEGRAM_REFUSED', `config error: ${field}: Telegram refused ${method} (${String(error.error_code)} ${error.description})`, { cause: error });
    }
    throw new Error(`telegram: ${method} failed, the Bot API server cannot be reached (${errorName(error)}); check TELEGRAM_API_ROOT and the network`, { cause: error });
  }
}

/** Bolt's own log lines carry payload fragments; the desk logs its own instead. */
const quietBolt: BoltLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => BoltLogLevel.ERROR,
  setName: () => undefined,
};

interface SlackParts {
  readonly sync: SlackClaimSync;
  /** HTTP mode: the receiver to mount at SLACK_EVENTS_PATH. */
  readonly receiver?: DeskReceiver;
  /** Socket Mode: closes the connection. */
  readonly stop?: () => Promise<void>;
}

/**
 * Slack: checks the token (auth.test), then wires the staff console, the customers' direct
 * messages, the post sync (at once after every change, and a sweep job for what was missed),
 * and the transport — HTTP (signed requests at SLACK_EVENTS_PATH) or Socket Mode when
 * SLACK_APP_TOKEN is set.
 */
async function startSlack(parts: {
  env: EnvConfig;
  desk: DeskConfig;
  db: Db;
  log: Logger;
  registry: ClaimRegistry;
  staff: StaffDesk;
  conversations: ConversationRunner;
  scheduler: Agenda;
  staffSync: NonNullable<StartAppOptions['staffSync']>;
  digestEvery: StartAppOptions['digestEvery'];
}): Promise<SlackParts> {
  const { env, desk, log, registry, staff, conversations, scheduler } = parts;
  const token = env.SLACK_BOT_TOKEN ?? '';
  const api = new SlackApi({ token, ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}) });
  const identity = await slackCall('auth.test', () => api.authTest());
  const sync = new SlackClaimSync({
    desk,
    api,
    posts: new SlackPostStore(parts.db),
    claims: registry,
    onError: (claimId, failure) => log.warn('slack', 'claim post not updated; the sweep will retry', { claimId, failure }),
  });
  registry.onChange((claim) => sync.kick(claim.id));
  conversations.setSender('slack', new SlackSender(api));
  if (parts.digestEvery !== false) {
    await scheduleDigest(
      scheduler,
      desk,
      { departmentStats: (department, since, now) => registry.departmentStats(department, since, now), postDigest: slackDigestPoster(api, desk) },
      { ...(parts.digestEvery !== undefined ? { every: parts.digestEvery } : {}), onError: (department, error) => log.warn('slack', 'digest not posted', { department, failure: slackFailure(error) }) },
    );
  }
  await scheduleStaffSyncSweep(
    scheduler,
    { listPending: (before, limit) => registry.listStaffSyncPending(before, limit), sync: (claimId) => sync.sync(claimId), defer: (claimId, until) => registry.deferStaffSync(claimId, until) },
    { ...parts.staffSync, onError: (claimId, error) => log.warn('slack', 'claim post sync failed; will retry', { claimId, failure: slackFailure(error) }) },
  );

  const bolt = {
    token,
    botId: identity.botId,
    botUserId: identity.userId,
    logger: quietBolt,
    ...(env.SLACK_API_URL ? { clientOptions: { slackApiUrl: env.SLACK_API_URL } } : {}),
    // failures are answered by the receiver (500, so Slack retries) and logged by name there
    errorHandler: (error: Error) => Promise.reject(error),
  };
  const onError = (what: string, error: unknown) => log.warn('slack', `${what} failed`, { failure: slackFailure(error) });
  let app: BoltApp;
  let receiver: DeskReceiver | undefined;
  if (env.SLACK_APP_TOKEN) {
    // the Socket Mode client takes its Web API options (SLACK_API_URL) from installerOptions
    app = new BoltApp({ ...bolt, appToken: env.SLACK_APP_TOKEN, socketMode: true, ...(env.SLACK_API_URL ? { installerOptions: { clientOptions: { slackApiUrl: env.SLACK_API_URL } } } : {}) });
  } else {
    receiver = new DeskReceiver({
      signingSecret: env.SLACK_SIGNING_SECRET ?? '',
      onError: (error) => log.warn('slack', 'request failed; answered 500', { failure: slackFailure(error) }),
      onRetry: (retryNum, reason) => log.info('slack', 'Slack redelivered a request', { retryNum, reason }),
    });
    app = new BoltApp({ ...bolt, receiver });
  }
  mountSlackConsole({ app, api, desk, staff, dialogs: conversations, refresh: (claimId) => sync.kick(claimId), onError });
  if (env.SLACK_APP_TOKEN) {
    await slackCall('apps.connections.open', () => app.start(), 'SLACK_APP_TOKEN');
    log.info('slack', 'receiving events by Socket Mode', { team: identity.teamId });
    return { sync, stop: () => app.stop().then(() => undefined) };
  }
  log.info('slack', 'receiving events by HTTP', { team: identity.teamId, path: SLACK_EVENTS_PATH });
  return { sync, ...(receiver ? { receiver } : {}) };
}

/** Days an abandoned web chat (no claim, nothing written) is kept, with its uploads. */
export const WEB_CHAT_RETENTION_DAYS = 30;

/** Deletes abandoned web chats and their uploads, up to 10 000 visitors looked at a run. */
async function pruneWebChats(chat: WebChatStore, uploads: FileStore, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - WEB_CHAT_RETENTION_DAYS * 86_400_000);
  let pruned = 0;
  for (let round = 0; round < 20; round++) {
    const batch = await chat.pruneAbandoned(before, 500);
    await uploads.deleteOwnedBy(batch.pruned);
    pruned += batch.pruned.length;
    if (batch.looked < 500) break;
  }
  return pruned;
}

async function staffWithExamplePassword(desk: DeskConfig): Promise<string[]> {
  const found: string[] = [];
  for (const member of desk.staff) {
    if (member.console && (await isExamplePassword(member.console.passwordHash))) found.push(member.id);
  }
  return found;
}

/** A Web API call at start-up; a refused token becomes one clear configuration error. */
async function slackCall<T>(method: string, call: () => Promise<T>, field: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN' = 'SLACK_BOT_TOKEN'): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code) throw new ConfigError('SLACK_REFUSED', `config error: ${field}: Slack refused ${method} (${code})`, { cause: error });
    throw new Error(`slack: ${method} failed, the Web API cannot be reached (${slackFailure(error)}); check SLACK_API_URL and the network`, { cause: error });
  }
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
