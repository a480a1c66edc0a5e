import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, ObjectId, type Collection, type Filter } from 'mongodb';
import { chooseLocalServerKind, JAVA_SERVER_CLAIMS_LIMIT, localServerSizeWarning, startLocalServer } from '../../src/store/local/server.js';
import { LocalDbError } from '../../src/store/local/errors.js';
import { installLocalServer, missingToolsLine } from '../../src/store/local/install.js';
import { projectRoot } from '../../src/store/local/paths.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-local-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // kill(pid, 0) throws ESRCH exactly when no such process exists
    return false;
  }
}

/** A mongo-java-server of its own (in `folder`) and a client on it, for one test; both closed after. */
async function withJavaServer(folder: string, use: (client: MongoClient) => Promise<void>): Promise<void> {
  const server = await startLocalServer({ dataDir: path.join(dir, folder), kind: 'mongo-java-server' });
  const client = await MongoClient.connect(server.uri);
  try {
    await use(client);
  } finally {
    await client.close();
    await server.stop();
  }
}

/** The ids of a query's documents, in id order. */
async function idsOf<T extends { _id: number }>(collection: Collection<T>, query: Record<string, unknown>): Promise<number[]> {
  return (await collection.find(query as Filter<T>).sort({ _id: 1 }).toArray()).map((d) => d._id);
}

describe('choosing the local server', () => {
  it('prefers a mongod found on PATH, else mongo-java-server', async () => {
    const bin = path.join(dir, 'bin');
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin);
    expect(await chooseLocalServerKind({ PATH: bin })).toBe('mongo-java-server');
    await writeFile(path.join(bin, 'mongod'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(bin, 'mongod'), 0o755);
    expect(await chooseLocalServerKind({ PATH: bin })).toBe('mongod');
    expect(await chooseLocalServerKind({ PATH: bin, CLAIMDESK_LOCAL_DB: 'mongo-java-server' })).toBe('mongo-java-server');
  });

  it('names the variable when the forced kind is unknown', async () => {
    await expect(chooseLocalServerKind({ CLAIMDESK_LOCAL_DB: 'ferretdb' })).rejects.toThrow(LocalDbError);
    await expect(chooseLocalServerKind({ CLAIMDESK_LOCAL_DB: 'ferretdb' })).rejects.toThrow(/CLAIMDESK_LOCAL_DB: expected "mongod" or "mongo-java-server", got "ferretdb"/);
  });

  it('refuses a malformed heap size before starting anything', async () => {
    await expect(
      startLocalServer({ dataDir: path.join(dir, 'heap'), kind: 'mongo-java-server', env: { ...process.env, CLAIMDESK_LOCALDB_HEAP: 'lots' } }),
    ).rejects.toThrow(/CLAIMDESK_LOCALDB_HEAP: expected a JVM heap size/);
  });
});

describe('a machine without a JDK or Maven', () => {
  const waysForward = /^local database: no java and no mvn on PATH; install a JDK 17\+ and Maven, or set MONGODB_URI to your MongoDB, or run `docker compose up` \(README, "Two commands"\)$/;

  /** A PATH with node and nothing else (so no java, javac, mvn or mongod). */
  async function nodeOnlyPath(): Promise<string> {
    const bin = path.join(dir, 'node-only');
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    return bin;
  }

  it('stops the install with one line naming the three ways forward', async () => {
    const env = { ...process.env, PATH: await nodeOnlyPath(), CLAIMDESK_CACHE_DIR: path.join(dir, 'no-jdk-cache') };
    const attempt = installLocalServer(() => undefined, env);
    await expect(attempt).rejects.toThrow(LocalDbError);
    await expect(attempt).rejects.toMatchObject({ code: 'LOCALDB_TOOLS_MISSING', message: expect.stringMatching(waysForward) as unknown });
    expect(missingToolsLine(['java'])).toMatch(/^local database: no java on PATH; install a JDK 17\+ and Maven, or set MONGODB_URI/);
  });

  it('names java alone when the launcher is installed but java is gone', async () => {
    const env = { ...process.env, PATH: await nodeOnlyPath() };
    await installLocalServer(); // the tests' own install (current)
    await expect(startLocalServer({ dataDir: path.join(dir, 'no-java'), kind: 'mongo-java-server', env })).rejects.toThrow(
      /^local database: no java on PATH; install a JDK 17\+ and Maven, or set MONGODB_URI to your MongoDB, or run `docker compose up`/,
    );
  });

  it('npm start: the app exits with code 1 and that one line on stderr', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: {
        HOME: process.env.HOME,
        PATH: await nodeOnlyPath(),
        MONGODB_URI: '',
        PORT: '0',
        CLAIMDESK_CACHE_DIR: path.join(dir, 'no-jdk-app-cache'),
        CLAIMDESK_DATA_DIR: path.join(dir, 'no-jdk-app-data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(waysForward);
  }, 30_000);
});

describe('the mongo-java-server launcher', () => {
  it('serves real connections on loopback and is gone after stop()', async () => {
    const server = await startLocalServer({ dataDir: path.join(dir, 'run'), kind: 'mongo-java-server' });
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await MongoClient.connect(server.uri);
    await client.db('x').collection('y').insertOne({ ok: true });
    expect(await client.db('x').collection('y').countDocuments()).toBe(1);
    await client.close();
    const pid = server.pid ?? -1;
    expect(alive(pid)).toBe(true);
    await server.stop();
    expect(alive(pid)).toBe(false);
  }, 30_000);
});

describe('lookups through a unique index on mongo-java-server', () => {
  it('answers queries that name the indexed field and more exactly as MongoDB does', async () => {
    await withJavaServer('lookups', async (client) => {
      const docs = client.db('x').collection<{ _id: string; version: number; number: string; owner: string; tags?: string[] }>('docs');
      await docs.createIndexes([{ key: { number: 1 }, name: 'number_unique', unique: true }]);
      await docs.insertMany([
        { _id: 'a', version: 1, number: 'N-1', owner: 'anna', tags: ['x'] },
        { _id: 'b', version: 3, number: 'N-2', owner: 'boris' },
      ]);
      // the _id and something else: found only when the rest matches too
      expect(await docs.findOne({ _id: 'a', version: 1 })).toMatchObject({ number: 'N-1' });
      expect(await docs.findOne({ _id: 'a', version: 2 })).toBeNull();
      expect(await docs.findOne({ _id: 'a', tags: { $ne: 'x' } })).toBeNull();
      expect(await docs.findOne({ _id: 'a', tags: { $ne: 'y' } })).toMatchObject({ _id: 'a' });
      expect((await docs.find({ _id: { $in: ['a', 'b', 'c'] }, version: { $gt: 1 } }).toArray()).map((d) => d._id)).toEqual(['b']);
      // a compare-and-swap applies once
      expect((await docs.updateOne({ _id: 'b', version: 3 }, { $inc: { version: 1 } })).modifiedCount).toBe(1);
      expect((await docs.updateOne({ _id: 'b', version: 3 }, { $inc: { version: 1 } })).modifiedCount).toBe(0);
      expect(await docs.findOne({ _id: 'b' })).toMatchObject({ version: 4 });
      // another single-field unique index, beside another condition
      expect(await docs.findOne({ number: 'N-2', owner: 'boris' })).toMatchObject({ _id: 'b' });
      expect(await docs.findOne({ number: 'N-2', owner: 'anna' })).toBeNull();
      expect((await docs.deleteOne({ number: 'N-1', owner: 'boris' })).deletedCount).toBe(0);
      expect((await docs.deleteOne({ number: 'N-1', owner: 'anna' })).deletedCount).toBe(1);
      expect(await docs.countDocuments()).toBe(1);
      // the unique indexes still refuse duplicates
      await expect(docs.insertOne({ _id: 'b', version: 1, number: 'N-3', owner: 'x' })).rejects.toThrow(/duplicate key/i);
      await expect(docs.insertOne({ _id: 'c', version: 1, number: 'N-2', owner: 'x' })).rejects.toThrow(/duplicate key/i);
    });
  }, 30_000);
});

describe('unique indexes on mongo-java-server (kept in memory, rebuilt at start-up)', () => {
  interface Visit {
    _id: string | number | ObjectId;
    visitorId: string;
    seq: number;
    email?: string;
    n?: number;
  }

  it('find and refuse exactly as before a restart: _id of every kind, compound and sparse keys', async () => {
    const dataDir = path.join(dir, 'unique');
    const oid = new ObjectId();
    const seed: Visit[] = [
      { _id: 'v-1', visitorId: 'anna', seq: 1, email: 'a@example.test', n: 1 },
      { _id: oid, visitorId: 'anna', seq: 2 },
      { _id: 7, visitorId: 'boris', seq: 1 },
      { _id: 'v-4', visitorId: 'boris', seq: 2, email: 'b@example.test' },
    ];
    const check = async (visits: Collection<Visit>, phase: string) => {
      expect(await visits.findOne({ _id: 'v-1' }), phase).toMatchObject({ visitorId: 'anna', seq: 1 });
      expect(await visits.findOne({ _id: oid }), phase).toMatchObject({ visitorId: 'anna', seq: 2 });
      expect(await visits.findOne({ _id: 7 }), phase).toMatchObject({ visitorId: 'boris', seq: 1 });
      expect(await visits.findOne({ _id: 'v-4', seq: 2 }), phase).toMatchObject({ visitorId: 'boris' });
      expect(await visits.findOne({ visitorId: 'anna', seq: 2 }), phase).toMatchObject({ _id: oid });
      expect(await visits.findOne({ email: 'b@example.test' }), phase).toMatchObject({ _id: 'v-4' });
      expect((await visits.find({ _id: { $in: ['v-1', 7, 'nope'] } }).sort({ seq: 1, visitorId: 1 }).toArray()).map((v) => v._id), phase).toEqual(['v-1', 7]);
      // duplicates refused on every unique index; a sparse index lets any number of documents lack its field
      await expect(visits.insertOne({ _id: 'v-1', visitorId: 'x', seq: 9 }), phase).rejects.toThrow(/duplicate key/i);
      await expect(visits.insertOne({ _id: new ObjectId(oid.toHexString()), visitorId: 'x', seq: 9 }), phase).rejects.toThrow(/duplicate key/i);
      await expect(visits.insertOne({ _id: 'v-9', visitorId: 'anna', seq: 1 }), phase).rejects.toThrow(/duplicate key/i);
      await expect(visits.insertOne({ _id: 'v-9', visitorId: 'x', seq: 9, email: 'a@example.test' }), phase).rejects.toThrow(/duplicate key/i);
      await expect(visits.updateOne({ _id: 7 }, { $set: { seq: 2 } }), phase).rejects.toThrow(/duplicate key/i);
      expect(await visits.countDocuments(), phase).toBe(4);
    };

    let server = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
    let client = await MongoClient.connect(server.uri);
    try {
      let visits = client.db('x').collection<Visit>('visits');
      await visits.createIndexes([
        { key: { visitorId: 1, seq: 1 }, name: 'visitor_seq_unique', unique: true },
        { key: { email: 1 }, name: 'email_unique', unique: true, sparse: true },
      ]);
      await visits.insertMany(seed);
      await check(visits, 'before the restart');
      // a key given up by an update or a delete is free again
      await visits.updateOne({ _id: 7 }, { $set: { seq: 3 } });
      await visits.insertOne({ _id: 'v-5', visitorId: 'boris', seq: 1 });
      await visits.deleteOne({ _id: 'v-5' });
      await visits.updateOne({ _id: 7 }, { $set: { seq: 1 } });

      await client.close();
      await server.stop();
      server = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
      client = await MongoClient.connect(server.uri);
      visits = client.db('x').collection<Visit>('visits');
      await check(visits, 'after the restart');
      const stats = await client.db('x').command({ collStats: 'visits' });
      expect(stats.indexSize).toMatchObject({ _id_: 4, visitor_seq_unique: 4, email_unique: 2 });
      // and it goes on working: a new document, a freed key
      await visits.insertOne({ _id: 'v-6', visitorId: 'carl', seq: 1, email: 'c@example.test' });
      await visits.deleteOne({ email: 'a@example.test' });
      await visits.insertOne({ _id: 'v-1', visitorId: 'anna', seq: 1 });
      expect(await visits.countDocuments({ visitorId: 'anna' })).toBe(2);
      // a dropped unique index no longer refuses anything
      await visits.dropIndex('email_unique');
      await visits.insertOne({ _id: 'v-7', visitorId: 'dana', seq: 1, email: 'c@example.test' });
      expect(await visits.countDocuments({ email: 'c@example.test' })).toBe(2);
    } finally {
      await client.close();
      await server.stop();
    }
  }, 60_000);
});

describe('non-unique indexes on mongo-java-server', () => {
  interface Item {
    _id: number;
    owner: { channel: string; userId: string };
    status: string;
    at: number;
    tags?: string[];
  }
  const owned = (docs: Item[]) => docs.map((d) => d._id);

  it('find exactly what a full read finds, through updates, deletes and a restart', async () => {
    const dataDir = path.join(dir, 'secondary');
    let server = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
    let client = await MongoClient.connect(server.uri);
    try {
      let items = client.db('x').collection<Item>('items');
      await items.insertMany([
        { _id: 1, owner: { channel: 'telegram', userId: '7' }, status: 'open', at: 3, tags: ['red', 'big'] },
        { _id: 2, owner: { channel: 'telegram', userId: '7' }, status: 'closed', at: 1 },
        { _id: 3, owner: { channel: 'slack', userId: '7' }, status: 'open', at: 2, tags: ['red'] },
      ]);
      // created after the documents: it is built from them
      await items.createIndexes([
        { key: { 'owner.channel': 1, 'owner.userId': 1, at: -1 }, name: 'by_owner' },
        { key: { tags: 1 }, name: 'by_tag' },
      ]);
      await items.insertOne({ _id: 4, owner: { channel: 'telegram', userId: '7' }, status: 'open', at: 5 });
      const mine = { 'owner.channel': 'telegram', 'owner.userId': '7' };
      expect(owned(await items.find(mine).sort({ at: -1 }).toArray())).toEqual([4, 1, 2]);
      expect(owned(await items.find({ ...mine, status: 'open' }).sort({ at: 1 }).toArray())).toEqual([1, 4]);
      expect(owned(await items.find({ 'owner.channel': 'slack' }).toArray())).toEqual([3]);
      expect(owned(await items.find({ 'owner.channel': 'telegram', 'owner.userId': '8' }).toArray())).toEqual([]);
      // an array field is found by its elements
      expect(owned(await items.find({ tags: 'red' }).sort({ _id: 1 }).toArray())).toEqual([1, 3]);

      // a document whose indexed values change is found under the new ones only
      await items.updateOne({ _id: 1 }, { $set: { 'owner.userId': '8' }, $pull: { tags: 'red' } });
      expect(owned(await items.find(mine).sort({ at: -1 }).toArray())).toEqual([4, 2]);
      expect(owned(await items.find({ 'owner.channel': 'telegram', 'owner.userId': '8' }).toArray())).toEqual([1]);
      expect(owned(await items.find({ tags: 'red' }).toArray())).toEqual([3]);
      await items.deleteMany({ ...mine, status: 'closed' });
      expect(owned(await items.find(mine).toArray())).toEqual([4]);
      expect(await items.countDocuments({ 'owner.channel': 'telegram' })).toBe(2);

      // after a restart the index is rebuilt from the stored documents
      await client.close();
      await server.stop();
      server = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
      client = await MongoClient.connect(server.uri);
      items = client.db('x').collection<Item>('items');
      expect(owned(await items.find(mine).toArray())).toEqual([4]);
      expect(owned(await items.find({ 'owner.channel': 'telegram', 'owner.userId': '8' }).toArray())).toEqual([1]);
      expect(owned(await items.find({ tags: 'big' }).toArray())).toEqual([1]);
      await items.insertOne({ _id: 5, owner: { channel: 'telegram', userId: '7' }, status: 'open', at: 0 });
      expect(owned(await items.find(mine).sort({ at: 1 }).toArray())).toEqual([5, 4]);
      // the index is listed as created, and holds every document (rebuilt: no sizes stored)
      expect((await items.indexes()).map((index) => index.name).sort()).toEqual(['_id_', 'by_owner', 'by_tag']);
      const stats = await client.db('x').command({ collStats: 'items' });
      expect(stats.indexSize).toMatchObject({ by_owner: 4, by_tag: 4 });
    } finally {
      await client.close();
      await server.stop();
    }
  }, 60_000);
});

describe('lookups through non-unique indexes: what they must not lose', () => {
  it('tell values apart by type and by where one ends, and leave other queries to a full read', async () => {
    await withJavaServer('secondary-keys', async (client) => {
      const items = client.db('y').collection<{ _id: number; a?: unknown; b?: unknown }>('items');
      await items.createIndexes([{ key: { a: 1, b: 1 }, name: 'by_a_b' }]);
      const ref = new ObjectId();
      await items.insertMany([
        { _id: 1, a: 'x1:y', b: 'z' },
        { _id: 2, a: 'x', b: '1:yz' },
        { _id: 3, a: true, b: 'z' },
        { _id: 4, a: 'true', b: 'z' },
        { _id: 5, a: ref, b: 'z' },
        { _id: 6, a: ref.toHexString(), b: 'z' },
        { _id: 7, a: 5, b: 'z' },
        { _id: 8, b: 'z' },
        { _id: 9, a: ['x', 'w'], b: ['z', 'v'] },
      ]);
      const ids = (query: Record<string, unknown>) => idsOf(items, query);
      // the same characters split differently are different keys
      expect(await ids({ a: 'x1:y', b: 'z' })).toEqual([1]);
      expect(await ids({ a: 'x', b: '1:yz' })).toEqual([2]);
      // a boolean is not its text, an ObjectId not its hex
      expect(await ids({ a: true })).toEqual([3]);
      expect(await ids({ a: 'true' })).toEqual([4]);
      expect(await ids({ a: ref })).toEqual([5]);
      expect(await ids({ a: ref.toHexString() })).toEqual([6]);
      // arrays are found by each element, on every field of the key
      expect(await ids({ a: 'x' })).toEqual([2, 9]);
      expect(await ids({ a: 'w', b: 'v' })).toEqual([9]);
      // not served by the index (a number, $in, a missing field, the second field alone): read in full, still right
      expect(await ids({ a: 5 })).toEqual([7]);
      expect(await ids({ a: { $in: ['x', true] } })).toEqual([2, 3, 9]);
      expect(await ids({ a: null })).toEqual([8]);
      expect(await ids({ b: 'z' })).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
      // an update moves a document between keys; a delete takes it out
      await items.updateOne({ _id: 9 }, { $set: { a: 'x1:y' } });
      expect(await ids({ a: 'x' })).toEqual([2]);
      expect(await ids({ a: 'x1:y', b: 'v' })).toEqual([9]);
      await items.deleteOne({ _id: 1 });
      expect(await ids({ a: 'x1:y' })).toEqual([9]);
    });
  }, 60_000);
});

describe('several non-unique indexes on one collection', () => {
  it('answer every query right whichever index takes it, also after one is dropped', async () => {
    await withJavaServer('secondary-siblings', async (client) => {
      const items = client.db('z').collection<{ _id: number; dept: string; status: string; at: number }>('items');
      await items.insertMany([
        { _id: 1, dept: 'a', status: 'open', at: 1 },
        { _id: 2, dept: 'a', status: 'closed', at: 2 },
        { _id: 3, dept: 'b', status: 'open', at: 3 },
        { _id: 4, dept: 'b', status: 'closed', at: 4 },
      ]);
      // the status index first: a query on department and status is better served by the second
      await items.createIndexes([
        { key: { status: 1, at: 1 }, name: 'by_status' },
        { key: { dept: 1, status: 1, at: -1 }, name: 'by_dept_status' },
      ]);
      const ids = (query: Record<string, unknown>) => idsOf(items, query);
      expect(await ids({ dept: 'a', status: 'open' })).toEqual([1]);
      expect(await ids({ status: 'closed', dept: 'b' })).toEqual([4]);
      expect(await ids({ status: 'open' })).toEqual([1, 3]);
      expect(await ids({ dept: 'b' })).toEqual([3, 4]);
      await items.updateOne({ _id: 1 }, { $set: { dept: 'b' } });
      expect(await ids({ dept: 'b', status: 'open' })).toEqual([1, 3]);
      await items.dropIndex('by_dept_status');
      expect(await ids({ dept: 'b', status: 'open' })).toEqual([1, 3]);
      expect(await ids({ dept: 'a' })).toEqual([2]);
      await items.insertOne({ _id: 5, dept: 'a', status: 'open', at: 5 });
      expect(await ids({ status: 'open', dept: 'a' })).toEqual([5]);
    });
  }, 60_000);
});

describe('sorted, limited queries on a large bucket of a non-unique index', () => {
  interface Job {
    _id: number;
    name: string;
    nextRunAt: Date | null;
    priority: number;
    lockedAt: Date | null;
  }
  const base = Date.UTC(2026, 0, 1);

  it('return the first documents in the sort order, as Agenda locks its jobs one by one, through reschedules, inserts and deletes', async () => {
    await withJavaServer('secondary-sorted', async (client) => {
      const jobs = client.db('s').collection<Job>('jobs');
      await jobs.createIndexes([{ key: { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1 }, name: 'by_name_next' }]);
      // 600 jobs, 480 of one kind (a bucket large enough to be kept in order); run times all different,
      // some finished (no next run), some locked by a worker that died long ago (their lock has expired)
      const model = new Map<number, Job>();
      for (let i = 0; i < 600; i++) {
        model.set(i, {
          _id: i,
          name: i % 5 === 0 ? 'other' : 'notify',
          nextRunAt: i % 7 === 0 ? null : new Date(base + ((i * 919) % 1000) * 1000),
          priority: i % 3,
          lockedAt: i % 11 === 0 ? new Date(base - 3_600_000) : null,
        });
      }
      await jobs.insertMany([...model.values()].map((job) => ({ ...job })));
      const now = new Date(base + 600_000);
      const expired = new Date(base - 60_000);
      const lockable = (job: Job) => job.name === 'notify' && ((job.lockedAt === null && job.nextRunAt !== null && job.nextRunAt <= now) || (job.lockedAt !== null && job.lockedAt <= expired));
      // ascending run time (no run time first, as MongoDB sorts null), then descending priority
      const order = (a: Job, b: Job) => (a.nextRunAt?.getTime() ?? -Infinity) - (b.nextRunAt?.getTime() ?? -Infinity) || b.priority - a.priority;
      const lockQuery = { name: 'notify', $or: [{ lockedAt: null, nextRunAt: { $lte: now } }, { lockedAt: { $lte: expired } }] };

      let locked = 0;
      for (let round = 0; round < 60; round++) {
        const expected = [...model.values()].filter(lockable).sort(order)[0];
        const got = await jobs.findOneAndUpdate(lockQuery, { $set: { lockedAt: now } }, { sort: { nextRunAt: 1, priority: -1 }, returnDocument: 'after' });
        expect(got?._id).toBe(expected?._id);
        if (!got || !expected) break;
        expected.lockedAt = now;
        locked++;
        if (round % 6 === 1) {
          // a job brought forward (a claim's job scheduled again) is the next one locked
          const later = [...model.values()].filter((job) => job.name === 'notify' && job.lockedAt === null && job.nextRunAt !== null && job.nextRunAt > now)[0];
          if (later) {
            later.nextRunAt = new Date(base - 1_000 - round);
            await jobs.updateOne({ _id: later._id }, { $set: { nextRunAt: later.nextRunAt } });
          }
        }
        if (round % 6 === 3) {
          // a finished job removed, a new one due now added
          const done = [...model.values()].find((job) => job.name === 'notify' && job.lockedAt === now);
          if (done) {
            model.delete(done._id);
            await jobs.deleteOne({ _id: done._id });
          }
          const fresh: Job = { _id: 1_000 + round, name: 'notify', nextRunAt: new Date(base + 500_500 + round), priority: 2, lockedAt: null };
          model.set(fresh._id, fresh);
          await jobs.insertOne({ ...fresh });
        }
      }
      expect(locked).toBe(60);

      // plain finds with a sort and a limit (and a skip), either direction, on the same bucket
      const notify = [...model.values()].filter((job) => job.name === 'notify');
      const ids = (list: Job[]) => list.map((job) => job._id);
      expect(ids(await jobs.find({ name: 'notify' }).sort({ nextRunAt: 1, priority: -1 }).limit(7).toArray())).toEqual(ids(notify.sort(order).slice(0, 7)));
      const descending = (a: Job, b: Job) => -order(a, b);
      expect(ids(await jobs.find({ name: 'notify', lockedAt: null }).sort({ nextRunAt: -1, priority: 1 }).skip(3).limit(5).toArray())).toEqual(
        ids(notify.filter((job) => job.lockedAt === null).sort(descending).slice(3, 8)),
      );
      // the other kind is untouched by all of it
      expect(await jobs.countDocuments({ name: 'other', lockedAt: now })).toBe(0);
    });
  }, 60_000);
});

describe('the size warning at start-up', () => {
  it('warns about mongo-java-server above the limit only, naming the count and the way out', () => {
    expect(localServerSizeWarning('mongo-java-server', JAVA_SERVER_CLAIMS_LIMIT)).toBeUndefined();
    expect(localServerSizeWarning('mongo-java-server', 0)).toBeUndefined();
    const warning = localServerSizeWarning('mongo-java-server', JAVA_SERVER_CLAIMS_LIMIT + 1);
    expect(warning).toContain(String(JAVA_SERVER_CLAIMS_LIMIT + 1));
    expect(warning).toContain('MONGODB_URI');
    // a real mongod uses its indexes, whatever it holds
    expect(localServerSizeWarning('mongod', 10 * JAVA_SERVER_CLAIMS_LIMIT)).toBeUndefined();
  });
});
