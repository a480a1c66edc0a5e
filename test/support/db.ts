import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';

/** A database of its own for one test file, dropped by `close()`. */
export interface TestDatabase {
  readonly client: MongoClient;
  readonly db: Db;
  readonly uri: string;
  close(): Promise<void>;
}

/**
 * Connects to the run's server and opens a fresh database with a unique name, so test files
 * can run in parallel without seeing each other's data.
 * @example const t = await openTestDatabase(); … await t.close();
 */
export async function openTestDatabase(label = 't'): Promise<TestDatabase> {
  const uri = inject('mongoUri');
  const client = await MongoClient.connect(uri, { maxPoolSize: 20 });
  const name = `${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  const db = client.db(name);
  return {
    client,
    db,
    uri,
    async close() {
      await db.dropDatabase();
      await client.close();
    },
  };
}
