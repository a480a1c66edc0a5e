import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { findOnPath, installLocalServer, requireTools } from './install.js';
import { LocalDbError } from './errors.js';
import { envValue } from './paths.js';

/** Which local server runs: a real `mongod` found on PATH, or the bundled mongo-java-server. */
export type LocalServerKind = 'mongod' | 'mongo-java-server';

/** A running local server. `stop()` shuts it down and waits for it to exit. */
export interface LocalServer {
  readonly kind: LocalServerKind;
  /** Stays the same across restarts by the supervisor (the same port is bound again). */
  readonly uri: string;
  /** The server process now (a restart gives a new one). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface StartLocalServerOptions {
  /** Folder that holds the data; created if missing. */
  readonly dataDir: string;
  /** Force a kind; by default `mongod` when it is on PATH, else mongo-java-server. */
  readonly kind?: LocalServerKind;
  /** Progress lines (install, start, recovery); never contains personal data. */
  readonly say?: (line: string) => void;
  /** Trouble: the server died, could not be restarted, or reported an error. Never contains document contents. Default: `say`. */
  readonly warn?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the server to accept connections. */
  readonly startTimeoutMs?: number;
  /**
   * Restart the server when its process dies (`npm start`): on the same port, with growing pauses
   * (0.5 s doubling to 30 s) while it fails, one line when it dies and one when it is back.
   */
  readonly supervise?: boolean;
}

export { findOnPath };

/** Picks the local server kind: an explicit choice, else `mongod` when it is on PATH. */
export async function chooseLocalServerKind(env: NodeJS.ProcessEnv = process.env): Promise<LocalServerKind> {
  const forced = envValue(env, 'CLAIMDESK_LOCAL_DB');
  if (forced === 'mongod' || forced === 'mongo-java-server') return forced;
  if (forced !== undefined) {
    throw new LocalDbError('LOCALDB_START_FAILED', `CLAIMDESK_LOCAL_DB: expected "mongod" or "mongo-java-server", got "${forced}"`);
  }
  return (await findOnPath('mongod', env)) ? 'mongod' : 'mongo-java-server';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPing(uri: string, deadline: number, child: ChildProcess): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.close();
    }
  }
  throw new LocalDbError('LOCALDB_START_FAILED', `the local database did not answer a ping at ${uri}`, { cause: lastError });
}

function stopper(child: ChildProcess, gentle: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    gentle();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

function tail(lines: string[], chunk: Buffer): void {
  lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  if (lines.length > 20) lines.splice(0, lines.length - 20);
}

/** One process of the server, ready for connections. */
interface Spawned {
  readonly child: ChildProcess;
  readonly port: number;
}

async function spawnMongod(options: StartLocalServerOptions, deadline: number, wantedPort: number): Promise<Spawned> {
  const binary = await findOnPath('mongod', options.env);
  if (!binary) throw new LocalDbError('LOCALDB_START_FAILED', 'mongod is not on PATH');
  const port = wantedPort || (await freePort());
  const dbPath = path.join(options.dataDir, 'mongod');
  await mkdir(dbPath, { recursive: true });
  const child = spawn(binary, ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => tail(errors, chunk));
  const uri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitForPing(uri, deadline, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new LocalDbError('LOCALDB_START_FAILED', `mongod did not start: ${errors.join(' | ') || 'no output'}`, { cause: error });
  }
  return { child, port };
}

/**
 * Why the launcher did not start, in one line: its own `localdb fatal:` line when it wrote one
 * (a damaged data file names the file and how to restore it), else its last lines of output.
 */
function launcherFailure(errors: readonly string[]): string {
  const fatal = errors.findLast((line) => line.startsWith('localdb fatal: '));
  if (fatal) return `local database: ${fatal.slice('localdb fatal: '.length)}`;
  return `mongo-java-server did not start: ${errors.join(' | ') || 'no output'}`;
}

/**
 * What the launcher writes on stderr, for the app's log: its own `localdb:` lines as they are,
 * mongo-java-server's warnings and errors by level and logger only (their text may quote
 * documents), stack frames not at all.
 */
export function launcherLogLine(line: string): { level: 'info' | 'warn'; text: string } | undefined {
  if (line.startsWith('localdb fatal: ')) return { level: 'warn', text: `local database: ${line.slice('localdb fatal: '.length)}` };
  if (line.startsWith('localdb: ')) return { level: 'info', text: `local database: ${line.slice('localdb: '.length)}` };
  const logged = /^\[[^\]]*\] (WARN|ERROR) ([\w.$]+)/.exec(line);
  if (logged) return { level: 'warn', text: `local database: ${logged[1] ?? ''} from ${logged[2]?.split('.').pop() ?? ''} (details withheld: they may quote documents)` };
  return undefined;
}

async function spawnJavaServer(options: StartLocalServerOptions, deadline: number, wantedPort: number): Promise<Spawned> {
  // installing needs java and mvn; an installed launcher still needs a java to run it (the same one line)
  const launcher = await installLocalServer(options.say, options.env);
  await requireTools(['java'], options.env ?? process.env);
  await mkdir(options.dataDir, { recursive: true });
  const heap = envValue(options.env ?? process.env, 'CLAIMDESK_LOCALDB_HEAP') ?? '1g';
  if (!/^\d+[kmg]$/i.test(heap)) {
    throw new LocalDbError('LOCALDB_START_FAILED', `CLAIMDESK_LOCALDB_HEAP: expected a JVM heap size such as 512m or 2g, got "${heap}"`);
  }
  const child = spawn(
    'java',
    [
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      launcher.classpath,
      launcher.mainClass,
      options.dataDir,
      String(wantedPort),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const errors: string[] = [];
  let ready = false;
  const warn = options.warn ?? options.say;
  child.stderr?.on('data', (chunk: Buffer) => {
    tail(errors, chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      const logged = launcherLogLine(line);
      // until it is ready, a trouble line is what the start's error will say
      if (logged?.level === 'info') options.say?.(logged.text);
      else if (logged && ready) warn?.(logged.text);
    }
  });

  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('timed out waiting for "ready"')), Math.max(0, deadline - Date.now()));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = /^ready (\d+)$/m.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${String(code)}`));
    });
  }).catch((cause: unknown) => {
    child.kill('SIGKILL');
    throw new LocalDbError('LOCALDB_START_FAILED', launcherFailure(errors), { cause });
  });

  await waitForPing(`mongodb://127.0.0.1:${port}/`, deadline, child);
  ready = true;
  return { child, port };
}

/**
 * Above this many claims the local mongo-java-server is not meant for a desk. The launcher's
 * indexes serve a customer's or an assignee's claims, the console's first page, totals and a
 * month's report (bench/README.md, part 5), but it holds every claim in memory (~640 MB of its
 * 1 GB heap at 50 000) and filters no index serves still read every claim.
 */
export const JAVA_SERVER_CLAIMS_LIMIT = 20_000;

/**
 * The warning to log at start-up when the local server holds more claims than it serves well,
 * else undefined. A real `mongod` uses its indexes and is never warned about.
 * @example localServerSizeWarning('mongo-java-server', 25_000) // 'the local mongo-java-server holds …'
 */
export function localServerSizeWarning(kind: LocalServerKind, claims: number): string | undefined {
  if (kind !== 'mongo-java-server' || claims <= JAVA_SERVER_CLAIMS_LIMIT) return undefined;
  return `the local mongo-java-server holds ${String(claims)} claims; above ${String(JAVA_SERVER_CLAIMS_LIMIT)} it holds them all in memory and searches no index serves read every claim: run the desk on MongoDB (set MONGODB_URI)`;
}

/**
 * Starts a local MongoDB-compatible server for `npm start` and the tests: a real `mongod` when
 * one is on PATH, else mongo-java-server (installed on first use into `.cache/localdb`).
 * @example
 * const server = await startLocalServer({ dataDir: '.data' });
 * const client = await MongoClient.connect(server.uri);
 * // …
 * await server.stop();
 */
export async function startLocalServer(options: StartLocalServerOptions): Promise<LocalServer> {
  const kind = options.kind ?? (await chooseLocalServerKind(options.env));
  const timeout = options.startTimeoutMs ?? 60_000;
  const spawnOnce = (port: number) => (kind === 'mongod' ? spawnMongod : spawnJavaServer)(options, Date.now() + timeout, port);
  let current = await spawnOnce(0);
  const uri = `mongodb://127.0.0.1:${current.port}/`;
  let stopping = false;
  const warn = options.warn ?? options.say ?? (() => undefined);

  const supervise = (spawned: Spawned): void => {
    spawned.child.once('exit', (code, signal) => {
      if (stopping) return;
      warn(`local database: the ${kind} process ended (${signal ? `signal ${signal}` : `exit code ${String(code)}`}); restarting it`);
      void restart(Date.now());
    });
  };
  const restart = async (diedAt: number): Promise<void> => {
    for (let pause = 500; !stopping; pause = Math.min(pause * 2, 30_000)) {
      try {
        current = await spawnOnce(current.port);
        if (stopping) {
          await stopProcess(current);
          return;
        }
        supervise(current);
        options.say?.(`local database: back after ${((Date.now() - diedAt) / 1000).toFixed(1)} s`);
        return;
      } catch (error) {
        warn(`${error instanceof Error ? error.message : 'the local database did not start'}; trying again in ${String(pause / 1000)} s`);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  };
  // mongod stops on SIGTERM; the launcher when its stdin closes (the safety net if we die, too)
  const stopProcess = (spawned: Spawned) => stopper(spawned.child, () => (kind === 'mongod' ? spawned.child.kill('SIGTERM') : spawned.child.stdin?.end()))();
  if (options.supervise) supervise(current);

  return {
    kind,
    uri,
    get pid() {
      return current.child.pid;
    },
    async stop() {
      stopping = true;
      await stopProcess(current);
    },
  };
}
