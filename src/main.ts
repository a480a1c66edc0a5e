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

/** A running desk. */
export interface App {
  readonly url: string;
  readonly db: Db;
  readonly registry: ClaimRegistry;
  /** The conversation runner the channel adapters hand their updates to. */
  readonly conversations: ConversationRunner;
  /** The local database the app started, when MONGODB_URI was not set. */
  readonly localServer: LocalServer | undefined;
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

    const scheduler = createScheduler(db, options.jobsEveryMs ? { processEveryMs: options.jobsEveryMs } : {});
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
    for (const [channel, off] of Object.entries(channels)) {
      if (off) log.warn(channel, `off: ${off}`);
      else log.info(channel, 'configured (its adapter arrives with the channel issue)');
    }

    return { url: http.url, db, registry, conversations, localServer, stop: stopAll };
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
