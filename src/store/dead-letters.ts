import type { Collection, Db } from 'mongodb';
import type { Channel } from '../domain/claim.js';
import type { DeadLetter, DeadLetterPort } from '../../flows/runner.js';
import { COLLECTIONS } from './collections.js';

interface DeadLetterDocument {
  /** `channel:updateId`: an update is set aside once, however often it is redelivered. */
  _id: string;
  channel: Channel;
  chatId: string;
  updateId: string;
  code: string;
  at: Date;
}

/**
 * The updates set aside because handling them failed for good (`dead_letters`): ids, the channel,
 * the failure's code and the time; never the message's text.
 * @example await new DeadLetterStore(db).record({ channel: 'telegram', chatId: '42', updateId: 'tg:7', code: 'TypeError', at: new Date() });
 */
export class DeadLetterStore implements DeadLetterPort {
  private readonly letters: Collection<DeadLetterDocument>;

  constructor(db: Db) {
    this.letters = db.collection<DeadLetterDocument>(COLLECTIONS.deadLetters);
  }

  async record(letter: DeadLetter): Promise<void> {
    const { channel, chatId, updateId, code, at } = letter;
    await this.letters.updateOne({ _id: `${channel}:${updateId}` }, { $setOnInsert: { channel, chatId, updateId, code, at } }, { upsert: true });
  }

  /** The newest set-aside updates first. */
  async list(limit = 100): Promise<DeadLetter[]> {
    const docs = await this.letters.find({}).sort({ at: -1 }).limit(limit).toArray();
    return docs.map(({ channel, chatId, updateId, code, at }) => ({ channel, chatId, updateId, code, at }));
  }
}
