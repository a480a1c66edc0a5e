import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readFile, readdir, rm, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir, launcherSourceDir } from './paths.js';
import { LocalDbError } from './errors.js';

const run = promisify(execFile);

/** The installed launcher: a classpath and the main class to run. */
export interface InstalledLauncher {
  readonly classpath: string;
  readonly mainClass: 'LocalMongo';
}

function launcherHome(env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), 'localdb');
}

/** The launcher's Java sources (every `.java` file beside its pom.xml). */
async function javaSources(): Promise<string[]> {
  return (await readdir(launcherSourceDir)).filter((file) => file.endsWith('.java')).sort().map((file) => path.join(launcherSourceDir, file));
}

async function sourceStamp(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [path.join(launcherSourceDir, 'pom.xml'), ...(await javaSources())]) {
    hash.update(path.basename(file));
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
    classpath: [path.join(home, 'classes'), path.join(home, 'lib', '*')].join(path.delimiter),
    mainClass: 'LocalMongo',
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
 * Installs the local server: resolves mongo-java-server from Maven Central with `mvn` and
 * compiles the launcher with `javac`, into `.cache/localdb`. Does nothing when already current.
 * @example await installLocalServer((line) => console.log(line));
 */
export async function installLocalServer(
  say: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstalledLauncher> {
  const current = await findInstalledLauncher(env);
  if (current) return current;

  const home = launcherHome(env);
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });

  say('local database: resolving mongo-java-server from Maven Central (mvn)');
  try {
    await run(
      'mvn',
      ['-q', '-B', '-f', path.join(launcherSourceDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(home, 'lib')}`],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (cause) {
    throw new LocalDbError('LOCALDB_INSTALL_FAILED', 'could not resolve mongo-java-server with mvn (is Maven installed and Maven Central reachable?)', { cause });
  }

  say('local database: compiling the launcher (javac)');
  try {
    await run('javac', ['-nowarn', '-cp', path.join(home, 'lib', '*'), '-d', path.join(home, 'classes'), ...(await javaSources())]);
  } catch (cause) {
    throw new LocalDbError('LOCALDB_INSTALL_FAILED', 'could not compile the local database launcher with javac (is a JDK 17+ installed?)', { cause });
  }

  await writeFile(path.join(home, 'stamp'), `${await sourceStamp()}\n`);
  say(`local database: installed in ${home}`);
  return launcherFor(home);
}
