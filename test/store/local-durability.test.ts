/**
 * The local database is killed (SIGKILL, as an out-of-memory kill or a power cut would) right
 * after a claim's registration is acknowledged and at random moments under write load; every
 * restart must open the same data and hold every acknowledged claim with its number, and the
 * counter must be past it, so no number is ever given twice.
 */
import { execFile } from 'node:child_process';
import { appendFile, cp, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startLocalServer, type LocalServer } from '../../src/store/local/server.js';
import { LocalDbError } from '../../src/store/local/errors.js';
import { ensureIndexes, COLLECTIONS } from '../../src/store/collections.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry } from '../../src/registry.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { draft, exampleDesk, telegramCustomer } from '../support/fixtures.js';

const run = promisify(execFile);

let dir: string;
let desk: DeskConfig;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-durability-'));
  desk = await exampleDesk();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Running {
  readonly server: LocalServer;
  readonly client: MongoClient;
  readonly registry: ClaimRegistry;
  readonly claims: ClaimRepository;
}

async function open(dataDir: string): Promise<Running> {
  const server = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
  const client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 2_000, maxPoolSize: 20 });
  const db = client.db('desk');
  await ensureIndexes(db);
  const claims = new ClaimRepository(db);
  return { server, client, registry: new ClaimRegistry(desk, claims), claims };
}

function kill(running: Running): void {
  process.kill(running.server.pid ?? 0, 'SIGKILL');
}

async function dispose(running: Running): Promise<void> {
  await running.client.close(true).catch(() => undefined);
  await running.server.stop();
}

/** What the customer was told: the claim's id and number, once its registration was acknowledged. */
interface Acknowledged {
  readonly id: string;
  readonly number: string;
}

let serial = 0;
function submit(registry: ClaimRegistry): Promise<Acknowledged> {
  serial += 1;
  const customer = String(7000 + (serial % 50));
  return registry.submit(draft(telegramCustomer(customer)), `durability:${String(serial)}`).then(({ claim }) => ({ id: claim.id, number: claim.number }));
}

/** Restarts on the same data and checks every acknowledged claim, the counter and a fresh number. */
async function verify(dataDir: string, acknowledged: readonly Acknowledged[]): Promise<void> {
  const running = await open(dataDir);
  try {
    const db = running.client.db('desk');
    for (const ack of acknowledged) {
      const claim = await running.claims.findById(ack.id);
      expect(claim?.number, `claim ${ack.number} was acknowledged`).toBe(ack.number);
    }
    const numbers = (await db.collection(COLLECTIONS.claims).find({}, { projection: { number: 1 } }).toArray()).map((c) => String(c.number));
    expect(new Set(numbers).size).toBe(numbers.length);
    const highest = Math.max(0, ...acknowledged.map((a) => Number(a.number.split('-')[1])));
    const fresh = await submit(running.registry);
    expect(Number(fresh.number.split('-')[1])).toBeGreaterThan(highest);
    expect(numbers).not.toContain(fresh.number);
  } finally {
    await dispose(running);
  }
}

describe('the local database killed with SIGKILL', () => {
  it('keeps a claim acknowledged just before the kill, round after round', async () => {
    const dataDir = path.join(dir, 'after-ack');
    const acknowledged: Acknowledged[] = [];
    for (let round = 0; round < 8; round++) {
      const running = await open(dataDir);
      // the kill is sent in the same tick as the acknowledgement arrives: no time for a background write
      const ack = await submit(running.registry).then((a) => {
        kill(running);
        return a;
      });
      acknowledged.push(ack);
      await dispose(running);
    }
    await verify(dataDir, acknowledged);
  }, 120_000);

  it('keeps every acknowledged claim when killed at random moments under write load', async () => {
    const dataDir = path.join(dir, 'under-load');
    const acknowledged: Acknowledged[] = [];
    for (let round = 0; round < 8; round++) {
      // each start checks what the rounds before it were told, then writes until killed
      const running = await open(dataDir);
      for (const ack of acknowledged) expect((await running.claims.findById(ack.id))?.number, `claim ${ack.number} was acknowledged`).toBe(ack.number);
      let killed = false;
      const writers = Array.from({ length: 6 }, async () => {
        while (!killed) {
          try {
            const ack = await submit(running.registry);
            // an answer that arrived before the kill was sent is an acknowledgement the customer saw
            if (!killed) acknowledged.push(ack);
          } catch {
            // the server went away mid-request: nothing was acknowledged for this one
            return;
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 400)));
      killed = true;
      kill(running);
      await Promise.all(writers);
      await dispose(running);
    }
    await verify(dataDir, acknowledged);
    expect(acknowledged.length).toBeGreaterThan(8);
  }, 180_000);
});

describe('a damaged data folder', () => {
  it('starts after a torn last record (a write cut off by the kill) and keeps what was acknowledged', async () => {
    const dataDir = path.join(dir, 'torn');
    const running = await open(dataDir);
    const ack = await submit(running.registry);
    kill(running);
    await dispose(running);
    const journal = (await readdir(dataDir)).find((f) => f.startsWith('journal-'));
    expect(journal).toBeDefined();
    // half a record: the magic and a length promising more than follows
    await appendFile(path.join(dataDir, journal ?? ''), Buffer.from([0x43, 0x4a, 0x4c, 0x31, 0, 0, 1, 0, 1, 2, 3]));
    await verify(dataDir, [ack]);
  }, 60_000);

  it('refuses to start on a snapshot cut short, with one line naming the file and how to restore', async () => {
    const dataDir = path.join(dir, 'damaged');
    const running = await open(dataDir);
    await submit(running.registry);
    await dispose(running);
    const snapshot = (await readdir(dataDir)).find((f) => f.startsWith('snapshot-')) ?? '';
    await truncate(path.join(dataDir, snapshot), Math.floor((await stat(path.join(dataDir, snapshot))).size / 2));
    const failure = await startLocalServer({ dataDir, kind: 'mongo-java-server' }).then(
      async (server) => {
        await server.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LocalDbError);
    const message = (failure as LocalDbError).message;
    expect(message).toContain(path.join(dataDir, snapshot));
    expect(message).toMatch(/damaged.*restore .* from a backup/);
    expect(message).not.toMatch(/\n|at de\.bwaldvogel|Exception/);

    // npm start on that folder: one line on stderr, exit code 1, no stack
    const home = path.join(dir, 'app-home');
    await rm(home, { recursive: true, force: true });
    await cp(dataDir, path.join(home, 'db'), { recursive: true });
    const started = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', CLAIMDESK_DATA_DIR: home, PORT: '0', HOST: '127.0.0.1' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(started.code).toBe(1);
    expect(started.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^local database: the data file .*snapshot-\d+\.dat is damaged at byte \d+ .*restore the folder .* from a backup/)]);
  }, 90_000);
});
