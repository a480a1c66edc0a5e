import { errorName, type Logger } from '../../src/log.js';
import { TelegramPacer, type ChatSlots } from './pacer.js';
import { SharedTelegramBudget, type BudgetMembersPort } from './shared-budget.js';

/** This process's Telegram sending budget, shared by both Telegram channels (grammY, Telegraf). */
export interface TelegramBudget {
  /** One pacer for every Telegram message of this process: notifications wait for budget, replies never. */
  readonly pacer: TelegramPacer;
  /** Joins the desk's instances (idempotent): done by the channel that starts sending. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TelegramBudgetDeps {
  /** TELEGRAM_BULK_PER_SECOND: the desk's budget, shared by its instances. */
  readonly perSecond: number;
  /** The chat slots and the instances' heartbeats (the store's TelegramBudgetStore). */
  readonly store: ChatSlots & BudgetMembersPort;
  /** Whether a failure is worth a log line (not while the database is known to be down). */
  readonly reportable: (error: unknown) => boolean;
  readonly log: Logger;
}

/**
 * The desk's Telegram budget for this process: TELEGRAM_BULK_PER_SECOND shared by the desk's
 * instances through the database (each takes an equal share; bulk messages to one chat hold its
 * slot). Started by the Telegram channel that runs; stopped with the app.
 * @example const telegram = telegramBudget({ perSecond: 30, store: new TelegramBudgetStore(db), reportable: () => true, log });
 */
export function telegramBudget(deps: TelegramBudgetDeps): TelegramBudget {
  const { perSecond, store, log } = deps;
  const onError = (what: string, error: unknown) => {
    if (deps.reportable(error)) log.warn('telegram', `${what} failed`, { error: errorName(error) });
  };
  const pacer = new TelegramPacer({ perSecond, chatSlots: store, onError });
  const shared = new SharedTelegramBudget({
    pacer,
    members: store,
    onError,
    onShare: (share, instances) => log.info('telegram', "sending budget shared by the desk's instances", { instances, perSecond: share, budget: perSecond }),
  });
  return { pacer, start: () => shared.start(), stop: () => shared.stop() };
}
