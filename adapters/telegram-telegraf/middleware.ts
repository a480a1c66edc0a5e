import type { Context, MiddlewareFn, Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Update } from 'grammy/types';
import type { ConversationRunner } from '../../flows/runner.js';
import { toInput } from '../telegram/inbound.js';
import { takeUpdate, type AnswerCallback, type ReportError } from '../telegram/intake.js';
import { TelegramApiError, TelegramNetworkError, TelegramSender, withNeutralErrors, type TelegramSenderOptions, type TelegramTransport } from '../telegram/sender.js';

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
export function neutral(error: unknown): unknown {
  if (error instanceof TelegramError) {
    return new TelegramApiError(error.code, error.description, error.parameters?.retry_after, error.parameters?.migrate_to_chat_id);
  }
  // Telegraf calls the API through node-fetch, whose failed connections are FetchErrors of type 'system'
  if (error instanceof Error && error.name === 'FetchError' && (error as { type?: unknown }).type === 'system') return TelegramNetworkError.from(error);
  return error;
}

type SendExtra = NonNullable<Parameters<Telegram['sendMessage']>[2]>;

/**
 * The sender's Bot API calls over Telegraf's client; a document as in grammY's (content type
 * detection off).
 * @example new TelegramSender(telegrafTransport(bot.telegram))
 */
export function telegrafTransport(telegram: Telegram): TelegramTransport {
  return {
    // the markup uses only text, callback_data and request_contact, the same in both libraries' types
    sendMessage: (chatId, message) => withNeutralErrors(neutral, () => telegram.sendMessage(chatId, message.text, (message.reply_markup ? { reply_markup: message.reply_markup } : {}) as SendExtra)),
    sendDocument: (chatId, document) =>
      withNeutralErrors(neutral, () => telegram.sendDocument(chatId, { source: document.bytes, filename: document.name }, { disable_content_type_detection: true })),
  };
}

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
    this.sender = new TelegramSender(telegrafTransport(telegram), options.sender);
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

  /**
   * Records the update, holding it up to `holdMs`; after that the bot goes on (the button is
   * answered now) and the same attempts continue in the background until the update is recorded.
   */
  private async record(update: Update): Promise<void> {
    let answered = false;
    const answerOnce: AnswerCallback = (id, text) => {
      if (answered) return Promise.resolve();
      answered = true;
      return this.telegram.answerCbQuery(id, text);
    };
    const recording = this.keepTrying(update, answerOnce);
    const recordedInTime = await Promise.race([recording, this.pause(this.options.holdMs ?? 10_000).then(() => false)]);
    if (recordedInTime) return;
    const id = toInput(update).callbackQueryId;
    if (id) await answerOnce(id, undefined).catch((error: unknown) => this.options.onError?.('answerCallbackQuery', error));
    const retry: Promise<void> = recording.then(() => undefined).finally(() => this.retrying.delete(retry));
    this.retrying.add(retry);
  }

  /** Tries to record the update with growing pauses; false when stopped first. */
  private async keepTrying(update: Update, answer: AnswerCallback): Promise<boolean> {
    for (let delay = 250; !this.stopped; delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000)) {
      try {
        await takeUpdate(this.runner, update, answer, this.options.onError);
        return true;
      } catch (error) {
        this.options.onError?.('record update', error);
      }
      await this.pause(delay);
    }
    return false;
  }

  /** Waits `ms`, cut short by stop(). */
  private pause(ms: number): Promise<void> {
    return Promise.race([sleep(ms), this.stopping]);
  }
}
