/**
 * The benchmarks: `npm run bench -- [--customers 200] [--reps 5] [--quick] [--only intake,roundtrips,notify]`;
 * when asked, also `--only outbound [--notifications 10000] [--outbound-reps 1] [--outbound-instances 1]` (~6 min a rep) and
 * the registry's scale `--only scale [--scale-claims 1000000] [--scale-samples 3]`.
 * Starts one local database server (or uses MONGODB_URI / --mongo-uri: `mongodb://host:port/`),
 * runs each benchmark, prints a table and writes bench/reports/<timestamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalServer, type LocalServer } from '../src/store/local/server.js';
import { runIntake, type IntakeResult } from './intake.js';
import { runRoundtrips, type RoundtripResult } from './roundtrips.js';
import { runNotifyLatency, type NotifyResult } from './notify-latency.js';
import { runOutbound, type OutboundResult } from './outbound.js';
import { formatScale, runRegistryScale, scaleTargets, type RegistryScaleResult } from './registry-scale.js';

export interface BenchSettings {
  readonly customers: number;
  readonly reps: number;
  readonly warmupCustomers: number;
  readonly roundtripCustomers: number;
  readonly processEveryMs: number;
  readonly notifySamples: number;
  /** Part 4: customer notifications queued per rep (chats: 40 % of them), and its reps. */
  readonly notifications?: number;
  readonly outboundReps?: number;
  /** Part 4: instances of the desk sharing the budget (default 1). */
  readonly outboundInstances?: number;
  /** Benchmark 5: claims loaded (default 1 M) and calls per side in each rep (default 3). */
  readonly scaleClaims?: number;
  readonly scaleSamples?: number;
  readonly only: readonly ('intake' | 'roundtrips' | 'notify' | 'outbound' | 'scale')[];
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly commit: string;
  readonly dirty: boolean;
  readonly node: string;
  readonly machine: { platform: string; cpus: number; cpuModel: string; memoryGb: number; loadAverage: number[] };
  readonly database: { kind: string; uri: string };
  readonly settings: BenchSettings;
  readonly intake?: IntakeResult;
  readonly roundtrips?: RoundtripResult;
  readonly notify?: NotifyResult;
  readonly outbound?: OutboundResult;
  readonly scale?: RegistryScaleResult;
  readonly targets: { name: string; target: string; measured: string; met: boolean }[];
}

const QUICK: Omit<BenchSettings, 'only'> = { customers: 20, reps: 2, warmupCustomers: 5, roundtripCustomers: 3, processEveryMs: 1000, notifySamples: 3, notifications: 600, outboundReps: 1 };
const FULL: Omit<BenchSettings, 'only'> = { customers: 200, reps: 5, warmupCustomers: 400, roundtripCustomers: 10, processEveryMs: 5000, notifySamples: 8, notifications: 10_000, outboundReps: 1 };

/** Runs the chosen benchmarks against a server at `mongoUri` (`mongodb://host:port/`). */
export async function runBenchmarks(mongoUri: string, kind: string, settings: BenchSettings, serverPid?: number): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const cpus = os.cpus();
  const intake = settings.only.includes('intake')
    ? await runIntake({ mongoUri, customers: settings.customers, reps: settings.reps, warmupCustomers: settings.warmupCustomers, ...(serverPid !== undefined ? { serverPid } : {}) })
    : undefined;
  const roundtrips = settings.only.includes('roundtrips') ? await runRoundtrips({ mongoUri, customers: settings.roundtripCustomers }) : undefined;
  const notify = settings.only.includes('notify')
    ? await runNotifyLatency({ mongoUri, processEveryMs: settings.processEveryMs, samples: settings.notifySamples, reps: settings.reps })
    : undefined;
  const notifications = settings.notifications ?? FULL.notifications ?? 10_000;
  const outbound = settings.only.includes('outbound')
    ? await runOutbound({ mongoUri, notifications, chats: Math.ceil(notifications * 0.4), reps: settings.outboundReps ?? 1, instances: settings.outboundInstances ?? 1 })
    : undefined;
  const scale = settings.only.includes('scale')
    ? await runRegistryScale({ mongoUri, claims: settings.scaleClaims ?? 1_000_000, reps: settings.reps, samples: settings.scaleSamples ?? 3, progress: (line) => console.error(line) })
    : undefined;
  const targets: BenchReport['targets'] = [];
  if (intake) targets.push({ name: 'intake throughput', target: `desk ≥ ${intake.target.ratioAtLeast}× baseline updates/s`, measured: `${intake.median.ratio}×`, met: intake.target.met });
  if (roundtrips) targets.push({ name: 'round-trips per message', target: `≤ ${roundtrips.target.atMost} (baseline ${roundtrips.baseline.roundTrips})`, measured: String(roundtrips.average.roundTrips), met: roundtrips.target.met });
  if (notify) targets.push({ name: 'notification latency', target: `median ≤ 0.1 × processEvery = ${notify.target.medianAtMostMs} ms`, measured: `${notify.median.medianMs} ms (${notify.median.ratioToProcessEvery}×)`, met: notify.target.met });
  if (outbound) {
    const o = outbound.median;
    targets.push({ name: 'outbound rate', target: `≥ ${outbound.target.rateAtLeast}/s, ≤ ${outbound.target.maxInAnySecond} in any second, ≥ ${outbound.target.minChatGapMs} ms per chat, loss 0`, measured: `${o.ratePerSecond}/s (${o.ratioToLimit}× ${outbound.settings.limitPerSecond}), max ${o.maxInAnySecond}/s, chat gap ${o.minChatGapMs} ms, lost ${o.lost}, duplicates ${o.duplicates}`, met: outbound.target.met });
  }
  if (scale) targets.push(...scaleTargets(scale));
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain').length > 0,
    node: process.version,
    machine: { platform: `${os.platform()} ${os.release()}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    database: { kind, uri: mongoUri.replace(/\/\/[^@/]*@/, '//***@') },
    settings,
    ...(intake ? { intake } : {}),
    ...(roundtrips ? { roundtrips } : {}),
    ...(notify ? { notify } : {}),
    ...(outbound ? { outbound } : {}),
    ...(scale ? { scale } : {}),
    targets,
  };
}

/** The table printed at the end of a run. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const row = (...cells: (string | number)[]) => lines.push(cells.map((c, i) => String(c).padEnd(i === 0 ? 26 : 14)).join(''));
  lines.push(`claimdesk benchmarks — commit ${report.commit.slice(0, 12)}${report.dirty ? ' (dirty)' : ''}, node ${report.node}, ${report.database.kind}, ${report.machine.cpus} CPUs`);
  if (report.intake) {
    const { desk, baseline, ratio } = report.intake.median;
    lines.push('', `1. Intake throughput: ${report.intake.settings.customers} concurrent dialogs × ${report.intake.settings.updatesPerDialog} updates, median of ${report.intake.settings.reps} reps`);
    row('', 'updates/s', 'p50 ms', 'p95 ms', 'p99 ms', 'completed');
    row('claimdesk', desk.updatesPerSecond, desk.p50Ms, desk.p95Ms, desk.p99Ms, `${desk.completed}/${report.intake.settings.customers}`);
    row('baseline (bare grammY)', baseline.updatesPerSecond, baseline.p50Ms, baseline.p95Ms, baseline.p99Ms, `${baseline.completed}/${report.intake.settings.customers}`);
    row('ratio desk/baseline', ratio);
    lines.push(`   per rep: ${report.intake.reps.map((r) => `${r.ratio}×`).join(', ')}; claims registered ${report.intake.claimsRegistered}/${report.intake.dialogsRun}`);
    const cpu = (run: typeof desk) => `node ${run.nodeCpuMsPerUpdate} ms${run.serverCpuMsPerUpdate !== undefined ? `, database server ${run.serverCpuMsPerUpdate} ms` : ''}`;
    lines.push(`   CPU per update (median): claimdesk ${cpu(desk)}; baseline ${cpu(baseline)}`);
  }
  if (report.roundtrips) {
    lines.push('', `2. Database round-trips per inbound update (${report.roundtrips.settings.customers} dialogs, one at a time)`);
    row('step', 'round-trips', 'with Agenda', 'commands');
    for (const s of report.roundtrips.steps) row(s.step, s.roundTrips, s.withAgenda, Object.entries(s.perDialog).map(([k, v]) => (v === 1 ? k : `${k}×${v}`)).join(' '));
    row('average', report.roundtrips.average.roundTrips, report.roundtrips.average.withAgenda);
    row('baseline', report.roundtrips.baseline.roundTrips);
  }
  if (report.notify) {
    const n = report.notify;
    lines.push('', `3. Notification latency (staff take → customer's message out), processEvery ${n.settings.processEveryMs} ms`);
    row('', 'median ms', 'p95 ms', '× processEvery');
    row('claimdesk', n.median.medianMs, n.median.p95Ms, n.median.ratioToProcessEvery);
  }
  if (report.outbound) {
    const o = report.outbound;
    lines.push('', `4. Outbound rate: ${o.settings.notifications} notifications queued over ${o.settings.chats} chats, worker started on ${o.settings.instances} instance(s), at the Bot API (limit ${o.settings.limitPerSecond}/s for the desk)`);
    row('rep', 'delivered', 'lost', 'dupes', 'msgs/s', 'max in 1 s', 'min chat gap', 'queued in s');
    o.reps.forEach((r, i) => row(String(i + 1), `${r.delivered}/${r.expected}`, r.lost, r.duplicates, r.ratePerSecond, r.maxInAnySecond, `${r.minChatGapMs} ms`, r.queueSeconds));
    o.reps.forEach((r, i) => lines.push(`   rep ${String(i + 1)}: first after ${String(r.firstAfterMs)} ms; per 10 s: ${r.perTenSeconds.join(' ')}`));
    row('median rate ÷ limit', o.median.ratioToLimit);
  }
  if (report.scale) lines.push('', ...formatScale(report.scale));
  lines.push('', 'Targets:');
  for (const t of report.targets) lines.push(`  ${t.met ? 'MET    ' : 'NOT MET'} ${t.name}: ${t.target}; measured ${t.measured}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      'roundtrip-customers': { type: 'string' },
      'process-every': { type: 'string' },
      samples: { type: 'string' },
      notifications: { type: 'string' },
      'outbound-reps': { type: 'string' },
      'outbound-instances': { type: 'string' },
      only: { type: 'string' },
      'scale-claims': { type: 'string' },
      'scale-samples': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'mongo-uri': { type: 'string' },
    },
  });
  const base = values.quick ? QUICK : FULL;
  const num = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  const only = (values.only ?? 'intake,roundtrips,notify').split(',').map((s) => s.trim()) as BenchSettings['only'][number][];
  const settings: BenchSettings = {
    customers: num(values.customers ?? process.env.BENCH_CUSTOMERS, base.customers),
    reps: num(values.reps ?? process.env.BENCH_REPS, base.reps),
    warmupCustomers: num(values.warmup, base.warmupCustomers),
    roundtripCustomers: num(values['roundtrip-customers'], base.roundtripCustomers),
    processEveryMs: num(values['process-every'], base.processEveryMs),
    notifySamples: num(values.samples, base.notifySamples),
    notifications: num(values.notifications, base.notifications ?? 10_000),
    outboundReps: num(values['outbound-reps'], base.outboundReps ?? 1),
    outboundInstances: num(values['outbound-instances'], 1),
    only,
    ...(values['scale-claims'] !== undefined ? { scaleClaims: num(values['scale-claims'], 1_000_000) } : {}),
    ...(values['scale-samples'] !== undefined ? { scaleSamples: num(values['scale-samples'], 3) } : {}),
  };
  let server: LocalServer | undefined;
  let dataDir: string | undefined;
  let uri = values['mongo-uri'] ?? process.env.MONGODB_URI;
  let kind = 'external (MONGODB_URI)';
  if (uri === undefined) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-bench-db-'));
    server = await startLocalServer({ dataDir, say: (line) => console.error(line) });
    uri = server.uri;
    kind = server.kind;
  } else if (!uri.endsWith('/')) {
    uri = `${uri}/`;
  }
  console.error(`benchmarks on ${kind} at ${uri}; settings ${JSON.stringify(settings)}`);
  try {
    const report = await runBenchmarks(uri, kind, settings, server?.pid);
    console.log(formatReport(report));
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reports');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nreport: ${path.relative(process.cwd(), file)}`);
  } finally {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // something the libraries leave open (keep-alive sockets, timers) would keep the process up after the report
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
