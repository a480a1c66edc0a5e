import type { ConversationReference } from '../../../src/domain/claim.js';
import type { MessageSender } from '../../../flows/runner.js';
import { parseChoiceId } from '../../../flows/core.js';
import type { Outbound } from '../../../flows/types.js';
import type { DeskLine, WebChatPort } from '../../../src/web-chat-ports.js';
import { allowedType, kindOf } from './files.js';

/** How the desk files a type: photos, videos, the rest (types the chat does not take too) as documents. */
const fileKindOf = (mimeType: string) => {
  const type = allowedType(mimeType);
  return type ? kindOf(type) : 'document';
};

/**
 * Tells the open live connections of a visitor (in this process) that their transcript grew.
 * Connections of other instances find out by polling the store.
 */
export class LiveHub {
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Calls `listener` whenever the visitor's transcript grows; returns the unsubscribe. */
  subscribe(visitorId: string, listener: () => void): () => void {
    const set = this.listeners.get(visitorId) ?? new Set();
    set.add(listener);
    this.listeners.set(visitorId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(visitorId) === set) this.listeners.delete(visitorId);
    };
  }

  /** How many live connections a visitor has here. */
  count(visitorId: string): number {
    return this.listeners.get(visitorId)?.size ?? 0;
  }

  notify(visitorId: string): void {
    for (const listener of this.listeners.get(visitorId) ?? []) listener();
  }
}

/**
 * A desk message as the web chat keeps it: the text and the buttons; buttons with desk-wide ids
 * (the survey's scores, "new report") are marked lasting, so the page keeps them pressable. The
 * "share my phone" offer has no web counterpart (the customer types the phone or e-mail).
 */
export function deskLineOf(message: Outbound): DeskLine {
  const choices = (message.choices ?? []).map((choice) => ({ id: choice.id, label: choice.label, ...(parseChoiceId(choice.id)?.scope === 'global' ? { lasting: true } : {}) }));
  // a reply's files (#25): the page offers them to download
  const files = (message.files ?? []).map((file) => ({ fileId: file.fileId, name: file.name, mimeType: file.mimeType, sizeBytes: file.sizeBytes, kind: fileKindOf(file.mimeType) }));
  return { text: message.text, expects: message.expects, ...(choices.length > 0 ? { choices } : {}), ...(files.length > 0 ? { files } : {}) };
}

/**
 * The web chat's MessageSender: a desk message is appended to the visitor's transcript and the
 * visitor's live connections are told. It never refuses a visitor for good (a web customer reads
 * the transcript when they come back), so it never throws RecipientUnreachableError; it throws
 * only when the transcript cannot be written (the runner keeps the message and sends it later).
 * @example runner.setSender('web', new WebSender(store, hub));
 */
export class WebSender implements MessageSender {
  constructor(
    private readonly transcript: Pick<WebChatPort, 'appendDesk' | 'forgetCustomerLines'>,
    private readonly hub: LiveHub,
  ) {}

  async send(to: ConversationReference, message: Outbound): Promise<void> {
    await this.transcript.appendDesk(to.chatId, deskLineOf(message));
    this.hub.notify(to.chatId);
  }
  /** A declined report (#26): the visitor's own lines since `since` go from the transcript; the desk's answers stay. */
  async forgetCustomerWords(to: ConversationReference, since: Date | undefined): Promise<void> {
    await this.transcript.forgetCustomerLines(to.chatId, since);
  }

}
