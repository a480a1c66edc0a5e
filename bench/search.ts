/**
 * The console's search (#25) over a registry of N synthetic claims (as benchmark 5 builds them),
 * without `$text`: how long each kind of query takes through the store's ClaimSearch, the
 * worst case being words that match nothing (every claim's name, product and description read).
 * Run only when asked:
 *   npx tsx bench/search.ts [--claims 20000] [--reps 9]
 * With MONGODB_URI set it uses that server (a database of its own, dropped after); otherwise a
 * local mongo-java-server in a temporary directory. Targets (bench/README.md), at 20 000 claims on
 * the local server: a number, a phone or an e-mail (indexed) a median under 50 ms; words (a scan of
 * the newest claims, stopped at the limit) under 1 s even when nothing matches and every claim is read.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { startLocalServer } from '../src/store/local/server.js';
import { loadDeskConfig } from '../src/config.js';
import { COLLECTIONS, ensureIndexes } from '../src/store/collections.js';
import { ClaimSearch } from '../src/store/claim-search.js';
import { parseSearch } from '../src/domain/search.js';
import { buildClaimDocument, claimPlan, yearSequence } from './registry-scale.js';

/** The median time a search may take at 20 000 claims: by an index, and by words (a bounded scan). */
export const SEARCH_TARGET_MS = { indexed: 50, words: 1000 } as const;

const { values } = parseArgs({ options: { claims: { type: 'string' }, reps: { type: 'string' } } });
const claims = Number(values.claims ?? 20_000);
const reps = Number(values.reps ?? 9);
if (!Number.isInteger(claims) || claims < 1 || !Number.isInteger(reps) || reps < 1) {
  console.error('usage: npx tsx bench/search.ts [--claims N ≥ 1] [--reps N ≥ 1]');
  process.exit(2);
}

const dataDir = process.env.MONGODB_URI ? undefined : await mkdtemp(path.join(os.tmpdir(), 'claimdesk-search-bench-'));
const server = dataDir ? await startLocalServer({ dataDir, kind: 'mongo-java-server' }) : undefined;
const client = await MongoClient.connect(server?.uri ?? process.env.MONGODB_URI ?? '');
const db = client.db(`search_bench_${String(process.pid)}`);
try {
  const desk = await loadDeskConfig('config/desk.example.yaml', process.cwd());
  await ensureIndexes(db);
  const nextSeq = yearSequence();
  let sample = { number: '', phone: '', name: '' };
  for (let from = 0; from < claims; from += 1000) {
    const batch = [];
    for (let i = from; i < Math.min(claims, from + 1000); i++) batch.push(buildClaimDocument(claimPlan(i, claims), nextSeq, desk));
    const middle = batch[Math.floor(batch.length / 2)];
    if (middle && from <= claims / 2) sample = { number: middle.number, phone: middle.contact.phone ?? '', name: middle.contact.name };
    await db.collection(COLLECTIONS.claims).insertMany(batch);
  }
  const search = new ClaimSearch(db);
  const everywhere = { personalDataDepartments: desk.departments.map((department) => department.id) };
  const cases: [string, string][] = [
    ['number', sample.number],
    ['phone (typed)', sample.phone.replace(/^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/, '8 ($1) $2-$3-$4')],
    ['e-mail (none stored)', 'nobody@example.com'],
    ['name word (one customer)', sample.name.split(' ').at(-1) ?? ''],
    ['common word (stops at the limit)', 'kettle'],
    ['two words, no match (full scan)', 'zebra quasar'],
  ];
  console.log(`search over ${String(claims)} claims (${server ? 'local mongo-java-server' : 'MONGODB_URI'}), ${String(reps)} reps, limit 50:`);
  let failed = false;
  for (const [label, text] of cases) {
    const query = parseSearch(text);
    if (!query) throw new Error(`bench: ${label} is not a search`);
    const times: number[] = [];
    let found = 0;
    for (let rep = 0; rep < reps + 1; rep++) {
      const started = performance.now();
      found = (await search.find(query, everywhere, 50)).claims.length;
      if (rep > 0) times.push(performance.now() - started); // the first is a warm-up
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    const target = query.kind === 'words' ? SEARCH_TARGET_MS.words : SEARCH_TARGET_MS.indexed;
    const ok = median < target;
    failed ||= !ok;
    console.log(`  ${label.padEnd(34)} ${query.kind.padEnd(6)} found ${String(found).padStart(3)}  p50 ${median.toFixed(1).padStart(7)} ms  max ${(times.at(-1) ?? 0).toFixed(1).padStart(7)} ms  ${ok ? 'ok' : 'over'} (target ${String(target)} ms)`);
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  await db.dropDatabase().catch(() => undefined);
  await client.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
