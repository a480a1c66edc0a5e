import type { Channel, ConversationReference } from '../src/domain/claim.js';
import type { Outbound } from './types.js';
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
  /**
   * The number of the bot's latest turn. Button ids carry it, so a press on an older message is
   * recognised as stale and changes nothing.
   */
  readonly prompt?: number;
  /** Steps answered in this dialog, oldest first, for "back". */
  readonly trail?: readonly string[];
}

/**
 * Replies saved with the state change that produced them, cleared once sent. A crash between
 * saving and sending leaves them here, and they are sent on the next turn (nothing is lost).
 */
export interface Outbox {
  readonly updateId: string;
  readonly to: ConversationReference;
  readonly messages: readonly Outbound[];
}

/** A loaded conversation. `version` 0 means none was stored yet. */
export interface StoredConversation {
  readonly key: ConversationKey;
  readonly version: number;
  readonly state: ConversationState | undefined;
  /** Replies of an earlier turn not yet confirmed as sent. */
  readonly outbox: Outbox | undefined;
  /** Since when the channel refuses messages to this chat (the customer blocked the bot), if it does. */
  readonly unreachableSince: Date | undefined;
  /**
   * Whether this inbound update was already handled (it is recorded with the state change): an id
   * once handled is recognised for as long as the conversation exists.
   */
  hasProcessed(updateId: string): Promise<boolean>;
}

/** The outcome of saving a step: saved, an update seen before, or someone else saved first. */
export type CommitResult =
  | { readonly outcome: 'committed'; readonly version: number }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'conflict' };

/** What else a commit records besides the state. */
export interface CommitOptions {
  /** The customer wrote, so the channel takes messages to this chat again: clear `unreachableSince`. */
  readonly reachable?: boolean;
}

/**
 * The port the flow runner saves conversations through (implemented in src/store).
 * `commit` is a compare-and-swap on `version` that records `updateId` in the same atomic write,
 * so a redelivered update is recognised and never handled twice.
 */
export interface ConversationStore {
  load(key: ConversationKey): Promise<StoredConversation>;
  /**
   * Saves the state and, in the same write, the replies to send (`outbox`). With `reachable`
   * (the customer wrote) the same write also clears the chat's unreachable mark.
   */
  commit(key: ConversationKey, expectedVersion: number, state: ConversationState, updateId: string, outbox?: Outbox, options?: CommitOptions): Promise<CommitResult>;
  /** Marks the outbox of `updateId` as sent. */
  clearOutbox(key: ConversationKey, updateId: string): Promise<void>;
  /** Conversations in a dialog whose last activity is before `before`, oldest first. */
  listIdle(before: Date, limit: number): Promise<ConversationKey[]>;
  /**
   * Records that the channel refuses messages to this chat (`since`), or that it takes them again
   * (`undefined`: the customer wrote). Jobs read it before trying to notify the customer.
   */
  setUnreachable(key: ConversationKey, since: Date | undefined): Promise<void>;
  /** Deletes a chat's conversation with every update id it handled (a declined privacy notice, an abandoned chat). */
  forget(key: ConversationKey): Promise<void>;
}
