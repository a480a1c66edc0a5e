import type { ConversationReference } from '../../src/domain/claim.js';
import { RecipientUnreachableError, sendParts, type MessageSender, type SendOptions } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';
import { renderTelegram, telegramDocuments, type TelegramDocument, type TelegramMessage } from './outbound.js';
import { TelegramPacer } from './pacer.js';

/** A refused Bot API call, in library-neutral form (each adapter maps its library's error). */
export class TelegramApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
    readonly retryAfterSeconds?: number,
    readonly migrateToChatId?: number,
  ) {
    super(description);
    this.name = 'TelegramApiError';
  }
}

/**
 * The Bot API could not be reached or the connection broke before an answer (a reset keep-alive
 * connection, a refused connection, a timeout). Retried like a server error: the request most
 * likely never arrived, and a rare repeat is better than a reply never sent.
 */
export class TelegramNetworkError extends Error {
  constructor(readonly code: string) {
    super(`the Bot API could not be reached (${code})`);
    this.name = 'TelegramNetworkError';
  }

  /**
   * From the library's connection error: its system code (ECONNRESET…) or name, never its message.
   * Node's fetch (grammY's uploads) rejects with a TypeError whose `cause` has the code.
   */
  static from(cause: unknown): TelegramNetworkError {
    const codeOf = (error: unknown): unknown => (error as { code?: unknown } | undefined)?.code;
    const code = codeOf(cause) ?? codeOf((cause as { cause?: unknown } | undefined)?.cause);
    return new TelegramNetworkError(typeof code === 'string' ? code : cause instanceof Error ? cause.name : 'unknown');
  }
}

/** The customer blocked the bot (403): retrying cannot help; the runner records it. */
export class ChatUnreachableError extends RecipientUnreachableError {
  constructor(readonly chatId: string) {
    super('the bot cannot write to this chat (blocked or deleted)');
    this.name = 'ChatUnreachableError';
  }
}

/** The Bot API calls the sender needs; grammY and Telegraf each provide them. */
export interface TelegramTransport {
  sendMessage(chatId: string, message: TelegramMessage): Promise<void>;
  /** Uploads a file as a document (multipart), its name as given. */
  sendDocument(chatId: string, document: TelegramDocument): Promise<void>;
}

/**
 * Runs a library's Bot API call for a transport, its errors mapped to the neutral ones by the
 * library's `neutral`; the call's result is not needed.
 * @example sendMessage: (chatId, message) => withNeutralErrors(neutral, () => api.sendMessage(chatId, message.text))
 */
export async function withNeutralErrors(neutral: (error: unknown) => unknown, request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
    throw neutral(error);
  }
}

export interface TelegramSenderOptions {
  /** Attempts per Bot API call (a piece of text, a document), the first included (default 4). */
  readonly maxAttempts?: number;
  /** The most time spent waiting on rate limits and retries for one Bot API call (default 30 s). */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Paces messages to Telegram's limits (one per process, shared by every sender of the bot);
   * default: a pacer of its own with Telegram's limits (30 messages/s, 1 per chat per second).
   */
  readonly pacer?: TelegramPacer;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends desk messages to Telegram: renders them (text, then files as documents), honours 429 `retry_after` (within a cap on
 * attempts and total wait), retries server and network errors with backoff, follows `migrate_to_chat_id`, and
 * gives up at once on 403 (the customer blocked the bot) with a ChatUnreachableError. Every Bot API
 * call goes through the pacer: a dialog reply at once, a bulk message (`{ bulk: true }`, what the
 * notification jobs send) when the budget and its chat allow.
 * @example new TelegramSender(transport).send({ channel: 'telegram', chatId: '42' }, outbound)
 */
export class TelegramSender implements MessageSender {
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly pacer: TelegramPacer;

  constructor(
    private readonly transport: TelegramTransport,
    options: TelegramSenderOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.pacer = options.pacer ?? new TelegramPacer();
  }

  /**
   * Sends the text (in pieces), then each of the message's files as a document, every call paced
   * and retried alike. The files' bytes are taken first: a message missing one throws before the
   * customer gets any of it. A chat that migrated stays migrated for the rest of the message.
   */
  async send(to: ConversationReference, message: Outbound, options: SendOptions = {}): Promise<void> {
    const documents = telegramDocuments(message, options);
    const bulk = options.bulk === true;
    const parts: ((chatId: string) => Promise<void>)[] = [
      ...renderTelegram(message).map((piece) => (chatId: string) => this.transport.sendMessage(chatId, piece)),
      ...documents.map((document) => (chatId: string) => this.transport.sendDocument(chatId, document)),
    ];
    let target = to.chatId;
    // the parts an earlier try sent are skipped; each sent is told (the notification job records it)
    await sendParts(
      parts,
      async (part) => {
        target = await this.call(to.chatId, target, bulk, part);
      },
      options,
    );
  }

  /**
   * One Bot API call, paced and retried: returns the chat it went to (another after a migration).
   * `chatId` is the customer's chat as the desk knows it, named in a ChatUnreachableError.
   */
  private async call(chatId: string, to: string, bulk: boolean, request: (target: string) => Promise<void>): Promise<string> {
    let target = to;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      // every attempt is a call Telegram counts: each one is paced
      const permit = bulk ? await this.pacer.bulk(target) : this.pacer.reply(target);
      try {
        await request(target);
        return target;
      } catch (error) {
        if (error instanceof TelegramApiError && error.code === 403) throw new ChatUnreachableError(chatId);
        if (error instanceof TelegramApiError && error.migrateToChatId !== undefined) {
          if (attempt >= this.maxAttempts) throw error;
          target = String(error.migrateToChatId);
          continue;
        }
        const wait = retryWait(error, attempt);
        if (wait === undefined || attempt >= this.maxAttempts || waited + wait > this.maxWaitMs) throw error;
        waited += wait;
        permit.done();
        await this.sleep(wait);
      } finally {
        permit.done();
      }
    }
  }
}

/** How long to wait before trying again after this error, or undefined when retrying cannot help. */
function retryWait(error: unknown, attempt: number): number | undefined {
  const backoff = 200 * 2 ** (attempt - 1);
  if (error instanceof TelegramNetworkError) return backoff;
  if (!(error instanceof TelegramApiError)) return undefined;
  if (error.code === 429) return (error.retryAfterSeconds ?? 1) * 1000;
  return error.code >= 500 ? backoff : undefined;
}
