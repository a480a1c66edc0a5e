/**
 * Benchmark 2: database round-trips per inbound message, counted with the MongoDB driver's command
 * monitoring on the desk's own client (`monitorCommands=true` in MONGODB_URI; the app's `db.client`
 * emits `commandStarted`). Customers go one at a time so every command in a step's window is that
 * step's. Agenda polls once an hour here, so its background polling stays out of the windows; the
 * commands on Agenda's collection that a step does cause (scheduling a job) are shown apart.
 */
import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { baselineSide } from './intake.js';
import { benchUser, CLAIM_NUMBER, INTAKE, median, post, round, sleep, startDesk, stepUpdate } from './common.js';

export interface RoundtripOptions {
  readonly mongoUri: string;
  /** Dialogs counted (after one warm-up dialog). */
  readonly customers: number;
}

/** Agenda's job collection (the MongoBackend's default name). */
export const AGENDA_COLLECTION = 'agendaJobs';

export interface StepCount {
  readonly step: string;
  /** Median over the dialogs of the commands in the step's window, Agenda's collection excluded. */
  readonly roundTrips: number;
  /** The same, Agenda's collection included. */
  readonly withAgenda: number;
  /** Commands per collection (`collection.command`), summed over the dialogs and divided by their number. */
  readonly perDialog: Record<string, number>;
}

export interface RoundtripResult {
  readonly name: 'roundtrips';
  readonly settings: { customers: number; counted: string; jobsEveryMs: number };
  readonly steps: StepCount[];
  /** Mean over every inbound update of every dialog. */
  readonly average: { roundTrips: number; withAgenda: number };
  readonly baseline: { roundTrips: number; updates: number; commands: Record<string, number> };
  readonly completed: number;
  readonly target: { atMost: number; met: boolean };
}

function collectionOf(event: CommandStartedEvent): string {
  const value: unknown = event.command[event.commandName];
  if (event.commandName === 'getMore') return typeof event.command.collection === 'string' ? event.command.collection : '?';
  return typeof value === 'string' ? value : `(${event.databaseName})`;
}

export async function runRoundtrips(options: RoundtripOptions): Promise<RoundtripResult> {
  const database = `bench_roundtrips_${randomBytes(4).toString('hex')}`;
  const jobsEveryMs = 3_600_000;
  const desk = await startDesk(options.mongoUri, database, { query: 'monitorCommands=true', jobsEveryMs });
  const seen: string[] = [];
  let inFlight = 0;
  const client = desk.app.db.client;
  client.on('commandStarted', (event) => {
    inFlight += 1;
    seen.push(`${collectionOf(event)}.${event.commandName}`);
  });
  client.on('commandSucceeded', () => (inFlight -= 1));
  client.on('commandFailed', () => (inFlight -= 1));

  /** Waits until the app is idle and no command has been in flight for 30 ms. */
  const settle = async () => {
    await desk.app.idle();
    let quietSince = performance.now();
    while (performance.now() - quietSince < 30) {
      await sleep(5);
      if (inFlight > 0) quietSince = performance.now();
    }
  };

  try {
    await sleep(200); // Agenda's first poll at start
    const dialog = async () => {
      const user = benchUser();
      const counts: string[][] = [];
      let last = '';
      for (const step of INTAKE) {
        const update = stepUpdate(desk.tg, user, step);
        const answered = desk.tg.next(user.id, (m) => step.answer(m.text));
        await settle();
        const from = seen.length;
        await post(desk.tg, update, desk.webhookUrl);
        last = (await answered).text;
        await settle();
        counts.push(seen.slice(from));
      }
      return { counts, ok: CLAIM_NUMBER.test(last) };
    };
    await dialog(); // warm-up
    const dialogs: { counts: string[][]; ok: boolean }[] = [];
    for (let i = 0; i < options.customers; i++) dialogs.push(await dialog());

    const isAgenda = (c: string) => c.startsWith(`${AGENDA_COLLECTION}.`);
    const steps: StepCount[] = INTAKE.map((step, index) => {
      const windows = dialogs.map((d) => d.counts[index] ?? []);
      const perDialog: Record<string, number> = {};
      for (const command of windows.flat()) perDialog[command] = (perDialog[command] ?? 0) + 1;
      for (const key of Object.keys(perDialog)) perDialog[key] = round((perDialog[key] ?? 0) / windows.length, 2);
      return {
        step: step.name,
        roundTrips: median(windows.map((w) => w.filter((c) => !isAgenda(c)).length)),
        withAgenda: median(windows.map((w) => w.length)),
        perDialog,
      };
    });
    const all = dialogs.flatMap((d) => d.counts);
    const average = {
      roundTrips: round(all.reduce((sum, w) => sum + w.filter((c) => !isAgenda(c)).length, 0) / all.length, 2),
      withAgenda: round(all.reduce((sum, w) => sum + w.length, 0) / all.length, 2),
    };
    // the baseline counted the same way: its own client, one dialog after a warm-up one
    const baseDb = `${database}_base`;
    const baseline = await baselineSide(options.mongoUri, baseDb, { monitorCommands: true });
    let baseCommands = 0;
    let baseUpdates = 0;
    const baseSeen: Record<string, number> = {};
    try {
      await baseline.dialog();
      baseline.client.on('commandStarted', (event) => {
        baseCommands += 1;
        const key = `${collectionOf(event)}.${event.commandName}`;
        baseSeen[key] = (baseSeen[key] ?? 0) + 1;
      });
      baseUpdates = (await baseline.dialog()).latencies.length;
      baseline.client.removeAllListeners('commandStarted');
    } finally {
      await baseline.client.db(baseDb).dropDatabase().catch(() => undefined);
      await baseline.stop();
    }
    return {
      name: 'roundtrips',
      settings: {
        customers: options.customers,
        counted: `every command the desk's MongoClient started (driver command monitoring) from posting an update until the app is idle and no command is in flight; "roundTrips" leaves out Agenda's collection (${AGENDA_COLLECTION}), "withAgenda" counts it`,
        jobsEveryMs,
      },
      steps,
      average,
      baseline: { roundTrips: round(baseCommands / baseUpdates, 2), updates: baseUpdates, commands: baseSeen },
      completed: dialogs.filter((d) => d.ok).length,
      target: { atMost: 3, met: average.roundTrips <= 3 },
    };
  } finally {
    await desk.app.db.dropDatabase().catch(() => undefined);
    await desk.stop();
  }
}
