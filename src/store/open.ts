import path from 'node:path';
import type { Db } from 'mongodb';
import type { Logger } from '../log.js';
import { connectMongo } from './mongo.js';
import { DatabaseHealth } from './health.js';
import { ensureIndexes } from './collections.js';
import { startLocalServer, type LocalServer } from './local/server.js';
import { dataDir } from './local/paths.js';

/**
 * Connects to MONGODB_URI, or starts (and supervises) the local database; creates the indexes and
 * starts the health check that logs an outage once and makes requests fail fast with 503. What
 * it opened is closed by the functions it pushes on `stops` (run in reverse order).
 * @example const { db, health } = await openDatabase(env.MONGODB_URI, process.env, log, stops);
 */
export async function openDatabase(configured: string | undefined, source: NodeJS.ProcessEnv, log: Logger, stops: (() => Promise<void>)[]): Promise<{ db: Db; localServer: LocalServer | undefined; health: DatabaseHealth }> {
  let uri = configured;
  let localServer: LocalServer | undefined;
  if (uri) {
    log.info('database', 'using MONGODB_URI');
  } else {
    const folder = path.join(dataDir(source), 'db');
    const local = await startLocalServer({ dataDir: folder, env: source, say: (line) => log.info('database', line), warn: (line) => log.warn('database', line), supervise: true });
    localServer = local;
    stops.push(() => local.stop());
    uri = `${local.uri}claimdesk`;
    log.info('database', `started a local ${local.kind}`, { uri: local.uri, dataDir: folder });
  }
  const { client, db } = await connectMongo(uri);
  stops.push(() => client.close());
  await ensureIndexes(db);
  log.info('database', 'connected, indexes ready', { database: db.databaseName });
  // one line when the database stops answering and one when it is back; requests get 503 meanwhile
  const health = new DatabaseHealth(db, {
    onChange: (up, downForMs) => (up ? log.info('database', 'answering again', { downForSeconds: Math.round(downForMs / 100) / 10 }) : log.warn('database', 'not answering: requests get 503 and jobs wait until it is back')),
  });
  health.start();
  stops.push(() => {
    health.stop();
    return Promise.resolve();
  });
  return { db, localServer, health };
}

