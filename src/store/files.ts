import type { Readable } from 'node:stream';
import { GridFSBucket, ObjectId, type Db } from 'mongodb';
import type { WebVisitorRecords } from '../web-chat-ports.js';

/** The GridFS bucket customers' uploads live in (`uploads.files`, `uploads.chunks`). */
export const UPLOADS_BUCKET = 'uploads';
/** The GridFS bucket of files staff attach to investigations (#24): apart, so the sweep of unattached customer uploads never sees them. */
export const INVESTIGATION_FILES_BUCKET = 'investigation_files';

/** The GridFS bucket of files staff send with a reply from the console (#25): apart, like the investigation's. */
export const REPLY_FILES_BUCKET = 'reply_files';

/** A stored file, opened for reading. */
export interface OpenedFile {
  readonly id: string;
  /** The name the customer's file had (made safe), or undefined. */
  readonly name: string | undefined;
  readonly mimeType: string;
  readonly size: number;
  readonly uploadedAt: Date;
  /** The bytes; read it to the end or destroy it. */
  readonly stream: Readable;
}

interface FileMetadata {
  mimeType: string;
  fileName?: string;
  /** Who sent it: the web visitor id. */
  ownerId: string;
  /** Where the dialog meant it to go (`report:<draft>`, `claim:<id>`), for the per-report cap. */
  target?: string;
  /** Set once a claim was found to hold it: never looked at again by the sweep of unattached files. */
  attached?: true;
}

/** What a new upload is: its bytes and what is known about it. */
export interface NewUpload {
  readonly bytes: Buffer;
  readonly fileName?: string;
  readonly mimeType: string;
  readonly ownerId: string;
  readonly target?: string;
}

function objectIdOf(id: string): ObjectId | undefined {
  return /^[0-9a-f]{24}$/.test(id) ? new ObjectId(id) : undefined;
}

/**
 * Files customers upload through the web chat, in MongoDB GridFS. Ids are 24 hex characters
 * (the ObjectId stays inside the store). The staff console opens them to let staff download.
 * @example
 * const files = new FileStore(db);
 * const id = await files.put({ bytes, fileName: 'receipt.pdf', mimeType: 'application/pdf', ownerId: visitor.id });
 * const file = await files.open(id); file?.stream.pipe(res);
 */
export class FileStore {
  private readonly bucket: GridFSBucket;

  constructor(
    private readonly db: Db,
    private readonly bucketName = UPLOADS_BUCKET,
  ) {
    this.bucket = new GridFSBucket(db, { bucketName });
  }

  async put(file: NewUpload): Promise<string> {
    const metadata: FileMetadata = { mimeType: file.mimeType, ownerId: file.ownerId, ...(file.fileName ? { fileName: file.fileName } : {}), ...(file.target ? { target: file.target } : {}) };
    const upload = this.bucket.openUploadStream(file.fileName ?? 'file', { metadata });
    await new Promise<void>((resolve, reject) => {
      upload.once('error', reject);
      upload.once('finish', () => resolve());
      upload.end(file.bytes);
    });
    return upload.id.toHexString();
  }

  /** The file with this id, or undefined when there is none (or the id is not one of ours). */
  async open(id: string): Promise<OpenedFile | undefined> {
    const _id = objectIdOf(id);
    if (!_id) return undefined;
    const [info] = await this.bucket.find({ _id }, { limit: 1 }).toArray();
    if (!info) return undefined;
    const metadata = (info.metadata ?? {}) as Partial<FileMetadata>;
    return {
      id,
      name: metadata.fileName,
      mimeType: metadata.mimeType ?? 'application/octet-stream',
      size: info.length,
      uploadedAt: info.uploadDate,
      stream: this.bucket.openDownloadStream(_id),
    };
  }

  /** A file's bytes, read whole (files here are at most a few MB), or undefined when there is no such file. */
  async read(id: string): Promise<Buffer | undefined> {
    const file = await this.open(id);
    if (!file) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** What one owner (a web visitor) uploaded, without the bytes: the customer's data export (#26). */
  async listOwnedBy(ownerId: string): Promise<{ readonly id: string; readonly name: string | undefined; readonly mimeType: string; readonly size: number; readonly uploadedAt: Date }[]> {
    const files = await this.bucket.find({ 'metadata.ownerId': ownerId }).sort({ uploadDate: 1 }).toArray();
    return files.map((file) => {
      const metadata = (file.metadata ?? {}) as Partial<FileMetadata>;
      return { id: file._id.toHexString(), name: metadata.fileName, mimeType: metadata.mimeType ?? 'application/octet-stream', size: file.length, uploadedAt: file.uploadDate };
    });
  }

  /** Deletes every file these owners (web visitors) uploaded; returns how many. */
  async deleteOwnedBy(ownerIds: readonly string[]): Promise<number> {
    if (ownerIds.length === 0) return 0;
    const files = await this.bucket.find({ 'metadata.ownerId': { $in: [...ownerIds] } }, { projection: { _id: 1 } }).toArray();
    for (const file of files) await this.bucket.delete(file._id);
    return files.length;
  }

  /**
   * Bytes one owner stored: all of them, or those meant for one report or claim (`target`), or
   * those uploaded since a time. Summed in code over the owner's files (found by the owner index).
   */
  async bytesOf(ownerId: string, which: { readonly target?: string; readonly since?: Date } = {}): Promise<number> {
    const files = await this.db
      .collection<{ length: number }>(`${this.bucketName}.files`)
      .find({ 'metadata.ownerId': ownerId, ...(which.target ? { 'metadata.target': which.target } : {}), ...(which.since ? { uploadDate: { $gte: which.since } } : {}) }, { projection: { length: 1 } })
      .toArray();
    return files.reduce((sum, file) => sum + file.length, 0);
  }

  /** Bytes every upload of the desk takes together. */
  async totalBytes(): Promise<number> {
    const [sum] = await this.db
      .collection(`${this.bucketName}.files`)
      .aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$length' } } }])
      .toArray();
    return sum?.total ?? 0;
  }

  /**
   * Deletes uploads older than `before` that no claim holds (sent with a report or added later),
   * unless their sender is still in a dialog (a report being written may yet take them); both are
   * asked of `records` (the claims' and the conversations' stores). Files a claim holds are
   * marked, and never looked at again. Returns how many were deleted.
   */
  async pruneUnattached(records: Pick<WebVisitorRecords, 'heldFiles' | 'inDialog'>, before: Date, limit = 1_000): Promise<number> {
    const filesCollection = this.db.collection<{ _id: ObjectId; metadata?: Partial<FileMetadata> }>(`${this.bucketName}.files`);
    const candidates = await filesCollection
      .find({ uploadDate: { $lt: before }, 'metadata.ownerId': { $exists: true }, 'metadata.attached': { $exists: false } }, { projection: { _id: 1, 'metadata.ownerId': 1 } })
      .limit(limit)
      .toArray();
    const owners = [...new Set(candidates.map((file) => file.metadata?.ownerId ?? ''))];
    const held = new Set<string>();
    const busy = new Set<string>();
    for (const owner of owners) {
      if (await records.inDialog(owner)) busy.add(owner);
      for (const fileId of await records.heldFiles(owner)) held.add(fileId);
    }
    let deleted = 0;
    for (const file of candidates) {
      const id = file._id.toHexString();
      if (held.has(id)) await filesCollection.updateOne({ _id: file._id }, { $set: { 'metadata.attached': true } });
      else if (!busy.has(file.metadata?.ownerId ?? '')) {
        await this.remove(id);
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Deletes files older than `before` that what they were stored for does not hold: a reply's files
   * (#25) whose reply was never recorded (the process stopped between storing them and recording
   * it). `heldBy` answers, for a file's `target` (`claim:<id>`), the ids it holds (undefined: no such
   * claim). Files found held are marked and never looked at again. Returns how many were deleted.
   */
  async pruneUnheld(heldBy: (target: string) => Promise<ReadonlySet<string> | undefined>, before: Date, limit = 1_000): Promise<number> {
    const filesCollection = this.db.collection<{ _id: ObjectId; metadata?: Partial<FileMetadata> }>(`${this.bucketName}.files`);
    const candidates = await filesCollection
      .find({ uploadDate: { $lt: before }, 'metadata.attached': { $exists: false } }, { projection: { _id: 1, 'metadata.target': 1 } })
      .limit(limit)
      .toArray();
    const held = new Map<string, ReadonlySet<string> | undefined>();
    let deleted = 0;
    for (const file of candidates) {
      const target = file.metadata?.target ?? '';
      if (!held.has(target)) held.set(target, target === '' ? undefined : await heldBy(target));
      const id = file._id.toHexString();
      if (held.get(target)?.has(id)) await filesCollection.updateOne({ _id: file._id }, { $set: { 'metadata.attached': true } });
      else {
        await this.remove(id);
        deleted++;
      }
    }
    return deleted;
  }

  async remove(id: string): Promise<void> {
    const _id = objectIdOf(id);
    if (!_id) return;
    // the driver's delete throws when the file is gone: look first (a file is removed once, by its uploader)
    if ((await this.bucket.find({ _id }, { limit: 1 }).toArray()).length === 0) return;
    await this.bucket.delete(_id);
  }
}
