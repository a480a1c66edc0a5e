import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { BSON, type Db, type Document, type IndexDescriptionInfo } from 'mongodb';

/** The backup folder's table of contents (`manifest.json`). */
export interface BackupManifest {
  readonly format: 'claimdesk-backup/1';
  readonly database: string;
  readonly createdAt: string;
  readonly collections: readonly {
    readonly name: string;
    readonly documents: number;
    /** Indexes other than `_id_`, as listIndexes gives them. */
    readonly indexes: readonly IndexDescriptionInfo[];
  }[];
}

/** Why a restore was refused: the target is not empty, or the folder is not a backup. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(
    readonly code: 'BACKUP_TARGET_NOT_EMPTY' | 'BACKUP_NOT_FOUND' | 'BACKUP_DAMAGED',
    message: string,
  ) {
    super(message);
  }
}

const BATCH = 500;

/** Collections of the database, system ones left out (the server makes those itself). */
async function collectionNames(db: Db): Promise<string[]> {
  const listed = await db.listCollections({}, { nameOnly: true }).toArray();
  return listed.map((c) => c.name).filter((name) => !name.startsWith('system.')).sort();
}

/**
 * Writes every collection of `db` to `folder` (created): one `<collection>.jsonl` file of
 * canonical Extended JSON per collection (types kept: ObjectId, dates, binary GridFS chunks) and a
 * `manifest.json` with counts and indexes. Collections are read one after another, not at one
 * instant: stop the desk for an exact copy (or use `mongodump --oplog` on a replica set).
 * @example const manifest = await backupDatabase(db, 'backups/2026-12-03');
 */
export async function backupDatabase(db: Db, folder: string, now = new Date()): Promise<BackupManifest> {
  await mkdir(folder, { recursive: true });
  const collections: BackupManifest['collections'][number][] = [];
  for (const name of await collectionNames(db)) {
    const collection = db.collection(name);
    const out = createWriteStream(path.join(folder, `${name}.jsonl`));
    let documents = 0;
    for await (const doc of collection.find({}).sort({ _id: 1 })) {
      if (!out.write(`${BSON.EJSON.stringify(doc, { relaxed: false })}\n`)) await once(out, 'drain');
      documents += 1;
    }
    out.end();
    await once(out, 'finish');
    const indexes = (await collection.indexes()).filter((index) => index.name !== '_id_');
    collections.push({ name, documents, indexes });
  }
  const manifest: BackupManifest = { format: 'claimdesk-backup/1', database: db.databaseName, createdAt: now.toISOString(), collections };
  await writeFile(path.join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Reads and checks a backup folder's manifest. */
export async function readManifest(folder: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(path.join(folder, 'manifest.json'), 'utf8');
  } catch {
    // no readable manifest: whatever the folder holds, it is not a backup this can restore
    throw new BackupError('BACKUP_NOT_FOUND', `${folder}: no manifest.json (not a claimdesk backup)`);
  }
  const manifest = JSON.parse(text) as Partial<BackupManifest>;
  if (manifest.format !== 'claimdesk-backup/1' || !Array.isArray(manifest.collections)) {
    throw new BackupError('BACKUP_DAMAGED', `${folder}/manifest.json: expected format claimdesk-backup/1`);
  }
  return manifest as BackupManifest;
}

/**
 * Loads a backup into `db`, which must be empty unless `replace` is set (then each collection of
 * the backup is dropped before it is loaded). Indexes are created before the documents, so a
 * unique index is checked as they come. Returns the manifest.
 * @example await restoreDatabase(db, 'backups/2026-12-03');
 */
export async function restoreDatabase(db: Db, folder: string, options: { replace?: boolean } = {}): Promise<BackupManifest> {
  const manifest = await readManifest(folder);
  const present = await collectionNames(db);
  if (present.length > 0 && !options.replace) {
    throw new BackupError('BACKUP_TARGET_NOT_EMPTY', `database ${db.databaseName} is not empty (${present.join(', ')}): restore into an empty database, or pass --replace to drop these collections first`);
  }
  const files = new Set(await readdir(folder));
  for (const entry of manifest.collections) {
    if (!files.has(`${entry.name}.jsonl`)) throw new BackupError('BACKUP_DAMAGED', `${folder}: ${entry.name}.jsonl is missing`);
  }
  for (const entry of manifest.collections) {
    if (present.includes(entry.name)) await db.collection(entry.name).drop();
    const collection = db.collection(entry.name);
    await db.createCollection(entry.name);
    if (entry.indexes.length > 0) {
      await collection.createIndexes(entry.indexes.map(({ v: _v, ns: _ns, ...index }) => ({ ...index, key: index.key })));
    }
    let batch: Document[] = [];
    let loaded = 0;
    const lines = createInterface({ input: createReadStream(path.join(folder, `${entry.name}.jsonl`)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      batch.push(BSON.EJSON.parse(line, { relaxed: false }) as Document);
      if (batch.length >= BATCH) {
        await collection.insertMany(batch);
        loaded += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await collection.insertMany(batch);
    loaded += batch.length;
    if (loaded !== entry.documents) {
      throw new BackupError('BACKUP_DAMAGED', `${entry.name}.jsonl holds ${String(loaded)} documents, the manifest says ${String(entry.documents)}`);
    }
  }
  return manifest;
}
