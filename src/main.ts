import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Db } from 'mongodb';
import { channelStatus, ConfigError, loadDeskConfig, loadEnv } from './config.js';
import { createLogger, type Logger } from './log.js';
import { sendJson, startHttpServer, type HttpServer } from './http.js';
import { connectMongo, pingDatabase } from './store/mongo.js';
import { ensureIndexes } from './store/collections.js';
import { ClaimRepository } from './store/claims.js';
import { ClaimRegistry } from './registry.js';
import { startLocalServer, type LocalServer } from './store/local/server.js';
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

/** Where Telegram delivers updates in webhook mode (under PUBLIC_URL). */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** A running desk. */
export interface App {
  readonly url: string;
  readonly db: Db;
  readonly registry: ClaimRegistry;
  /** The conversation runner the channel adapters hand their updates to. */
  readonly conversations: ConversationRunner;
  /** The local database the app started, when MONGODB_URI was not set. */
  readonly localServer: LocalServer | undefined;
  /**
   * The desk as a middleware for a Telegraf bot the host application runs itself (start the app
   * with `runTelegramBot: false`). Mount it after the bot's own handlers.
   * @example bot.use(app.telegraf(bot));
   */
  telegraf(bot: { readonly telegram: Telegram }, options?: TelegrafDeskOptions): MiddlewareFn<Context>;
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
  /**
   * Run the standalone grammY bot when TELEGRAM_BOT_TOKEN is set (default true). False when the
   * host application runs its own Telegraf bot and mounts `app.telegraf(bot)` instead.
   */
  readonly runTelegramBot?: boolean;
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

    const registry = new ClaimRegistry(desk, new ClaimRepository(db));
    const conversations = new ConversationRunner({
      desk,
      store: new MongoConversationStore(db),
      claims: registry,
      senders: options.senders ?? {},
      logger: { warn: (message, fields) => log.warn('conversation', message, fields) },
    });
    stops.push(() => conversations.drain());

    const scheduler = createScheduler(db, options.jobsEveryMs ? { processEveryMs: options.jobsEveryMs } : {});
    // a database blip makes Agenda emit 'error'; unheard, that would end the process
    scheduler.on('error', (error: unknown) => log.warn('jobs', 'scheduler error', { error: errorName(error) }));
    await scheduleIdleSweep(scheduler, conversations);
    await scheduler.start();
    stops.push(() => scheduler.stop());
    log.info('jobs', 'scheduler started', { idleAfterMinutes: desk.conversation.idleMinutes });

    const http: HttpServer = await startHttpServer({
      port: env.PORT,
      host: env.HOST,
      onError: (error) => log.error('http', 'handler failed', { error: error instanceof Error ? error.name : 'unknown' }),
    });
    stops.push(() => http.close());
    http.route('GET', '/healthz', async (_req, res) => {
      const ok = await pingDatabase(db);
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' });
    });
    log.info('http', 'listening', { url: http.url, health: `${http.url}/healthz` });

    const channels = channelStatus(env);
    if (channels.slack) log.warn('slack', `off: ${channels.slack}`);
    else log.info('slack', 'configured (its adapter arrives with the channel issue)');
    const reportTelegram = (what: string, error: unknown) => log.warn('telegram', `${what} failed`, { error: errorName(error) });
    if (channels.telegram) {
      log.warn('telegram', `off: ${channels.telegram}`);
    } else if (options.runTelegramBot === false) {
      log.info('telegram', 'left to the host application\'s bot (app.telegraf)');
    } else if (env.TELEGRAM_BOT_TOKEN) {
      const telegram = new GrammyDesk({ token: env.TELEGRAM_BOT_TOKEN, ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}), onError: reportTelegram });
      const me = await telegramCall('getMe', () => telegram.bot.api.getMe());
      conversations.setSender('telegram', telegram.sender);
      telegram.attach(conversations);
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
      const telegrafDesk = new TelegrafDesk(bot.telegram, conversations, { onError: reportTelegram, ...deskOptions });
      conversations.setSender('telegram', telegrafDesk.sender);
      stops.push(() => telegrafDesk.stop());
      log.info('telegram', 'mounted into the host application\'s Telegraf bot');
      return telegrafDesk.middleware();
    };

    return { url: http.url, db, registry, conversations, localServer, telegraf, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
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
