import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { chooseLocalServerKind, startLocalServer } from '../../src/store/local/server.js';
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
