import type { Readable } from 'node:stream';
import { GridFSBucket, ObjectId, type Db } from 'mongodb';

/** The GridFS bucket customers' uploads live in (`uploads.files`, `uploads.chunks`). */
export const UPLOADS_BUCKET = 'uploads';

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

  constructor(db: Db, bucketName = UPLOADS_BUCKET) {
    this.bucket = new GridFSBucket(db, { bucketName });
  }

  async put(file: { readonly bytes: Buffer; readonly fileName?: string; readonly mimeType: string; readonly ownerId: string }): Promise<string> {
    const metadata: FileMetadata = { mimeType: file.mimeType, ownerId: file.ownerId, ...(file.fileName ? { fileName: file.fileName } : {}) };
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

  /** Deletes every file these owners (web visitors) uploaded; returns how many. */
  async deleteOwnedBy(ownerIds: readonly string[]): Promise<number> {
    if (ownerIds.length === 0) return 0;
    const files = await this.bucket.find({ 'metadata.ownerId': { $in: [...ownerIds] } }, { projection: { _id: 1 } }).toArray();
    for (const file of files) await this.bucket.delete(file._id);
    return files.length;
  }

  async remove(id: string): Promise<void> {
    const _id = objectIdOf(id);
    if (!_id) return;
    // the driver's delete throws when the file is gone: look first (a file is removed once, by its uploader)
    if ((await this.bucket.find({ _id }, { limit: 1 }).toArray()).length === 0) return;
    await this.bucket.delete(_id);
  }
}
