import type { Db } from 'mongodb';
import type { Agenda } from 'agenda';
import type { Context, MiddlewareFn, Telegram } from 'telegraf';
import type { Logger } from './log.js';
import type { LocalServer } from './store/local/server.js';
import type { CustomerNotificationOptions } from './jobs/customer-notification.js';
import type { ClaimRegistry, DeskClaims } from './registry.js';
import type { StaffDesk } from './staff-desk.js';
import type { CapaDesk } from './capa-desk.js';
import type { CustomerDataDesk } from './customer-data.js';
import type { Channel } from './domain/claim.js';
import type { ConversationRunner, MessageSender } from '../flows/runner.js';
import type { TelegrafDeskOptions } from '../adapters/telegram-telegraf/middleware.js';
import type { WebChatOptions } from '../adapters/web/chat/routes.js';

/*
 * The running app and how to start it: the types of src/main.ts's startApp (the composition root),
 * apart so that main.ts holds the composition only.
 */

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
  /** Corrective and preventive actions. */
  readonly capa: CapaDesk;
  /** The customer's rights (#26): export, erasure, retention, data requests. */
  readonly customers: CustomerDataDesk;
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
  /** How often the fulfilment sweep runs (#25; default: the desk's `jobs.fulfilmentSweepEvery`). */
  readonly fulfilmentEvery?: string | number;
  /** The web chat's flood limits (tests that open many chats from one address raise them). */
  readonly webChat?: Pick<WebChatOptions, 'sessionsPerMinutePerAddress' | 'sessionsPerMinute' | 'postsPerMinute'>;
  /** How often the staff sync sweep runs and how old a change must be for it (tests use less). */
  readonly staffSync?: { readonly every?: string | number; readonly graceMs?: number; readonly retryAfterMs?: number };
  /** How often the retention job runs (default daily; tests use less). */
  readonly retentionEvery?: string | number;
}
