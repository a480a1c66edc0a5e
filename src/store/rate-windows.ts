import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey } from './mongo.js';
import type { RateWindowPort, WindowTake } from '../web-chat-ports.js';

interface WindowDocument {
  /** `<key>@<window start in ms>`. */
  _id: string;
  count: number;
  /** When the window ends (ended windows are deleted). */
  endsAt: Date;
}

/**
 * Counters in fixed time windows shared by every instance of the desk (`rate_windows`): a take is
 * one conditional `$inc` (`count < limit`) on the window's document, inserted by the first take of
 * the window; when the window is full the filter misses and the insert meets the unique `_id`, so
 * the take is refused. No transaction, no clock compared between machines beyond the window's
 * start. Ended windows are deleted by the first take after each window length (no TTL index: the
 * portable subset).
 * @example const windows = new RateWindowStore(db); const { taken, retryAfterSeconds } = await windows.take('web_chats', 600, 60_000);
 */
export class RateWindowStore implements RateWindowPort {
  private readonly windows: Collection<WindowDocument>;
  private prunedAt = 0;

  constructor(db: Db, private readonly now: () => Date = () => new Date()) {
    this.windows = db.collection<WindowDocument>(COLLECTIONS.rateWindows);
  }

  async take(key: string, limit: number, windowMs: number): Promise<WindowTake> {
    const now = this.now().getTime();
    const start = Math.floor(now / windowMs) * windowMs;
    const endsAt = new Date(start + windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((endsAt.getTime() - now) / 1000));
    await this.pruneEnded(now, windowMs);
    const _id = `${key}@${String(start)}`;
    try {
      await this.windows.updateOne({ _id, count: { $lt: limit } }, { $inc: { count: 1 }, $setOnInsert: { endsAt } }, { upsert: true });
      return { taken: true, retryAfterSeconds };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // the window exists: full, or inserted by another take a moment ago (an upsert race), so try it once more without inserting
    const again = await this.windows.updateOne({ _id, count: { $lt: limit } }, { $inc: { count: 1 } });
    return { taken: again.matchedCount === 1, retryAfterSeconds };
  }

  /** Deletes the windows that ended, at most once per window length in this process. */
  private async pruneEnded(now: number, windowMs: number): Promise<void> {
    if (now - this.prunedAt < windowMs) return;
    this.prunedAt = now;
    await this.windows.deleteMany({ endsAt: { $lte: new Date(now) } });
  }
}
