import { MongoClient, MongoServerError, type Db, type MongoClientOptions } from 'mongodb';

/** Opens a client and returns it with its database (the one named in the URI, else `claimdesk`). */
export async function connectMongo(uri: string, options: MongoClientOptions = {}): Promise<{ client: MongoClient; db: Db }> {
  // options given in the URI win over the default (options in the object would override them)
  const defaults: MongoClientOptions = /[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: 10_000 };
  const client = new MongoClient(uri, { ...defaults, ...options });
  await client.connect();
  const named = new URL(uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.replace(/^\//, '');
  return { client, db: client.db(named === '' ? 'claimdesk' : decodeURIComponent(named)) };
}

/** Whether an error is a unique-index violation (E11000). */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** Answers whether the database is reachable (for /healthz). */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await db.command({ ping: 1 }, { timeoutMS: 2_000 });
    return true;
  } catch {
    // any failure to ping means "not healthy"; /healthz reports it, the error itself carries nothing more
    return false;
  }
}
