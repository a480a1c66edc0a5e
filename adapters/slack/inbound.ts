import { safeFileName, type Attachment } from '../../src/domain/claim.js';
import type { Inbound, Sender } from '../../flows/types.js';

/** A file as Slack describes it in a message event. */
export interface SlackFile {
  readonly id?: string;
  readonly name?: string;
  readonly mimetype?: string;
  readonly size?: number;
}

/** The fields of a `message` event the desk reads. */
export interface SlackMessageEvent {
  readonly type?: string;
  readonly subtype?: string;
  readonly channel?: string;
  readonly channel_type?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly text?: string;
  readonly ts?: string;
  /** In a thread: the parent message's ts. */
  readonly thread_ts?: string;
  readonly files?: readonly SlackFile[];
}

/** What the channel adds about the person (from `users.info`). */
export interface SlackProfile {
  readonly name?: string;
  readonly locale?: string;
}

/**
 * Slack's message text back to what the person typed: `<mailto:a@b.c|a@b.c>` → `a@b.c`,
 * `<https://x|label>` → `label (https://x)`, `<https://x>` → `https://x`, and the `&amp;`,
 * `&lt;`, `&gt;` entities decoded. Mentions stay as Slack wrote them.
 */
export function plainText(text: string): string {
  return text
    .replace(/<(mailto:|tel:)([^|>]*)(?:\|([^>]*))?>/g, (_m, _scheme: string, target: string, label?: string) => label ?? target)
    .replace(/<((?:https?|ftp):[^|>]*)\|([^>]*)>/g, (_m, url: string, label: string) => (label === url ? url : `${label} (${url})`))
    .replace(/<((?:https?|ftp):[^|>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function kindOf(mime: string | undefined): Attachment['kind'] {
  if (mime?.startsWith('image/')) return 'photo';
  if (mime?.startsWith('video/')) return 'video';
  if (mime?.startsWith('audio/')) return 'audio';
  return 'document';
}

function attachmentOf(file: SlackFile): Attachment | undefined {
  if (!file.id) return undefined;
  const fileName = safeFileName(file.name);
  return {
    channel: 'slack',
    kind: kindOf(file.mimetype),
    fileId: file.id.slice(0, 512),
    ...(fileName ? { fileName } : {}),
    ...(file.mimetype ? { mimeType: file.mimetype.slice(0, 127) } : {}),
    ...(typeof file.size === 'number' && file.size >= 0 ? { sizeBytes: Math.floor(file.size) } : {}),
  };
}

/** Who wrote a direct message: the DM channel is the chat, the workspace keeps user ids apart. */
export function slackSender(teamId: string, channel: string, userId: string, profile: SlackProfile = {}): Sender {
  return {
    channel: 'slack',
    chatId: channel,
    userId,
    teamId,
    ...(profile.name ? { displayName: profile.name } : {}),
    ...(profile.locale ? { languageCode: profile.locale } : {}),
  };
}

/**
 * A direct message from a customer as dialog input, or undefined for what the desk skips:
 * messages outside DMs, the bot's own and other bots' messages, edits, deletions and other
 * subtypes. The update id is the message's channel and ts, the same on every redelivery.
 */
export function dmToInbound(teamId: string, event: SlackMessageEvent, profile: SlackProfile = {}): Inbound | undefined {
  if (event.type !== 'message' || event.channel_type !== 'im') return undefined;
  if (event.subtype !== undefined && event.subtype !== 'file_share') return undefined;
  if (event.bot_id !== undefined || !event.user || !event.channel || !event.ts) return undefined;
  const from = slackSender(teamId, event.channel, event.user, profile);
  const updateId = `sl:${event.channel}:${event.ts}`;
  const text = plainText(event.text ?? '');
  const files = (event.files ?? []).map(attachmentOf).filter((file): file is Attachment => file !== undefined);
  if (files.length > 0) return { updateId, from, content: { type: 'files', attachments: files, ...(text.trim() !== '' ? { caption: text } : {}) } };
  if (event.files && event.files.length > 0) return { updateId, from, content: { type: 'unsupported', what: 'other' } };
  return { updateId, from, content: { type: 'text', text } };
}

/** The prefix that makes a message in a claim's thread a reply to the customer (else it is an internal note). */
export const REPLY_PREFIX = /^\s*reply:\s*/i;

/** A staff member's message in a claim's thread, as a reply or a note. */
export interface ThreadMessage {
  readonly channel: string;
  readonly threadTs: string;
  readonly ts: string;
  readonly userId: string;
  readonly teamId?: string;
  readonly kind: 'reply' | 'note';
  readonly text: string;
}

/**
 * A message written in a thread of a channel (not a DM) by a person, or undefined for what the desk
 * skips: messages outside threads or the thread's parent, bots' messages (the desk's own thread
 * lines among them), edits, deletions and other subtypes, messages without text. A message starting
 * with `reply:` is a reply to the customer (the prefix removed); any other is an internal note.
 * @example threadMessage({ type: 'message', channel: 'C1', user: 'U1', ts: '2.0', thread_ts: '1.0', text: 'reply: We sent it' }) // { kind: 'reply', text: 'We sent it', … }
 */
export function threadMessage(event: SlackMessageEvent & { readonly team?: string }): ThreadMessage | undefined {
  if (event.type !== 'message' || event.channel_type === 'im') return undefined;
  if (event.subtype !== undefined && event.subtype !== 'file_share') return undefined;
  if (event.bot_id !== undefined || !event.user || !event.channel || !event.ts || !event.thread_ts || event.thread_ts === event.ts) return undefined;
  const typed = plainText(event.text ?? '');
  const reply = REPLY_PREFIX.test(typed);
  const text = (reply ? typed.replace(REPLY_PREFIX, '') : typed).trim();
  if (text === '') return undefined;
  return { channel: event.channel, threadTs: event.thread_ts, ts: event.ts, userId: event.user, ...(event.team ? { teamId: event.team } : {}), kind: reply ? 'reply' : 'note', text };
}

/** A customer's press of a dialog button in a DM. */
export function choiceToInbound(teamId: string, channel: string, userId: string, actionTs: string, choiceId: string, profile: SlackProfile = {}): Inbound {
  return { updateId: `sl:${channel}:act:${actionTs}`, from: slackSender(teamId, channel, userId, profile), content: { type: 'choice', choiceId } };
}

/** The slash command customers use for the dialogs' commands (Slack keeps `/…` typed in a DM for itself). */
export const CUSTOMER_COMMAND = '/claimdesk';

/**
 * `/claimdesk status 2026-000123` as the dialog command `/status 2026-000123` in the customer's DM
 * with the app (an empty text asks for help). The trigger id makes the update id: one per use.
 */
export function commandToInbound(teamId: string, dmChannel: string, userId: string, triggerId: string, text: string, profile: SlackProfile = {}): Inbound {
  const words = text.trim().replace(/^\/+/, '');
  return {
    updateId: `sl:${dmChannel}:cmd:${triggerId}`,
    from: slackSender(teamId, dmChannel, userId, profile),
    content: { type: 'text', text: `/${words === '' ? 'help' : words}` },
  };
}
