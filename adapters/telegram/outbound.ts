import type { InlineKeyboardButton, KeyboardButton } from 'grammy/types';
import { downloadName } from '../web/chat/files.js';
import { fileBytesOf, type SendOptions } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';

/** Telegram's limit for one message's text. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's limit for a button's callback data. */
export const CALLBACK_DATA_LIMIT = 64;

/** The parameters of one `sendMessage` call, without the chat. */
export interface TelegramMessage {
  readonly text: string;
  readonly reply_markup?:
    | { readonly inline_keyboard: InlineKeyboardButton[][] }
    | { readonly keyboard: KeyboardButton[][]; readonly resize_keyboard: true; readonly one_time_keyboard: true }
    | { readonly remove_keyboard: true };
}

/**
 * The parameters of one `sendDocument` call, without the chat: the file uploaded with its name.
 * Neither library lets an upload carry its type; Telegram takes it from the name's extension.
 */
export interface TelegramDocument {
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * Splits a text into pieces Telegram accepts, at a line break or a space where possible.
 * @example splitText('a'.repeat(5000)).length // 2
 */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    // Telegram counts UTF-16 code units; never cut a surrogate pair in two
    const end = isHighSurrogate(rest.charCodeAt(limit - 1)) ? limit - 1 : limit;
    const window = rest.slice(0, end);
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : window.length;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Renders a desk message for Telegram. The text is sent as plain text (no parse mode), so
 * whatever a customer or staff member typed — `<b>`, `*`, `_`, `[x](y)` — is shown as typed and
 * can never break the message. Choices become an inline keyboard (the last piece carries it);
 * a question that asks for a phone gets a "share my phone" reply keyboard (on a line of its own
 * after the question when the question has buttons too, e.g. "Back").
 */
export function renderTelegram(message: Outbound): TelegramMessage[] {
  const pieces = splitText(message.text);
  const choices = message.choices ?? [];
  for (const choice of choices) {
    if (Buffer.byteLength(choice.id, 'utf8') > CALLBACK_DATA_LIMIT) throw new RangeError(`callback data over ${CALLBACK_DATA_LIMIT} bytes`);
  }
  const inline: TelegramMessage['reply_markup'] = choices.length > 0 ? { inline_keyboard: choices.map((choice) => [{ text: choice.label.slice(0, 64), callback_data: choice.id }]) } : undefined;
  const share = message.expects === 'contact' && message.shareContact ? message.shareContact : undefined;
  const shareKeyboard: TelegramMessage['reply_markup'] = share ? { keyboard: [[{ text: share.label, request_contact: true }]], resize_keyboard: true, one_time_keyboard: true } : undefined;
  // a message carries one keyboard: with buttons of its own, the share button follows on a line of its own
  const markup = inline ?? shareKeyboard;
  const rendered = pieces.map((text, index): TelegramMessage => (index === pieces.length - 1 && markup ? { text, reply_markup: markup } : { text }));
  if (inline && share && shareKeyboard) rendered.push({ text: share.hint, reply_markup: shareKeyboard });
  return rendered;
}

/**
 * A desk message's files as Telegram documents, their bytes taken from `options.fileBytes` (throws
 * when one is missing). Every file goes as a document, images included: it keeps its name and is
 * not recompressed.
 * @example telegramDocuments(message, { fileBytes }) // [{ name: 'act.pdf', bytes }]
 */
export function telegramDocuments(message: Outbound, options: SendOptions | undefined): TelegramDocument[] {
  return (message.files ?? []).map((file) => ({ name: documentName(file.name, file.mimeType), bytes: fileBytesOf(options, file) }));
}

/**
 * A file name a multipart header carries as is, with the extension of the file's type (Telegram
 * types a document by it): the desk's download name, its semicolons `_` too (grammY writes the
 * name unquoted).
 * @example documentName('scan"1";v2', 'application/pdf') // 'scan_1__v2.pdf'
 */
export function documentName(name: string, mimeType: string): string {
  return downloadName(name, mimeType).replace(/;/g, '_');
}
