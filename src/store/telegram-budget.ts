import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';

interface InstanceDocument {
  _id: string;
  seq: number;
  peers: string[];
  share: number;
  joinedAt: Date;
  beatAt: Date;
}

interface ChatSlotDocument {
  /** The Telegram chat id. */
  _id: string;
  token: string;
  /** Held until then (a holder that died); a freed slot holds the epoch. */
  until: Date;
  /** When it was last taken (idle slots are pruned by it). */
  takenAt: Date;
}

/** A freed slot: `until` at the epoch is in everyone's past, whatever their clock. */
const FREE = new Date(0);

/** A member of the shared budget, as the adapter's port sees it (structurally BudgetMember). */
export interface TelegramBudgetMember {
  readonly id: string;
  readonly seq: number;
  readonly peers: readonly string[];
  readonly share: number;
}

/**
 * The Telegram sending budget shared by the desk's instances: their heartbeats
 * (`telegram_instances`, a handful of documents advanced by compare-and-swap on `seq`) and the
 * chats' slots for bulk messages (`telegram_chat_slots`, one per chat, taken by compare-and-swap
 * on `until` or by inserting it: the unique `_id` lets one taker win). No clock is compared
 * between machines except a dead holder's `until`, minutes ahead.
 * @example
 * const store = new TelegramBudgetStore(db);
 * const token = await store.tryTake('42', 120_000); // … send … then, a second after it settled:
 * if (token) await store.release('42', token);
 */
export class TelegramBudgetStore {
  private readonly instances: Collection<InstanceDocument>;
  private readonly slots: Collection<ChatSlotDocument>;

  constructor(db: Db, private readonly now: () => Date = () => new Date()) {
    this.instances = db.collection<InstanceDocument>(COLLECTIONS.telegramInstances);
    this.slots = db.collection<ChatSlotDocument>(COLLECTIONS.telegramChatSlots);
  }

  async join(id: string): Promise<void> {
    const now = this.now();
    await this.instances.insertOne({ _id: id, seq: 0, peers: [id], share: 0, joinedAt: now, beatAt: now });
  }

  async beat(id: string, seq: number, next: { readonly peers: readonly string[]; readonly share: number }): Promise<boolean> {
    const result = await this.instances.updateOne({ _id: id, seq }, { $set: { seq: seq + 1, peers: [...next.peers], share: next.share, beatAt: this.now() } });
    return result.matchedCount === 1;
  }

  async members(): Promise<TelegramBudgetMember[]> {
    const documents = await this.instances.find({}).toArray();
    return documents.map((document) => ({ id: document._id, seq: document.seq, peers: document.peers, share: document.share }));
  }

  async remove(id: string, seq: number): Promise<void> {
    await this.instances.deleteOne({ _id: id, seq });
  }

  async leave(id: string): Promise<void> {
    await this.instances.deleteOne({ _id: id });
  }

  /** The chat's slot for `holdMs` at most: a token, or undefined while another holder has it. */
  async tryTake(chatId: string, holdMs: number): Promise<string | undefined> {
    const now = this.now();
    const token = randomUUID();
    const until = new Date(now.getTime() + holdMs);
    const taken = await this.slots.updateOne({ _id: chatId, until: { $lte: now } }, { $set: { token, until, takenAt: now } });
    if (taken.modifiedCount === 1) return token;
    try {
      await this.slots.insertOne({ _id: chatId, token, until, takenAt: now });
      return token;
    } catch (error) {
      // held by someone else (or taken a moment ago)
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  /** Frees the slot if still held with `token`. */
  async release(chatId: string, token: string): Promise<void> {
    await this.slots.updateOne({ _id: chatId, token }, { $set: { until: FREE } });
  }

  /** Deletes the slots of chats nobody wrote to since `before` (housekeeping); returns how many. */
  async pruneChatSlots(before: Date): Promise<number> {
    const result = await this.slots.deleteMany({ takenAt: { $lt: before } });
    return result.deletedCount;
  }
}
