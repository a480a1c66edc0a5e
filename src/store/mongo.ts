import { MongoClient, MongoServerError, ObjectId, type Db, type MongoClientOptions, type TopologyDescriptionChangedEvent, type WriteConcernSettings } from 'mongodb';

/**
 * The write concern of every write the desk makes: journaled before it is acknowledged (what the
 * customer or staff are told happened survives a crash of the server), and on a majority of a
 * replica set (it survives losing the primary too).
 * @example durableWriteConcern(true) // { w: 'majority', journal: true }
 */
export function durableWriteConcern(replicaSet: boolean): WriteConcernSettings {
  return { w: replicaSet ? 'majority' : 1, journal: true };
}

/**
 * Opens a client and returns it with its database (the one named in the URI, else `claimdesk`),
 * whose writes use the durable write concern. Server selection gives up after 2 s unless the URI
 * says otherwise, so a request fails fast (503) when the database is gone.
 */
export async function connectMongo(uri: string, options: MongoClientOptions = {}): Promise<{ client: MongoClient; db: Db }> {
  // options given in the URI win over the default (options in the object would override them)
  const defaults: MongoClientOptions = /[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: 2_000 };
  const client = new MongoClient(uri, { ...defaults, ...options });
  // what the driver found: a single server, or a replica set / sharded cluster (where majority applies)
  let topology = 'Unknown';
  const seen = (event: TopologyDescriptionChangedEvent) => {
    topology = event.newDescription.type;
  };
  client.on('topologyDescriptionChanged', seen);
  await client.connect();
  client.off('topologyDescriptionChanged', seen);
  const named = new URL(uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.replace(/^\//, '');
  const db = client.db(named === '' ? 'claimdesk' : decodeURIComponent(named), { writeConcern: durableWriteConcern(topology !== 'Single') });
  return { client, db };
}

/** Whether an error is a unique-index violation (E11000). */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * A document id given as text (24 hex digits) as an ObjectId, or undefined for anything else: ids
 * leave the store as text and come back from requests, where they may be anything.
 * @example toObjectId('665f1c2e9b1e8a3d4c5b6a79') // ObjectId; toObjectId('x') // undefined
 */
export function toObjectId(id: string): ObjectId | undefined {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : undefined;
}
