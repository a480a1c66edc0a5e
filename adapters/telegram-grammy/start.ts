import { GrammyError } from 'grammy';
import { ConfigError } from '../../src/config.js';
import type { ChannelHandle, Router } from '../../src/http.js';
import type { Logger } from '../../src/log.js';
import type { ConversationRunner } from '../../flows/runner.js';
import type { TelegramBudget } from '../telegram/budget.js';
import { GrammyDesk } from './bot.js';

/** Where Telegram delivers updates in webhook mode (under PUBLIC_URL). */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export interface TelegramStartDeps {
  readonly config: {
    readonly token: string;
    readonly apiRoot?: string;
    /** Webhook mode when both are given (and TELEGRAM_MODE is webhook); long polling otherwise. */
    readonly webhook?: { readonly publicUrl: string; readonly secret: string };
  };
  /** The process's Telegram budget (adapters/telegram/budget.ts): started here, stopped by its owner. */
  readonly budget: TelegramBudget;
  readonly conversations: ConversationRunner;
  readonly router: Router;
  readonly log: Logger;
}

/** A failure's name for the log (a Bot API error with its code), never its text. */
export function telegramErrorName(error: unknown): string {
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
    throw new Error(`telegram: ${method} failed, the Bot API server cannot be reached (${telegramErrorName(error)}); check TELEGRAM_API_ROOT and the network`, { cause: error });
  }
}

/**
 * Telegram as a standalone grammY bot: joins the desk's Telegram budget, checks the token (getMe),
 * connects the sender to the runner, then receives updates by webhook (its route mounted on the
 * router first) or by long polling.
 * @example const telegram = await startTelegram({ config: { token }, budget, conversations, router: http, log });
 */
export async function startTelegram(deps: TelegramStartDeps): Promise<ChannelHandle> {
  const { config, conversations, log } = deps;
  await deps.budget.start();
  const onError = (what: string, error: unknown) => log.warn('telegram', `${what} failed`, { error: telegramErrorName(error) });
  const telegram = new GrammyDesk({ token: config.token, ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}), sender: { pacer: deps.budget.pacer }, onError });
  const me = await telegramCall('getMe', () => telegram.bot.api.getMe());
  conversations.setSender('telegram', telegram.sender);
  telegram.attach(conversations);
  if (config.webhook) {
    const { publicUrl, secret } = config.webhook;
    deps.router.route('POST', TELEGRAM_WEBHOOK_PATH, telegram.webhookHandler(secret));
    const webhookUrl = new URL(TELEGRAM_WEBHOOK_PATH, publicUrl).href;
    await telegramCall('setWebhook', () => telegram.bot.api.setWebhook(webhookUrl, { secret_token: secret }));
    log.info('telegram', 'receiving updates by webhook', { bot: me.username, webhook: webhookUrl });
    // ready while Telegram has this webhook (another setWebhook or a deleteWebhook elsewhere takes it away)
    const ready = async () => {
      try {
        const info = await telegram.bot.api.getWebhookInfo();
        return info.url === webhookUrl ? { channel: 'telegram', ok: true } : { channel: 'telegram', ok: false, detail: 'webhook not set' };
      } catch (error) {
        return { channel: 'telegram', ok: false, detail: `getWebhookInfo failed (${telegramErrorName(error)})` };
      }
    };
    return { stop: () => Promise.resolve(), ready };
  }
  telegram.startPolling();
  log.info('telegram', 'receiving updates by long polling', { bot: me.username });
  return { stop: () => telegram.stopPolling(), ready: () => Promise.resolve({ channel: 'telegram', ...telegram.pollingState() }) };
}
