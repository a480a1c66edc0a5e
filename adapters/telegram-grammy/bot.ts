import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Bot, GrammyError, HttpError, InputFile, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { ConversationRunner } from '../../flows/runner.js';
import { botApiFetch } from './fetch.js';
import { takeUpdate, type AnswerCallback } from '../telegram/intake.js';
import { TelegramApiError, TelegramNetworkError, TelegramSender, withNeutralErrors, type TelegramSenderOptions, type TelegramTransport } from '../telegram/sender.js';

export interface GrammyDeskOptions {
  readonly token: string;
  /** Another Bot API server (a self-hosted telegram-bot-api, or a test fake). */
  readonly apiRoot?: string;
  readonly sender?: TelegramSenderOptions;
  /** Reports failures by name only (never message content). */
  readonly onError?: (what: string, error: unknown) => void;
}

/** Maps grammY's error to the library-neutral one the sender understands. */
function neutral(error: unknown): unknown {
  if (error instanceof GrammyError) {
    return new TelegramApiError(error.error_code, error.description, error.parameters.retry_after, error.parameters.migrate_to_chat_id);
  }
  // grammY wraps a failed connection (reset, refused, timed out) in HttpError
  if (error instanceof HttpError) return TelegramNetworkError.from(error.error);
  return error;
}

/**
 * The sender's Bot API calls over grammY's client. A document is uploaded with content type
 * detection off, so every file reaches the customer as a file under its name (an MP4 or a GIF is
 * not turned into a video or an animation).
 * @example new TelegramSender(grammyTransport(bot.api))
 */
export function grammyTransport(api: Api): TelegramTransport {
  return {
    sendMessage: (chatId, message) => withNeutralErrors(neutral, () => api.sendMessage(chatId, message.text, message.reply_markup ? { reply_markup: message.reply_markup } : {})),
    sendDocument: (chatId, document) =>
      withNeutralErrors(neutral, () => api.sendDocument(chatId, new InputFile(document.bytes, document.name), { disable_content_type_detection: true })),
  };
}

/**
 * The standalone Telegram bot on grammY. It only translates: updates become the desk's inbound
 * messages for the conversation runner, and the runner's replies go out through `sender`.
 * Create it, pass `desk.sender` to the runner as the Telegram sender, then `attach(runner)` and
 * start polling or mount the webhook.
 */
export class GrammyDesk {
  readonly bot: Bot;
  readonly sender: TelegramSender;
  private runner: ConversationRunner | undefined;
  private polling = false;
  private pollLoop: Promise<void> | undefined;
  private pollAbort: AbortController | undefined;
  /** Why the last long poll failed, until one succeeds again. */
  private pollFailure: string | undefined;

  constructor(private readonly options: GrammyDeskOptions) {
    // grammY types `fetch` as node-fetch's (whose typings are not installed); it only ever reads the
    // response's JSON body, which botApiFetch provides
    this.bot = new Bot(options.token, { client: { fetch: botApiFetch as never, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) } });
    this.sender = new TelegramSender(grammyTransport(this.bot.api), options.sender);
  }

  attach(runner: ConversationRunner): void {
    this.runner = runner;
  }

  /**
   * Handles one update: records it through the runner (which de-duplicates), then answers a
   * button press so the client stops spinning. Settles once the update is recorded; the replies
   * are sent afterwards (`runner.drain()` waits for them). Throws only when the update could not
   * be recorded (the database is down).
   */
  async handleUpdate(update: Update, answer: AnswerCallback = (id, text) => this.bot.api.answerCallbackQuery(id, text ? { text } : {})): Promise<void> {
    if (!this.runner) throw new Error('attach(runner) before handling updates');
    await takeUpdate(this.runner, update, answer, this.options.onError);
  }

  /**
   * Long polling that never confirms an update it failed to record: a batch is confirmed (the
   * next offset) only after every update in it was handled; after a failure the batch is fetched
   * again, and the runner ignores what it had already recorded. Chats are handled in parallel,
   * each chat in order (the runner's queue).
   */
  startPolling(options: { timeoutSeconds?: number; retryDelayMs?: number } = {}): void {
    if (this.polling) return;
    this.polling = true;
    const abort = new AbortController();
    this.pollAbort = abort;
    // grammY types the signal with the abort-controller shim's type; the runtime takes Node's
    const signal = abort.signal as Parameters<Api['getUpdates']>[1];
    this.pollLoop = (async () => {
      let offset = 0;
      let webhookRemoved = false;
      while (this.polling) {
        try {
          if (!webhookRemoved) webhookRemoved = await this.bot.api.deleteWebhook({}, signal);
          const updates = await this.bot.api.getUpdates({ offset, timeout: options.timeoutSeconds ?? 25 }, signal);
          this.pollFailure = undefined;
          await Promise.all(updates.map((update) => this.handleUpdate(update)));
          const last = updates.at(-1);
          if (last) offset = last.update_id + 1;
        } catch (error) {
          if (!this.polling) break;
          this.pollFailure = error instanceof GrammyError ? `${error.name} ${String(error.error_code)}` : error instanceof Error ? error.name : 'unknown';
          this.options.onError?.('polling', error);
          await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1000));
        }
      }
    })();
  }

  /**
   * Whether long polling runs and its last poll succeeded (or is under way after a success), and
   * if not, why: `not polling`, or `polling failing (<error name>)`.
   */
  pollingState(): { readonly ok: boolean; readonly detail?: string } {
    if (!this.polling) return { ok: false, detail: 'not polling' };
    return this.pollFailure === undefined ? { ok: true } : { ok: false, detail: `polling failing (${this.pollFailure})` };
  }

  /** Stops polling: the open long poll is cut off; a batch being recorded is finished first. */
  async stopPolling(): Promise<void> {
    this.polling = false;
    this.pollAbort?.abort();
    await this.pollLoop;
  }

  /**
   * The webhook endpoint: checks Telegram's secret token header (constant time) — a missing or
   * wrong one gets 401 and nothing is recorded —, records the update, then answers 200. A failure
   * to record answers 500, so Telegram delivers the update again. A pressed button is answered in
   * the webhook's own response (Telegram's "webhook reply"), which saves a Bot API request per
   * press; its result is never needed.
   */
  webhookHandler(secretToken: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    const expected = Buffer.from(secretToken);
    return async (req, res) => {
      const given = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      let update: Update;
      try {
        update = JSON.parse(await readBody(req)) as Update;
        if (typeof update.update_id !== 'number') throw new Error('no update_id');
      } catch {
        res.writeHead(400).end();
        return;
      }
      try {
        let reply: { method: 'answerCallbackQuery'; callback_query_id: string; text?: string } | undefined;
        await this.handleUpdate(update, (id, text) => {
          reply = { method: 'answerCallbackQuery', callback_query_id: id, ...(text ? { text } : {}) };
          return Promise.resolve();
        });
        if (reply) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
        else res.writeHead(200).end();
      } catch (error) {
        this.options.onError?.('webhook', error);
        res.writeHead(500).end();
      }
    };
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
