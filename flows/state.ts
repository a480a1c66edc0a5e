import type { Channel } from '../src/domain/claim.js';
import type { Locale } from '../src/domain/locale.js';

/** Which conversation: one per channel and chat. */
export interface ConversationKey {
  readonly channel: Channel;
  readonly chatId: string;
}

/**
 * Where a customer is in a dialog. Named positions only (`stepId`), never a step index, so
 * reordering a dialog's steps cannot corrupt a live conversation.
 */
export interface ConversationState {
  /** The running dialog, or null when the customer is between dialogs. */
  readonly flowId: string | null;
  readonly flowVersion: number;
  readonly stepId: string | null;
  /** The answers collected so far, by field id. */
  readonly answers: Readonly<Record<string, unknown>>;
  readonly locale?: Locale;
  readonly lastActivityAt: Date;
}

/** A loaded conversation. `version` 0 means none was stored yet. */
export interface StoredConversation {
  readonly key: ConversationKey;
  readonly version: number;
  readonly state: ConversationState | undefined;
  /** Whether this inbound update was already handled (it is recorded with the state change). */
  hasProcessed(updateId: string): boolean;
}

/** The outcome of saving a step: saved, an update seen before, or someone else saved first. */
export type CommitResult =
  | { readonly outcome: 'committed'; readonly version: number }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'conflict' };

/**
 * The port the flow runner saves conversations through (implemented in src/store).
 * `commit` is a compare-and-swap on `version` that records `updateId` in the same atomic write,
 * so a redelivered update is recognised and never handled twice.
 */
export interface ConversationStore {
  load(key: ConversationKey): Promise<StoredConversation>;
  commit(key: ConversationKey, expectedVersion: number, state: ConversationState, updateId: string): Promise<CommitResult>;
}
