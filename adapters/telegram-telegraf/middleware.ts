import type { Context, MiddlewareFn, Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Update } from 'grammy/types';
import type { ConversationRunner } from '../../flows/runner.js';
import { toInput } from '../telegram/inbound.js';
import { takeUpdate, type ReportError } from '../telegram/intake.js';
import { TelegramApiError, TelegramSender, type TelegramSenderOptions, type TelegramTransport } from '../telegram/sender.js';

export interface TelegrafDeskOptions {
  readonly sender?: TelegramSenderOptions;
  /** Reports failures by name only (never message content). */
  readonly onError?: ReportError;
  /**
   * How long an update is held while the database cannot record it (default 10 s), before the
   * bot's other updates go on and this one is retried in the background.
   */
  readonly holdMs?: number;
  /** The longest pause between background retries (default 30 s). */
  readonly maxRetryDelayMs?: number;
}

/** Maps Telegraf's error to the library-neutral one the sender understands. */
function neutral(error: unknown): unknown {
  if (error instanceof TelegramError) {
    return new TelegramApiError(error.code, error.description, error.parameters?.retry_after, error.parameters?.migrate_to_chat_id);
  }
  return error;
}

type SendExtra = NonNullable<Parameters<Telegram['sendMessage']>[2]>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The desk as a Telegraf middleware for a bot a company already runs: mount it after the bot's
 * own handlers, and every private-chat update they leave reaches the customer dialogs; group
 * chats, edits and membership changes pass on to `next()`.
 *
 * Telegraf's polling confirms a whole batch even when a handler throws, so this middleware never
 * throws: when the database cannot record an update it keeps trying (holding the update up to
 * `holdMs`, then in the background), answers a pressed button anyway, and loses nothing while
 * the process runs.
 * @example
 * const desk = new TelegrafDesk(bot.telegram, app.conversations);
 * app.conversations.setSender('telegram', desk.sender);
 * bot.use(desk.middleware());
 */
export class TelegrafDesk {
  readonly sender: TelegramSender;
  private readonly retrying = new Set<Promise<void>>();
  private stopped = false;
  private wakeUp: () => void = () => undefined;
  /** Settles on stop(), cutting short a pause between retries. */
  private readonly stopping = new Promise<void>((resolve) => {
    this.wakeUp = resolve;
  });

  constructor(
    private readonly telegram: Telegram,
    private readonly runner: ConversationRunner,
    private readonly options: TelegrafDeskOptions = {},
  ) {
    const transport: TelegramTransport = {
      sendMessage: async (chatId, message) => {
        try {
          // the markup uses only text, callback_data and request_contact, the same in both libraries' types
          const extra = (message.reply_markup ? { reply_markup: message.reply_markup } : {}) as SendExtra;
          await telegram.sendMessage(chatId, message.text, extra);
        } catch (error) {
          throw neutral(error);
        }
      },
    };
    this.sender = new TelegramSender(transport, options.sender);
  }

  /** Updates not recorded yet, being retried in the background. */
  get pending(): number {
    return this.retrying.size;
  }

  middleware(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      const update = ctx.update as Update;
      if (toInput(update).kind === 'ignore') return next();
      await this.record(update);
    };
  }

  /** Stops background retries (the updates still pending are given up) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await Promise.all(this.retrying);
  }

  private answer = (id: string, text: string | undefined) => this.telegram.answerCbQuery(id, text);

  private async record(update: Update): Promise<void> {
    const holdUntil = Date.now() + (this.options.holdMs ?? 10_000);
    for (let delay = 250; ; delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000)) {
      try {
        await takeUpdate(this.runner, update, this.answer, this.options.onError);
        return;
      } catch (error) {
        this.options.onError?.('record update', error);
      }
      if (this.stopped) return;
      if (Date.now() + delay > holdUntil) break;
      await sleep(delay);
    }
    // let the bot's other updates go on: answer the button now, keep trying in the background
    const input = toInput(update);
    if (input.callbackQueryId) await this.answer(input.callbackQueryId, undefined).catch((error: unknown) => this.options.onError?.('answerCallbackQuery', error));
    const retry = this.retryInBackground(update).finally(() => this.retrying.delete(retry));
    this.retrying.add(retry);
  }

  private async retryInBackground(update: Update): Promise<void> {
    for (let delay = 1000; !this.stopped; delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000)) {
      await Promise.race([sleep(delay), this.stopping]);
      if (this.stopped) return;
      try {
        await takeUpdate(this.runner, update, () => Promise.resolve(), this.options.onError);
        return;
      } catch (error) {
        this.options.onError?.('record update (background)', error);
      }
    }
  }
}
