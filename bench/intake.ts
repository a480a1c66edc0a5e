/**
 * Benchmark 1: intake throughput. N customers at once, each a full intake dialog to the claim
 * number, posted to the desk's grammY webhook on loopback; beside it, on the same database server,
 * a bare grammY webhook bot doing one session read + one write per update and a reply.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Bot, webhookCallback } from 'grammy';
import { MongoClient } from 'mongodb';
import type { Update } from 'grammy/types';
import { benchUser, CLAIM_NUMBER, cpuSnapshot, INTAKE, median, ObservedTelegram, post, quantile, round, startDesk, stepUpdate, WEBHOOK_SECRET, type DeskUnderBench } from './common.js';

export interface IntakeOptions {
  /** `mongodb://host:port/` of the one server both sides use. */
  readonly mongoUri: string;
  readonly customers: number;
  readonly reps: number;
  /** Dialogs per side in the discarded warm-up, run in rounds of at most `customers`. */
  readonly warmupCustomers: number;
  /** The database server's process id, when it runs on this machine: its CPU time is reported per side. */
  readonly serverPid?: number;
}

export interface SideRun {
  readonly updates: number;
  readonly seconds: number;
  readonly updatesPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Dialogs that ended as they should (the desk: a claim number in the chat). */
  readonly completed: number;
  /**
   * CPU time per update, in ms: of this node process (the side under test, and the load generator
   * and fake Bot API, the same for both sides) and of the database server (when its pid is known).
   * Less sensitive to other work on the machine than updates/s.
   */
  readonly nodeCpuMsPerUpdate: number;
  readonly serverCpuMsPerUpdate?: number;
}

export interface IntakeResult {
  readonly name: 'intake';
  readonly settings: { customers: number; reps: number; warmupCustomers: number; updatesPerDialog: number; latency: string; rep: string };
  readonly reps: { desk: SideRun; baseline: SideRun; ratio: number }[];
  readonly median: { desk: SideRun; baseline: SideRun; ratio: number };
  /** Claims in the desk's database after the run, and how many dialogs were run on it in all. */
  readonly claimsRegistered: number;
  readonly dialogsRun: number;
  readonly target: { ratioAtLeast: number; met: boolean };
}

/** A side of the comparison: runs one customer's dialog and reports each update's latency. */
export interface Side {
  readonly tg: ObservedTelegram;
  /** Latencies (ms) of the customer's updates, and whether the dialog ended as it should. */
  dialog(): Promise<{ latencies: number[]; ok: boolean }>;
  stop(): Promise<void>;
}

/** The desk's dialog: each step waits for the bot's answer (the next question) to reach the Bot API. */
function deskSide(desk: DeskUnderBench): Side {
  return {
    tg: desk.tg,
    async dialog() {
      const user = benchUser();
      const latencies: number[] = [];
      let last = '';
      for (const step of INTAKE) {
        const update = stepUpdate(desk.tg, user, step);
        const answered = desk.tg.next(user.id, (m) => step.answer(m.text));
        const started = performance.now();
        await post(desk.tg, update, desk.webhookUrl);
        const answer = await answered;
        latencies.push(answer.at - started);
        last = answer.text;
      }
      return { latencies, ok: CLAIM_NUMBER.test(last) };
    },
    stop: () => desk.stop(),
  };
}

/** A bare grammY webhook bot: per update one session read and one write (as @grammyjs/storage-mongodb does), and a reply. */
export async function baselineSide(mongoUri: string, database: string, options: { monitorCommands?: boolean; keepPerChat?: number } = {}): Promise<Side & { client: MongoClient }> {
  const tg = await ObservedTelegram.start({ keepPerChat: options.keepPerChat });
  const client = await MongoClient.connect(`${mongoUri}${database}`, { monitorCommands: options.monitorCommands ?? false });
  const sessions = client.db(database).collection<{ _id: string; value: { turns: number } }>('sessions');
  const bot = new Bot(tg.fake.token, { botInfo: tg.fake.botUser, client: { apiRoot: tg.fake.url } });
  bot.on(['message', 'callback_query'], async (ctx) => {
    const key = String(ctx.chat?.id);
    const session = await sessions.findOne({ _id: key });
    const value = { turns: (session?.value.turns ?? 0) + 1 };
    await sessions.updateOne({ _id: key }, { $set: { value } }, { upsert: true });
    await ctx.reply(`Turn ${value.turns}: noted.`);
  });
  const callback = webhookCallback(bot, 'http', { secretToken: WEBHOOK_SECRET });
  const server = http.createServer((req, res) => void callback(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
  // as Telegram would be told by setWebhook, so the fake sends the secret header
  tg.fake.webhook = { url: 'https://baseline.example.test/', secretToken: WEBHOOK_SECRET };
  return {
    tg,
    client,
    async dialog() {
      const user = benchUser();
      const latencies: number[] = [];
      let ok = true;
      for (const step of INTAKE) {
        // the same kinds of update as the desk gets: texts, and button presses on the last message
        const update: Update = 'says' in step.input ? tg.fake.userSays(user, step.input.says) : tg.fake.userPresses(user, `b.${step.name}`, 1);
        const answered = tg.next(user.id, (m) => m.text.startsWith('Turn '));
        const started = performance.now();
        await post(tg, update, url);
        const answer = await answered;
        latencies.push(answer.at - started);
        ok &&= answer.text === `Turn ${String(latencies.length)}: noted.`;
      }
      return { latencies, ok };
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await client.close();
      await tg.close();
    },
  };
}

/** Messages the intake's load generators keep per chat: a step's answer is at most two messages. */
const KEEP_PER_CHAT = 4;

/** N customers at once on one side; throughput over the whole round, latency per update. */
async function round_(side: Side, customers: number, serverPid: number | undefined): Promise<SideRun> {
  const cpuBefore = cpuSnapshot(serverPid);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: customers }, () => side.dialog()));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(serverPid);
  const latencies = results.flatMap((r) => r.latencies);
  const perUpdate = (ms: number) => round(ms / latencies.length, 3);
  return {
    updates: latencies.length,
    seconds: round(seconds),
    updatesPerSecond: round(latencies.length / seconds, 1),
    p50Ms: round(quantile(latencies, 0.5), 2),
    p95Ms: round(quantile(latencies, 0.95), 2),
    p99Ms: round(quantile(latencies, 0.99), 2),
    completed: results.filter((r) => r.ok).length,
    nodeCpuMsPerUpdate: perUpdate(cpuAfter.nodeMs - cpuBefore.nodeMs),
    ...(cpuBefore.serverMs !== undefined && cpuAfter.serverMs !== undefined ? { serverCpuMsPerUpdate: perUpdate(cpuAfter.serverMs - cpuBefore.serverMs) } : {}),
  };
}

const medianRun = (runs: readonly SideRun[]): SideRun => ({
  updates: median(runs.map((r) => r.updates)),
  seconds: median(runs.map((r) => r.seconds)),
  updatesPerSecond: median(runs.map((r) => r.updatesPerSecond)),
  p50Ms: median(runs.map((r) => r.p50Ms)),
  p95Ms: median(runs.map((r) => r.p95Ms)),
  p99Ms: median(runs.map((r) => r.p99Ms)),
  completed: median(runs.map((r) => r.completed)),
  nodeCpuMsPerUpdate: median(runs.map((r) => r.nodeCpuMsPerUpdate)),
  ...(runs.every((r) => r.serverCpuMsPerUpdate !== undefined) ? { serverCpuMsPerUpdate: median(runs.map((r) => r.serverCpuMsPerUpdate ?? 0)) } : {}),
});

/**
 * Runs the comparison: warm-up rounds per side (discarded), then `reps` reps; in a rep each side
 * runs a discarded settling round, then the measured one.
 */
export async function runIntake(options: IntakeOptions): Promise<IntakeResult> {
  const suffix = randomBytes(4).toString('hex');
  const deskDb = `bench_intake_desk_${suffix}`;
  const baseDb = `bench_intake_base_${suffix}`;
  // Agenda's default processEvery (5 s) on the desk: it runs as deployed
  // both load generators keep only each chat's last messages (the buttons to press): holding every
  // message of the run grew the heap with it, and the garbage collector's work most for the side
  // with the bigger messages
  const desk = await startDesk(options.mongoUri, deskDb, { keepPerChat: KEEP_PER_CHAT });
  const baseline = await baselineSide(options.mongoUri, baseDb, { keepPerChat: KEEP_PER_CHAT });
  const sides = { desk: deskSide(desk), baseline };
  let dialogsRun = 0;
  try {
    // the discarded warm-up, in rounds of at most `customers` dialogs per side: node's and the Java
    // server's JIT take a few full rounds to settle (one round of 50 left both sides ~40% slow)
    for (let done = 0; done < options.warmupCustomers; done += options.customers) {
      const size = Math.min(options.customers, options.warmupCustomers - done);
      await round_(sides.desk, size, options.serverPid);
      await round_(sides.baseline, size, options.serverPid);
      dialogsRun += size;
    }
    const reps: IntakeResult['reps'] = [];
    const measured = async (side: Side) => {
      await round_(side, options.customers, options.serverPid);
      return round_(side, options.customers, options.serverPid);
    };
    for (let rep = 0; rep < options.reps; rep++) {
      // Each side runs a discarded settling round, then the measured one, always in the same
      // order, so every measured round follows one round of its own side, which follows two of
      // the other's. A round right after the other side's ran 30–40 % slower here (its garbage,
      // the database's page writes, the JIT's shared code paths set for the other side), and the
      // second round after a switch still a little: alternating who goes first (as before) put
      // one side's measured round 2nd and the other's 4th after a switch, and a rep's ratio
      // swung between 0.66× and 1.04× with the order.
      const deskRun = await measured(sides.desk);
      const baseRun = await measured(sides.baseline);
      dialogsRun += 2 * options.customers;
      reps.push({ desk: deskRun, baseline: baseRun, ratio: round(deskRun.updatesPerSecond / baseRun.updatesPerSecond) });
    }
    await desk.app.idle();
    const claimsRegistered = await desk.app.db.collection('claims').countDocuments();
    const ratio = median(reps.map((r) => r.ratio));
    return {
      name: 'intake',
      settings: {
        customers: options.customers,
        reps: options.reps,
        warmupCustomers: options.warmupCustomers,
        updatesPerDialog: INTAKE.length,
        latency: 'from posting the update to the webhook until the answer (the next question) reached the Bot API',
        rep: 'the desk, then the baseline: each a discarded settling round, then the measured round',
      },
      reps,
      median: { desk: medianRun(reps.map((r) => r.desk)), baseline: medianRun(reps.map((r) => r.baseline)), ratio },
      claimsRegistered,
      dialogsRun,
      target: { ratioAtLeast: 0.8, met: ratio >= 0.8 },
    };
  } finally {
    await desk.app.db.dropDatabase().catch(() => undefined);
    await baseline.client.db(baseDb).dropDatabase().catch(() => undefined);
    await sides.desk.stop();
    await baseline.stop();
  }
}
