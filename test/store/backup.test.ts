import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { BSON, MongoClient, type Db } from 'mongodb';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { backupDatabase, BackupError, restoreDatabase } from '../../src/store/backup.js';
import { FileStore } from '../../src/store/files.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { CollectingChannel } from '../support/chat.js';

const run = promisify(execFile);
const suffix = randomBytes(4).toString('hex');
let app: App;
let client: MongoClient;
let folder: string;
const names: string[] = [];

function database(label: string): Db {
  const name = `${label}_${suffix}`;
  names.push(name);
  return client.db(name);
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-backup-'));
  client = await MongoClient.connect(inject('mongoUri'));
  names.push(`backup_src_${suffix}`);
  app = await startApp({
    env: { MONGODB_URI: `${inject('mongoUri')}backup_src_${suffix}`, PORT: '0', HOST: '127.0.0.1' },
    log: createLogger('error', () => undefined),
    senders: { telegram: new CollectingChannel() },
  });
  // the product fills it: claims with their counter and history, a conversation, a staff change, a stored file
  const first = await app.registry.submit(draft(telegramCustomer('8101')), 'backup-1');
  await app.registry.submit(draft({ ...telegramCustomer('8102'), locale: 'en', description: 'Delivered a day late, the box was wet — «упаковка»' }), 'backup-2');
  await app.registry.take(first.claim.id, 'olga');
  await app.conversations.handle({ updateId: 'backup-u1', from: { channel: 'telegram', chatId: '8103', userId: '8103', languageCode: 'ru' }, content: { type: 'text', text: '/start' } });
  await new FileStore(app.db).put({ bytes: randomBytes(300_000), fileName: 'receipt.jpg', mimeType: 'image/jpeg', ownerId: 'visitor-1' });
  await app.idle();
  // a backup is taken with the desk stopped (its jobs would change the database meanwhile)
  await app.stop();
}, 60_000);

afterAll(async () => {
  for (const name of names) await client.db(name).dropDatabase();
  await client.close();
  await rm(folder, { recursive: true, force: true });
});

/** The database the product filled (read through the test's own client: the app is stopped). */
function source(): Db {
  return client.db(`backup_src_${suffix}`);
}

/** Every collection's documents as canonical Extended JSON (types included), and its indexes. */
async function contents(db: Db): Promise<Record<string, { docs: string[]; indexes: string[] }>> {
  const out: Record<string, { docs: string[]; indexes: string[] }> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith('system.')) continue;
    const collection = db.collection(name);
    const docs = (await collection.find({}).toArray()).map((doc) => BSON.EJSON.stringify(doc, { relaxed: false })).sort();
    const indexes = (await collection.indexes()).map((i) => JSON.stringify({ name: i.name, key: i.key, unique: i.unique ?? false, sparse: i.sparse ?? false })).sort();
    out[name] = { docs, indexes };
  }
  return out;
}

describe('backup and restore', () => {
  it('round-trips every collection the product filled, with types, indexes and GridFS files', async () => {
    const before = await contents(source());
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['claims', 'counters', 'conversations', 'staff_actions', 'uploads.files', 'uploads.chunks']));
    const manifest = await backupDatabase(source(), path.join(folder, 'one'));
    expect(manifest.collections.find((c) => c.name === 'claims')?.documents).toBe(2);

    const target = database('backup_dst');
    await restoreDatabase(target, path.join(folder, 'one'));
    expect(await contents(target)).toEqual(before);
    // the restored file reads back byte for byte
    const original = await new FileStore(source()).open(String((await source().collection('uploads.files').findOne({}))?._id));
    const restored = await new FileStore(target).open(String((await target.collection('uploads.files').findOne({}))?._id));
    const read = async (file: typeof original) => Buffer.concat(await (file?.stream.toArray() ?? Promise.resolve([])));
    expect((await read(restored)).equals(await read(original))).toBe(true);
  });

  it('refuses a database that is not empty unless told to replace, and then changes only what the backup holds', async () => {
    await backupDatabase(source(), path.join(folder, 'two'));
    const target = database('backup_busy');
    await target.collection('claims').insertOne({ stray: true });
    await target.collection('elsewhere').insertOne({ kept: true });
    const refused = await restoreDatabase(target, path.join(folder, 'two')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BackupError);
    expect((refused as BackupError).code).toBe('BACKUP_TARGET_NOT_EMPTY');
    expect(await target.collection('claims').countDocuments()).toBe(1);

    await restoreDatabase(target, path.join(folder, 'two'), { replace: true });
    expect(await target.collection('claims').countDocuments({ stray: true })).toBe(0);
    expect(await target.collection('claims').countDocuments()).toBe(2);
    expect(await target.collection('elsewhere').countDocuments()).toBe(1);
  });

  it('refuses a folder whose files do not match its manifest', async () => {
    const damaged = path.join(folder, 'three');
    await backupDatabase(source(), damaged);
    const claims = path.join(damaged, 'claims.jsonl');
    await writeFile(claims, (await readFile(claims, 'utf8')).split('\n')[0] ?? '');
    const refused = await restoreDatabase(database('backup_damaged'), damaged).catch((error: unknown) => error);
    expect((refused as BackupError).code).toBe('BACKUP_DAMAGED');
    expect((refused as BackupError).message).toMatch(/claims\.jsonl holds 1 documents, the manifest says 2/);
  });

  it('runs as npm run backup / npm run restore against MONGODB_URI', async () => {
    const out = path.join(folder, 'cli');
    const env = { PATH: process.env.PATH ?? '', MONGODB_URI: `${inject('mongoUri')}backup_src_${suffix}` };
    const backup = await run(process.execPath, ['--import', 'tsx', 'src/backup-cli.ts', 'backup', '--out', out], { cwd: projectRoot, env, timeout: 60_000 });
    expect(backup.stdout).toMatch(/^backup: \d+ collections, \d+ documents of backup_src_\w+ written to /);
    const target = database('backup_cli');
    const restore = await run(process.execPath, ['--import', 'tsx', 'src/backup-cli.ts', 'restore', out], { cwd: projectRoot, env: { ...env, MONGODB_URI: `${inject('mongoUri')}${target.databaseName}` }, timeout: 60_000 });
    expect(restore.stdout).toMatch(/^restore: \d+ collections of the backup of .* loaded into backup_cli_/);
    expect(await contents(target)).toEqual(await contents(source()));
    const again = await run(process.execPath, ['--import', 'tsx', 'src/backup-cli.ts', 'restore', out], { cwd: projectRoot, env: { ...env, MONGODB_URI: `${inject('mongoUri')}${target.databaseName}` }, timeout: 60_000 }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(again).toMatchObject({ code: 1 });
    expect((again as { stderr: string }).stderr.trim()).toMatch(/^database backup_cli_\w+ is not empty .*pass --replace/);
  }, 120_000);
});
