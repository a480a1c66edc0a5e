import type { Update } from 'grammy/types';
import type { ConversationRunner } from '../../flows/runner.js';
import { toInput, type TelegramInput } from './inbound.js';

/** Answers a pressed button (each library provides it); `text` is shown as a small notice. */
export type AnswerCallback = (callbackQueryId: string, text: string | undefined) => Promise<unknown>;

/** Reports failures by name only, never message content. */
export type ReportError = (what: string, error: unknown) => void;

/**
 * Takes one Telegram update into the desk, the same way for every library: translates it, has
 * the runner record it (de-duplicated, in order per chat; replies go out afterwards), then answers
 * a pressed button so the client stops spinning — with the notice when the button was stale.
 * Rejects only when the update could not be recorded (the database is down); then the button is
 * not answered either, so the caller can try again.
 * @example await takeUpdate(runner, update, (id, text) => bot.api.answerCallbackQuery(id, text ? { text } : {}));
 */
export async function takeUpdate(runner: ConversationRunner, update: Update, answer: AnswerCallback, onError?: ReportError): Promise<TelegramInput> {
  const input = toInput(update);
  let notice: string | undefined;
  if (input.kind === 'input') notice = (await runner.accept(input.inbound)).notice;
  if (input.callbackQueryId) {
    try {
      await answer(input.callbackQueryId, notice);
    } catch (error) {
      // a late answer (the query expired) is harmless: the update itself is recorded
      onError?.('answerCallbackQuery', error);
    }
  }
  return input;
}
