/**
 * How long the local mongo-java-server takes to start on a large registry: loads N synthetic
 * claims (as benchmark 5 builds them) with the store's indexes, stops the server, starts it again
 * on the same data and times it until "ready", then one customer lookup. Run only when asked:
 *   npx tsx bench/local-server-start.ts [--claims 50000] [--starts 2]
 * Not part of `npm run bench` (it measures the local server, not the desk against a baseline).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { startLocalServer } from '../src/store/local/server.js';
import { loadDeskConfig } from '../src/config.js';
import { COLLECTIONS, ensureIndexes } from '../src/store/collections.js';
import { buildClaimDocument, claimPlan, yearSequence } from './registry-scale.js';

const { values } = parseArgs({ options: { claims: { type: 'string' }, starts: { type: 'string' } } });
const claims = Number(values.claims ?? 50_000);
const starts = Number(values.starts ?? 2);
if (!Number.isInteger(claims) || claims < 1 || !Number.isInteger(starts) || starts < 1) {
  console.error('usage: npx tsx bench/local-server-start.ts [--claims N ≥ 1] [--starts N ≥ 1]');
  process.exit(2);
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-start-bench-'));
try {
  const desk = await loadDeskConfig('config/desk.example.yaml', process.cwd());
  const loading = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
  const loader = await MongoClient.connect(loading.uri);
  try {
    const db = loader.db('desk');
    await ensureIndexes(db);
    const nextSeq = yearSequence();
    for (let from = 0; from < claims; from += 1000) {
      const batch = [];
      for (let i = from; i < Math.min(claims, from + 1000); i++) batch.push(buildClaimDocument(claimPlan(i, claims), nextSeq, desk));
      await db.collection(COLLECTIONS.claims).insertMany(batch);
    }
  } finally {
    await loader.close();
    await loading.stop();
  }
  console.log(`local server start on ${String(claims)} claims:`);
  for (let run = 1; run <= starts; run++) {
    const started = performance.now();
    const server = await startLocalServer({ dataDir, kind: 'mongo-java-server' });
    const ready = performance.now();
    const client = await MongoClient.connect(server.uri);
    try {
      const lookup = performance.now();
      await client.db('desk').collection(COLLECTIONS.claims).find({ 'customer.channel': 'telegram', 'customer.userId': 'nobody' }).toArray();
      console.log(`  start ${String(run)}: ready after ${(ready - started).toFixed(0)} ms; a customer's claims then ${(performance.now() - lookup).toFixed(0)} ms`);
    } finally {
      await client.close();
      await server.stop();
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(0);
