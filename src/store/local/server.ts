import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir, access, constants } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { installLocalServer } from './install.js';
import { LocalDbError } from './errors.js';
import { envValue } from './paths.js';

/** Which local server runs: a real `mongod` found on PATH, or the bundled mongo-java-server. */
export type LocalServerKind = 'mongod' | 'mongo-java-server';

/** A running local server. `stop()` shuts it down and waits for it to exit. */
export interface LocalServer {
  readonly kind: LocalServerKind;
  readonly uri: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface StartLocalServerOptions {
  /** Folder that holds the data; created if missing. */
  readonly dataDir: string;
  /** Force a kind; by default `mongod` when it is on PATH, else mongo-java-server. */
  readonly kind?: LocalServerKind;
  /** Progress lines (install, start); never contains personal data. */
  readonly say?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the server to accept connections. */
  readonly startTimeoutMs?: number;
}

/** Finds an executable on PATH, or undefined. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry: look in the next one
    }
  }
  return undefined;
}

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

async function startMongod(options: StartLocalServerOptions, deadline: number): Promise<LocalServer> {
  const binary = await findOnPath('mongod', options.env);
  if (!binary) throw new LocalDbError('LOCALDB_START_FAILED', 'mongod is not on PATH');
  const port = await freePort();
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
  return { kind: 'mongod', uri, pid: child.pid, stop: stopper(child, () => child.kill('SIGTERM')) };
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

async function startJavaServer(options: StartLocalServerOptions, deadline: number): Promise<LocalServer> {
  const launcher = await installLocalServer(options.say, options.env);
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
      '0',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => tail(errors, chunk));

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

  const uri = `mongodb://127.0.0.1:${port}/`;
  await waitForPing(uri, deadline, child);
  // the launcher exits when its stdin closes: that is the graceful stop, and the safety net if we die
  return { kind: 'mongo-java-server', uri, pid: child.pid, stop: stopper(child, () => child.stdin?.end()) };
}

/**
 * Above this many claims the local mongo-java-server is too slow for a desk. The launcher's
 * indexes serve a customer's or an assignee's claims, but the console's lists and totals,
 * reports and Agenda's search for due jobs still read every document (the console's list takes
 * ~12 s at 50 000; bench/README.md, part 5).
 */
export const JAVA_SERVER_CLAIMS_LIMIT = 20_000;

/**
 * The warning to log at start-up when the local server holds more claims than it serves well,
 * else undefined. A real `mongod` uses its indexes and is never warned about.
 * @example localServerSizeWarning('mongo-java-server', 25_000) // 'the local mongo-java-server holds …'
 */
export function localServerSizeWarning(kind: LocalServerKind, claims: number): string | undefined {
  if (kind !== 'mongo-java-server' || claims <= JAVA_SERVER_CLAIMS_LIMIT) return undefined;
  return `the local mongo-java-server holds ${String(claims)} claims; above ${String(JAVA_SERVER_CLAIMS_LIMIT)} the console's lists, reports and job searches read every claim and slow down: run the desk on MongoDB (set MONGODB_URI)`;
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
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  return kind === 'mongod' ? startMongod(options, deadline) : startJavaServer(options, deadline);
}
