import { ObjectId, type Collection, type Db } from 'mongodb';
import type { StaffNotice } from '../domain/staff-alerts.js';
import { COLLECTIONS } from './collections.js';
import { isDuplicateKey, toObjectId } from './mongo.js';

type NoticeDocument = StaffNotice & { _id: ObjectId; read: boolean; readAt?: Date; createdAt: Date };

/** A notice as the console reads it: with its id and whether its member has read it. */
export interface StoredNotice extends StaffNotice {
  readonly id: string;
  readonly read: boolean;
}

/**
 * The console's notifications (`staff_notices`): one document per alert and recipient, its key
 * under a unique index, so two workers delivering the same alert store it once. Ids, kinds and
 * times only (the texts are rendered when read). Marked read per member.
 * @example await notices.deliver(claimNotices(claim, desk)); const { notices: page, unread } = await notices.list('olga', 20);
 */
export class StaffNoticeStore {
  private readonly notices: Collection<NoticeDocument>;

  constructor(db: Db, private readonly now: () => Date = () => new Date()) {
    this.notices = db.collection<NoticeDocument>(COLLECTIONS.staffNotices);
  }

  /** Stores the notices not stored yet; returns how many were new. A key stored meanwhile by another worker is skipped. */
  async deliver(notices: readonly StaffNotice[]): Promise<number> {
    if (notices.length === 0) return 0;
    const known = new Set((await this.notices.find({ key: { $in: notices.map((notice) => notice.key) } }, { projection: { key: 1 } }).toArray()).map((doc) => doc.key));
    let added = 0;
    for (const notice of notices) {
      if (known.has(notice.key)) continue;
      known.add(notice.key);
      try {
        await this.notices.insertOne({ ...notice, _id: new ObjectId(), read: false, createdAt: this.now() });
        added++;
      } catch (error) {
        // the unique key: another worker delivered it first
        if (!isDuplicateKey(error)) throw error;
      }
    }
    return added;
  }

  /** A member's newest notices (before a notice id, for the next page), and how many they have not read. */
  async list(staffId: string, limit: number, before?: string): Promise<{ readonly notices: StoredNotice[]; readonly unread: number }> {
    const after = before ? await this.notices.findOne({ _id: toObjectId(before) ?? new ObjectId('000000000000000000000000'), staffId }) : null;
    const page = after ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after._id } }] } : {};
    const [docs, unread] = await Promise.all([this.notices.find({ staffId, ...page }).sort({ at: -1, _id: -1 }).limit(limit).toArray(), this.unread(staffId)]);
    return { notices: docs.map(({ _id, read, readAt: _readAt, createdAt: _createdAt, ...notice }) => ({ ...notice, id: _id.toHexString(), read })), unread };
  }

  /** How many notices a member has not read. */
  unread(staffId: string): Promise<number> {
    return this.notices.countDocuments({ staffId, read: false });
  }

  /** Marks a member's notices read (those ids, or all of them); another member's ids change nothing. Returns how many changed. */
  async markRead(staffId: string, ids: readonly string[] | 'all'): Promise<number> {
    const which = ids === 'all' ? {} : { _id: { $in: ids.flatMap((id) => toObjectId(id) ?? []) } };
    const result = await this.notices.updateMany({ staffId, read: false, ...which }, { $set: { read: true, readAt: this.now() } });
    return result.modifiedCount;
  }
}
