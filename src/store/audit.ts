import type { Collection, Db, Filter } from 'mongodb';
import type { AuditEntry, AuditFilter, AuditRecorder, StoredAuditEntry } from '../domain/audit.js';
import { COLLECTIONS } from './collections.js';

type AuditDocument = AuditEntry;

function query(filter: AuditFilter): Filter<AuditDocument> {
  const at = { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lt: filter.until } : {}) };
  return {
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.staffId ? { staffId: filter.staffId } : {}),
    ...(filter.since || filter.until ? { at } : {}),
  };
}

/**
 * The audit trail (`audit`): append-only — records are inserted, read and, past the desk's audit
 * retention, deleted by housekeeping; nothing updates one.
 * @example await new AuditLog(db).record({ at: new Date(), kind: 'sign_in', channel: 'console', staffId: 'olga' });
 */
export class AuditLog implements AuditRecorder {
  private readonly audit: Collection<AuditDocument>;

  constructor(db: Db) {
    this.audit = db.collection<AuditDocument>(COLLECTIONS.audit);
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.audit.insertOne({ ...entry });
  }

  /** A page of the records a filter selects, newest first, and how many it selects in all. */
  async list(filter: AuditFilter, page: number, limit: number): Promise<{ readonly entries: StoredAuditEntry[]; readonly total: number }> {
    const selected = query(filter);
    const [docs, total] = await Promise.all([
      this.audit.find(selected).sort({ at: -1, _id: -1 }).skip((page - 1) * limit).limit(limit).toArray(),
      this.audit.countDocuments(selected),
    ]);
    return { entries: docs.map(({ _id, ...entry }) => ({ ...entry, id: _id.toHexString() })), total };
  }

  /** Every record a filter selects, newest first, as they are read (the CSV). */
  async *stream(filter: AuditFilter): AsyncGenerator<StoredAuditEntry, void, undefined> {
    const cursor = this.audit.find(query(filter)).sort({ at: -1, _id: -1 });
    try {
      for await (const { _id, ...entry } of cursor) yield { ...entry, id: _id.toHexString() };
    } finally {
      await cursor.close();
    }
  }

  /** Deletes the records older than `before` (the audit retention, housekeeping); returns how many. */
  async pruneBefore(before: Date): Promise<number> {
    const result = await this.audit.deleteMany({ at: { $lt: before } });
    return result.deletedCount;
  }
}
