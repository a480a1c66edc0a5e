import type { Collection, Db, Filter } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';
import type { CommitOptions, CommitResult, ConversationKey, ConversationState, ConversationStore, Outbox, StoredConversation } from '../../flows/state.js';

/**
 * How many recent update ids each conversation keeps in its own document (recorded in the same
 * write as the state change). Older ids move to `processed_updates`, so an id once handled is
 * recognised for as long as the conversation exists.
 */
export const PROCESSED_WINDOW = 100;
/** The most outbox clears written in one command. */
const CLEAR_GROUP_LIMIT = 500;

interface ConversationDocument {
  _id: string;
  channel: ConversationKey['channel'];
  chatId: string;
  version: number;
  flowId: string | null;
  flowVersion: number;
  stepId: string | null;
  answers: Record<string, unknown>;
  locale?: ConversationState['locale'];
  lastActivityAt: Date;
  prompt?: number;
  trail?: string[];
  /** Replies saved with the state change, not yet confirmed as sent. */
  outbox?: Outbox;
  /** The most recent inbound update ids, oldest first: PROCESSED_WINDOW to about twice as many. */
  processed: string[];
  /** Set once older ids were moved to `processed_updates` (only then are they looked up there). */
  archived?: true;
  /** Set while the channel refuses messages to this chat (the customer blocked the bot). */
  unreachableSince?: Date;
}

function idOf(key: ConversationKey): string {
  return `${key.channel}:${key.chatId}`;
}

/** An update id a conversation handled, moved out of its document's window. */
interface ProcessedUpdateDocument {
  /** `<conversation id>|<update id>`. */
  _id: string;
  conversationId: string;
}

const archivedId = (conversationId: string, updateId: string) => `${conversationId}|${updateId}`;

type StateFields = Pick<ConversationDocument, 'flowId' | 'flowVersion' | 'stepId' | 'answers' | 'lastActivityAt' | 'locale' | 'prompt' | 'trail'>;

function stateFields(state: ConversationState): StateFields {
  return {
    flowId: state.flowId,
    flowVersion: state.flowVersion,
    stepId: state.stepId,
    answers: { ...state.answers },
    lastActivityAt: state.lastActivityAt,
    ...(state.locale ? { locale: state.locale } : {}),
    ...(state.prompt !== undefined ? { prompt: state.prompt } : {}),
    ...(state.trail ? { trail: [...state.trail] } : {}),
  };
}

function toState(doc: ConversationDocument): ConversationState {
  return {
    flowId: doc.flowId,
    flowVersion: doc.flowVersion,
    stepId: doc.stepId,
    answers: doc.answers,
    lastActivityAt: doc.lastActivityAt,
    ...(doc.locale ? { locale: doc.locale } : {}),
    ...(doc.prompt !== undefined ? { prompt: doc.prompt } : {}),
    ...(doc.trail ? { trail: doc.trail } : {}),
  };
}

/** The optional fields a state may lack, removed from the document when it does. */
const OPTIONAL_FIELDS = ['locale', 'prompt', 'trail', 'outbox'] as const;

/**
 * Conversation state in MongoDB, one document per channel and chat. The recent update ids live in
 * the same document, so recording an update and changing the state are one atomic write; older
 * ones move to `processed_updates` every PROCESSED_WINDOW versions, so an update id once handled is
 * recognised for as long as the conversation exists.
 * @example
 * const store = new MongoConversationStore(db);
 * const loaded = await store.load({ channel: 'telegram', chatId: '42' });
 * await store.commit(loaded.key, loaded.version, nextState, 'tg:1001');
 */
export class MongoConversationStore implements ConversationStore {
  private readonly conversations: Collection<ConversationDocument>;
  private readonly archive: Collection<ProcessedUpdateDocument>;
  private readonly pendingClears: { filter: Filter<ConversationDocument>; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(db: Db) {
    this.conversations = db.collection<ConversationDocument>(COLLECTIONS.conversations);
    this.archive = db.collection<ProcessedUpdateDocument>(COLLECTIONS.processedUpdates);
  }

  async load(key: ConversationKey): Promise<StoredConversation> {
    const _id = idOf(key);
    const doc = await this.conversations.findOne({ _id });
    const processed = new Set(doc?.processed ?? []);
    const archived = doc?.archived === true;
    return {
      key,
      version: doc?.version ?? 0,
      state: doc ? toState(doc) : undefined,
      outbox: doc?.outbox,
      unreachableSince: doc?.unreachableSince,
      // the window first; older ids only where some were moved out of it
      hasProcessed: async (updateId) => processed.has(updateId) || (archived && (await this.archive.countDocuments({ _id: archivedId(_id, updateId) }, { limit: 1 })) > 0),
    };
  }

  async commit(key: ConversationKey, expectedVersion: number, state: ConversationState, updateId: string, outbox?: Outbox, options: CommitOptions = {}): Promise<CommitResult> {
    const _id = idOf(key);
    const fields: Partial<ConversationDocument> = { ...stateFields(state), ...(outbox ? { outbox } : {}) };
    if (expectedVersion === 0) {
      try {
        await this.conversations.insertOne({ _id, channel: key.channel, chatId: key.chatId, version: 1, ...stateFields(state), ...(outbox ? { outbox } : {}), processed: [updateId] });
        return { outcome: 'committed', version: 1 };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return this.explainMiss(_id, updateId);
      }
    }
    // every PROCESSED_WINDOW versions the oldest ids move out of the document (never dropped)
    if (expectedVersion % PROCESSED_WINDOW === 0) await this.archiveOldest(_id, expectedVersion);
    const result = await this.conversations.updateOne(
      { _id, version: expectedVersion, processed: { $ne: updateId } },
      {
        $set: fields,
        ...unsetMissing(fields, options.reachable === true),
        $inc: { version: 1 },
        $push: { processed: updateId },
      },
    );
    if (result.modifiedCount === 1) return { outcome: 'committed', version: expectedVersion + 1 };
    return this.explainMiss(_id, updateId);
  }

  /**
   * Clears are written in groups: one is written at once, and those asked for while it is on its
   * way go together in the next write (one command for many chats under load; no wait when idle).
   * Each settles when the write that carries it does.
   */
  clearOutbox(key: ConversationKey, updateId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingClears.push({ filter: { _id: idOf(key), 'outbox.updateId': updateId }, resolve, reject });
      this.flushing ??= this.flushClears();
    });
  }

  private async flushClears(): Promise<void> {
    while (this.pendingClears.length > 0) {
      const group = this.pendingClears.splice(0, CLEAR_GROUP_LIMIT);
      try {
        await this.conversations.bulkWrite(
          group.map(({ filter }) => ({ updateOne: { filter, update: { $unset: { outbox: '' } } } })),
          { ordered: false },
        );
        for (const clear of group) clear.resolve();
      } catch (error) {
        // some may have been written: the runner then reads the chat afresh, so nothing is sent twice
        for (const clear of group) clear.reject(error);
      }
    }
    this.flushing = undefined;
  }

  async setUnreachable(key: ConversationKey, since: Date | undefined): Promise<void> {
    // a chat never stored yet has nothing to mark: the next message creates it reachable
    await this.conversations.updateOne({ _id: idOf(key) }, since ? { $set: { unreachableSince: since } } : { $unset: { unreachableSince: '' } });
  }

  /** Whether the chat is in the middle of a dialog (a report being written may yet take the files sent). */
  async inDialog(key: ConversationKey): Promise<boolean> {
    const doc = await this.conversations.findOne({ _id: idOf(key) }, { projection: { flowId: 1 } });
    return doc !== null && doc.flowId !== null;
  }

  /** Deletes a chat's conversation with every update id it handled (the chat itself is gone). */
  async forget(key: ConversationKey): Promise<void> {
    const _id = idOf(key);
    await this.conversations.deleteOne({ _id });
    await this.archive.deleteMany({ conversationId: _id });
  }

  async listIdle(before: Date, limit: number): Promise<ConversationKey[]> {
    const docs = await this.conversations
      .find({ flowId: { $ne: null }, lastActivityAt: { $lt: before } }, { projection: { channel: 1, chatId: 1 } })
      .sort({ lastActivityAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => ({ channel: doc.channel, chatId: doc.chatId }));
  }

  /**
   * Moves all but the newest PROCESSED_WINDOW update ids of a conversation to `processed_updates`:
   * written there first, then cut from the document by a compare-and-swap on the version (a
   * conversation that moved on meanwhile is trimmed at a later version). A crash in between leaves
   * an id in both places, which is harmless.
   */
  private async archiveOldest(_id: string, version: number): Promise<void> {
    const doc = await this.conversations.findOne({ _id, version }, { projection: { processed: 1 } });
    if (!doc || doc.processed.length <= PROCESSED_WINDOW) return;
    const oldest = doc.processed.slice(0, doc.processed.length - PROCESSED_WINDOW);
    try {
      await this.archive.insertMany(
        oldest.map((updateId) => ({ _id: archivedId(_id, updateId), conversationId: _id })),
        { ordered: false },
      );
    } catch (error) {
      // ids a crashed earlier trim had moved already
      if (!isDuplicateKey(error)) throw error;
    }
    await this.conversations.updateOne({ _id, version }, { $push: { processed: { $each: [], $slice: -PROCESSED_WINDOW } }, $set: { archived: true } });
  }

  /** Why a compare-and-swap did not apply: the update was handled already, or the state moved on. */
  private async explainMiss(_id: string, updateId: string): Promise<CommitResult> {
    const current = await this.conversations.findOne({ _id }, { projection: { processed: 1 } });
    return current?.processed.includes(updateId) ? { outcome: 'duplicate' } : { outcome: 'conflict' };
  }
}

function unsetMissing(fields: Partial<ConversationDocument>, reachable: boolean): { $unset?: Record<string, ''> } {
  const missing: string[] = OPTIONAL_FIELDS.filter((field) => fields[field] === undefined);
  if (reachable) missing.push('unreachableSince');
  return missing.length > 0 ? { $unset: Object.fromEntries(missing.map((field) => [field, ''] as const)) } : {};
}
