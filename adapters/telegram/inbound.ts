import type { Message, Update } from 'grammy/types';
import { safeFileName, type Attachment } from '../../src/domain/claim.js';
import type { Inbound, InboundContent, Sender } from '../../flows/types.js';

/** Telegram's `getFile` limit for bots on the public Bot API: larger files cannot be fetched later. */
export const TELEGRAM_FILE_LIMIT_BYTES = 20 * 1024 * 1024;

/** What an update means for the desk: an input for the dialogs, or something to acknowledge and skip. */
export type TelegramInput =
  | { readonly kind: 'input'; readonly inbound: Inbound; readonly callbackQueryId?: string }
  | { readonly kind: 'ignore'; readonly reason: 'not_private' | 'edited' | 'membership' | 'other'; readonly callbackQueryId?: string };

/** The update id the desk records for de-duplication. */
export function telegramUpdateId(update: Pick<Update, 'update_id'>): string {
  return `tg:${update.update_id}`;
}

function senderOf(message: Pick<Message, 'chat' | 'from'>, from = message.from): Sender | undefined {
  if (message.chat.type !== 'private' || !from || from.is_bot) return undefined;
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ').trim();
  return {
    channel: 'telegram',
    chatId: String(message.chat.id),
    userId: String(from.id),
    ...(name ? { displayName: name } : {}),
    ...(from.language_code ? { languageCode: from.language_code } : {}),
  };
}

/** A file name is only ever shown, never used as a path: strip folders and control characters. */
function attachmentsOf(message: Message): Attachment[] | 'too_large' | undefined {
  const files: Attachment[] = [];
  const add = (kind: Attachment['kind'], file: { file_id: string; file_size?: number }, extra: { fileName?: string | undefined; mimeType?: string | undefined } = {}) => {
    const fileName = safeFileName(extra.fileName);
    files.push({
      channel: 'telegram',
      kind,
      fileId: file.file_id,
      ...(fileName ? { fileName } : {}),
      ...(extra.mimeType ? { mimeType: extra.mimeType.slice(0, 127) } : {}),
      ...(file.file_size !== undefined ? { sizeBytes: file.file_size } : {}),
    });
  };
  if (message.photo && message.photo.length > 0) {
    // the sizes come smallest first; keep the largest
    const largest = message.photo.reduce((a, b) => ((b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a));
    add('photo', largest, { mimeType: 'image/jpeg' });
  }
  if (message.document) add('document', message.document, { fileName: message.document.file_name, mimeType: message.document.mime_type });
  if (message.video) add('video', message.video, { fileName: message.video.file_name, mimeType: message.video.mime_type });
  if (message.audio) add('audio', message.audio, { fileName: message.audio.file_name, mimeType: message.audio.mime_type });
  if (files.length === 0) return undefined;
  return files.some((f) => (f.sizeBytes ?? 0) > TELEGRAM_FILE_LIMIT_BYTES) ? 'too_large' : files;
}

function contentOf(message: Message): InboundContent {
  if (message.text !== undefined) return { type: 'text', text: message.text };
  if (message.contact) {
    return { type: 'contact', phone: message.contact.phone_number, ...(message.contact.first_name ? { name: [message.contact.first_name, message.contact.last_name].filter(Boolean).join(' ') } : {}) };
  }
  const files = attachmentsOf(message);
  if (files === 'too_large') return { type: 'unsupported', what: 'file_too_large' };
  if (files) return { type: 'files', attachments: files, ...(message.caption !== undefined ? { caption: message.caption } : {}) };
  if (message.sticker) return { type: 'unsupported', what: 'sticker' };
  if (message.voice) return { type: 'unsupported', what: 'voice' };
  if (message.video_note) return { type: 'unsupported', what: 'video_note' };
  if (message.location || message.venue) return { type: 'unsupported', what: 'location' };
  return { type: 'unsupported', what: 'other' };
}

/**
 * Turns a Telegram update into the desk's one inbound type. Private chats only; edited messages,
 * membership changes and other kinds are acknowledged and skipped. The same for grammY and Telegraf.
 * @example toInput(update) // { kind: 'input', inbound: { updateId: 'tg:1001', from, content: { type: 'text', text: '/start' } } }
 */
export function toInput(update: Update): TelegramInput {
  const updateId = telegramUpdateId(update);
  if (update.message) {
    const from = senderOf(update.message);
    if (!from) return { kind: 'ignore', reason: 'not_private' };
    return { kind: 'input', inbound: { updateId, from, content: contentOf(update.message) } };
  }
  if (update.callback_query) {
    const query = update.callback_query;
    const message = query.message;
    const from = message && 'chat' in message ? senderOf({ chat: message.chat, from: query.from }, query.from) : undefined;
    if (!from || query.data === undefined) return { kind: 'ignore', reason: 'other', callbackQueryId: query.id };
    return { kind: 'input', inbound: { updateId, from, content: { type: 'choice', choiceId: query.data } }, callbackQueryId: query.id };
  }
  if (update.edited_message) return { kind: 'ignore', reason: 'edited' };
  if (update.my_chat_member || update.chat_member) return { kind: 'ignore', reason: 'membership' };
  return { kind: 'ignore', reason: 'other' };
}
