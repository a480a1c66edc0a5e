import type { Context, MiddlewareFn, Telegram } from 'telegraf';
import type { ChannelHandle } from '../../src/http.js';
import type { Logger } from '../../src/log.js';
import type { ConversationRunner } from '../../flows/runner.js';
import type { TelegramBudget } from '../telegram/budget.js';
import { telegramErrorName } from '../telegram-grammy/start.js';
import { TelegrafDesk, type TelegrafDeskOptions } from './middleware.js';

export interface TelegrafStartDeps {
  readonly budget: TelegramBudget;
  readonly conversations: ConversationRunner;
  readonly log: Logger;
}

/** Telegram inside a Telegraf bot the host application runs: `mount` gives the middleware; `stop` stops every one mounted. */
export interface TelegrafHandle extends ChannelHandle {
  /**
   * The desk as a middleware for the host's bot: connects its sender to the runner and starts the
   * Telegram budget. Mount it after the bot's own handlers.
   * @example bot.use(telegraf.mount(bot));
   */
  readonly mount: (bot: { readonly telegram: Telegram }, options?: TelegrafDeskOptions) => MiddlewareFn<Context>;
}

/**
 * Telegram through the host application's Telegraf bot (the app started with `runTelegramBot:
 * false`): nothing runs until the host mounts the middleware.
 * @example const telegraf = startTelegraf({ budget, conversations, log }); bot.use(telegraf.mount(bot));
 */
export function startTelegraf(deps: TelegrafStartDeps): TelegrafHandle {
  const { budget, conversations, log } = deps;
  const mounted: TelegrafDesk[] = [];
  return {
    mount: (bot, options = {}) => {
      const onError = (what: string, error: unknown) => log.warn('telegram', `${what} failed`, { error: telegramErrorName(error) });
      const desk = new TelegrafDesk(bot.telegram, conversations, { onError, ...options, sender: { pacer: budget.pacer, ...options.sender } });
      conversations.setSender('telegram', desk.sender);
      void budget.start();
      mounted.push(desk);
      log.info('telegram', "mounted into the host application's Telegraf bot");
      return desk.middleware();
    },
    async stop() {
      for (const desk of mounted) await desk.stop();
    },
  };
}
