import type { Attachment, Channel, ConversationReference, CustomerIdentity } from '../src/domain/claim.js';

/** Who wrote: the same shape for every channel. Adapters fill it from their updates. */
export interface Sender {
  readonly channel: Channel;
  /** The chat the conversation happens in (Telegram chat id, Slack DM channel id, web session). */
  readonly chatId: string;
  /** The person (Telegram user id, Slack user id, web visitor id). */
  readonly userId: string;
  /** Slack workspace, when the channel is Slack. */
  readonly teamId?: string;
  /** Thread to answer in, where the channel has threads. */
  readonly threadId?: string;
  /** The name the channel shows; offered as the contact name, never logged. */
  readonly displayName?: string;
  /** The channel's language code (`ru`, `en-GB`…), used for the first reply. */
  readonly languageCode?: string;
}

/** What the customer sent, normalised by the adapter. */
export type InboundContent =
  /** Typed text; a leading `/` makes it a command (`/status 2026-000123`). */
  | { readonly type: 'text'; readonly text: string }
  /** A button press: the opaque id of a `Choice` the bot offered. */
  | { readonly type: 'choice'; readonly choiceId: string }
  /** A shared contact card (Telegram's "share my phone"). */
  | { readonly type: 'contact'; readonly phone: string; readonly name?: string }
  /** Photos or files, as channel references, with the caption if any. */
  | { readonly type: 'files'; readonly attachments: readonly Attachment[]; readonly caption?: string }
  /** Something the desk cannot read (sticker, voice, location, poll…). */
  | { readonly type: 'unsupported'; readonly what: 'sticker' | 'voice' | 'video_note' | 'location' | 'file_too_large' | 'other' }
  /** Raised by the desk itself when a dialog has been idle too long (see ConversationRunner.expireIdle). */
  | { readonly type: 'idle_timeout' };

/**
 * One inbound update, whatever the channel.
 * @example
 * { updateId: 'tg:100231', from: { channel: 'telegram', chatId: '42', userId: '42', languageCode: 'ru' },
 *   content: { type: 'text', text: '/start' } }
 */
export interface Inbound {
  /** The channel's id for this update; an update with an id seen before is ignored. */
  readonly updateId: string;
  readonly from: Sender;
  readonly content: InboundContent;
}

/** A button. `id` is short and opaque (at most 64 bytes, Telegram's callback data limit). */
export interface Choice {
  readonly id: string;
  readonly label: string;
}

/** What the bot expects next, so a channel can show the right keyboard. */
export type Expectation = 'text' | 'choice' | 'contact' | 'files' | 'none';

/**
 * One message to the customer, channel-neutral. Adapters render choices as buttons (or numbered
 * text where a channel has none); `text` is plain text that the adapter escapes for its format.
 */
export interface Outbound {
  readonly text: string;
  readonly choices?: readonly Choice[];
  readonly expects: Expectation;
  /**
   * When a phone is asked for: a "share my phone" button, where the channel has one — its label,
   * and a line to carry it when the question's own buttons take the message's keyboard.
   */
  readonly shareContact?: { readonly label: string; readonly hint: string };
  /**
   * Files the desk sends with the text (#25: a staff reply's files), stored by the desk; the
   * channel sends them after the text. Their bytes reach the sender in `SendOptions.fileBytes`.
   */
  readonly files?: readonly OutboundFile[];
}

/** A file the desk sends to a customer: stored by the desk (GridFS), named, typed and sized. */
export interface OutboundFile {
  readonly fileId: string;
  readonly name: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
}

/** The result of handling an inbound update. */
export interface HandleResult {
  /**
   * `duplicate`: the update had been handled before; nothing was done again. `failed`: handling it
   * failed in a way retrying cannot fix; it was set aside (a dead letter) and the customer got an apology.
   */
  readonly outcome: 'handled' | 'duplicate' | 'failed';
  /** A short notice for the button press itself (Telegram shows it on the pressed button). */
  readonly notice?: string;
  /** What was sent in reply. */
  readonly replies: readonly Outbound[];
  /** false when the replies could not be sent yet; they are kept and go out with the next turn. */
  readonly delivered?: boolean;
}

/** The customer behind a sender. */
export function customerOf(from: Sender): CustomerIdentity {
  return { channel: from.channel, userId: from.userId, ...(from.teamId ? { teamId: from.teamId } : {}) };
}

/** Where to answer a sender, now and later. */
export function referenceOf(from: Sender): ConversationReference {
  return {
    channel: from.channel,
    chatId: from.chatId,
    ...(from.teamId ? { teamId: from.teamId } : {}),
    ...(from.threadId ? { threadId: from.threadId } : {}),
  };
}
