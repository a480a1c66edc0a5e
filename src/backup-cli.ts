/**
 * `npm run backup -- [--out FOLDER]` and `npm run restore -- FOLDER [--replace]`: the desk's
 * database to a folder of Extended JSON and back, through the driver, on MongoDB (MONGODB_URI) and
 * on the local database alike (with the desk stopped: the local database is started here on its
 * data folder, and refuses to open it while the desk runs).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { connectMongo } from './store/mongo.js';
import { backupDatabase, BackupError, restoreDatabase } from './store/backup.js';
import { startLocalServer, type LocalServer } from './store/local/server.js';
import { LocalDbError } from './store/local/errors.js';
import { dataDir, envValue, projectRoot } from './store/local/paths.js';

function usage(): never {
  process.stderr.write('usage: npm run backup -- [--out FOLDER]   |   npm run restore -- FOLDER [--replace]\n');
  process.exit(2);
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const dotenv = path.join(projectRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  let folder: string | undefined;
  let replace = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--out' && command === 'backup') folder = rest[++i];
    else if (arg === '--replace' && command === 'restore') replace = true;
    else if (command === 'restore' && folder === undefined && arg !== undefined && !arg.startsWith('--')) folder = arg;
    else usage();
  }
  if (command === 'backup') folder ??= path.join(projectRoot, 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
  if ((command !== 'backup' && command !== 'restore') || folder === undefined) usage();

  let uri = envValue(process.env, 'MONGODB_URI');
  let local: LocalServer | undefined;
  if (!uri) {
    local = await startLocalServer({ dataDir: path.join(dataDir(), 'db'), say: (line) => process.stderr.write(`${line}\n`) });
    uri = `${local.uri}claimdesk`;
  }
  const { client, db } = await connectMongo(uri);
  try {
    if (command === 'backup') {
      const manifest = await backupDatabase(db, folder);
      const documents = manifest.collections.reduce((sum, c) => sum + c.documents, 0);
      process.stdout.write(`backup: ${String(manifest.collections.length)} collections, ${String(documents)} documents of ${manifest.database} written to ${folder}\n`);
    } else {
      const manifest = await restoreDatabase(db, folder, { replace });
      process.stdout.write(`restore: ${String(manifest.collections.length)} collections of the backup of ${manifest.createdAt} loaded into ${db.databaseName}\n`);
    }
  } finally {
    await client.close();
    await local?.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof BackupError || error instanceof LocalDbError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
});
