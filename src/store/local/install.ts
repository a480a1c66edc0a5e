import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readFile, readdir, rm, writeFile, access, constants } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir, launcherSourceDir } from './paths.js';
import { LocalDbError } from './errors.js';

const run = promisify(execFile);

/** The installed launcher: a classpath and the main class to run. */
export interface InstalledLauncher {
  readonly classpath: string;
  readonly mainClass: typeof LAUNCHER_MAIN_CLASS;
}

/** The launcher's entry point (src/store/local/java/src/main/java/dev/claimdesk/localdb/LocalMongo.java). */
export const LAUNCHER_MAIN_CLASS = 'dev.claimdesk.localdb.LocalMongo';
/** The jar `mvn package` builds (the pom's finalName). */
const LAUNCHER_JAR = 'claimdesk-localdb.jar';

/**
 * The one line `npm start` stops with when the local server cannot be built or run for want of a
 * tool: what is missing, then the three ways forward.
 * @example missingToolsLine(['java', 'mvn']) // 'local database: no java and no mvn on PATH; install a JDK 17+ and Maven, …'
 */
export function missingToolsLine(missing: readonly string[]): string {
  return `local database: ${missing.map((tool) => `no ${tool}`).join(' and ')} on PATH; ${WAYS_FORWARD}`;
}

/** The three ways to get a database, for every message that ends in "no local database". */
export const WAYS_FORWARD = 'install a JDK 17+ and Maven, or set MONGODB_URI to your MongoDB, or run `docker compose up` (README, "Two commands")';

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

/**
 * Throws the one-line LOCALDB_TOOLS_MISSING error when any of `tools` is not on PATH: the PATH of
 * `env` when it has one (the app passes its configuration source, which may not), else the process's.
 */
export async function requireTools(tools: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const lookup = env.PATH !== undefined ? env : process.env;
  const missing: string[] = [];
  for (const tool of tools) if (!(await findOnPath(tool, lookup))) missing.push(tool);
  if (missing.length > 0) throw new LocalDbError('LOCALDB_TOOLS_MISSING', missingToolsLine(missing));
}

function launcherHome(env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), 'localdb');
}

/** What the installed launcher is built from: the pom and every file under src/main (not the tests). */
async function launcherSources(): Promise<string[]> {
  const main = path.join(launcherSourceDir, 'src', 'main');
  const files = (await readdir(main, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  return [path.join(launcherSourceDir, 'pom.xml'), ...files];
}

/** A hash of the sources: a changed source (or pom) means the installed launcher is out of date. */
async function sourceStamp(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await launcherSources()) {
    hash.update(path.relative(launcherSourceDir, file));
    hash.update('\u0000');
    hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    // access() rejects exactly when the file is not there (or not readable): both mean "no"
    return false;
  }
}

function launcherFor(home: string): InstalledLauncher {
  return {
    classpath: [path.join(home, 'build', LAUNCHER_JAR), path.join(home, 'lib', '*')].join(path.delimiter),
    mainClass: LAUNCHER_MAIN_CLASS,
  };
}

/**
 * Returns the installed launcher when it is up to date with the sources, else undefined.
 * @example const launcher = await findInstalledLauncher();
 */
export async function findInstalledLauncher(env: NodeJS.ProcessEnv = process.env): Promise<InstalledLauncher | undefined> {
  const home = launcherHome(env);
  const stampFile = path.join(home, 'stamp');
  if (!(await exists(stampFile))) return undefined;
  const stamp = (await readFile(stampFile, 'utf8')).trim();
  return stamp === (await sourceStamp()) ? launcherFor(home) : undefined;
}

/**
 * Installs the local server into `.cache/localdb`: builds the launcher's Maven module
 * (src/store/local/java) with `mvn package` (tests skipped: `mvn verify` there runs them) into
 * `build/`, and copies its runtime dependencies (mongo-java-server, H2, netty) from Maven Central
 * into `lib/`. Does nothing when the stamp matches the sources; a changed source reinstalls.
 * Without `java` or `mvn` on PATH it stops with one line naming the ways forward.
 * @example await installLocalServer((line) => console.log(line));
 */
export async function installLocalServer(
  say: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstalledLauncher> {
  const current = await findInstalledLauncher(env);
  if (current) return current;
  await requireTools(['java', 'mvn'], env);

  const home = launcherHome(env);
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });

  say('local database: building the launcher and resolving mongo-java-server from Maven Central (mvn)');
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        path.join(launcherSourceDir, 'pom.xml'),
        `-Dlocaldb.buildDir=${path.join(home, 'build')}`,
        '-Dmaven.test.skip=true',
        'package',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${path.join(home, 'lib')}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (cause) {
    throw new LocalDbError('LOCALDB_INSTALL_FAILED', `local database: could not build the launcher with mvn (needs a JDK 17+ and Maven Central); ${WAYS_FORWARD}`, { cause });
  }

  await writeFile(path.join(home, 'stamp'), `${await sourceStamp()}\n`);
  say(`local database: installed in ${home}`);
  return launcherFor(home);
}
