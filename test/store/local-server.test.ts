import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { chooseLocalServerKind, JAVA_SERVER_CLAIMS_LIMIT, localServerSizeWarning, startLocalServer } from '../../src/store/local/server.js';
import { LocalDbError } from '../../src/store/local/errors.js';

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
    const server = await startLocalServer({ dataDir: path.join(dir, 'lookups'), kind: 'mongo-java-server' });
    const client = await MongoClient.connect(server.uri);
    try {
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
    } finally {
      await client.close();
      await server.stop();
    }
  }, 30_000);
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
