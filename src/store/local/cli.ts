/**
 * `npm run db:install` installs the local database; `npm run db:start` runs it in the foreground
 * (data in .data/, or CLAIMDESK_DATA_DIR) and prints its URI, for tools such as mongosh.
 */
import { installLocalServer } from './install.js';
import { startLocalServer } from './server.js';
import { dataDir } from './paths.js';
import { LocalDbError } from './errors.js';

const say = (line: string): void => console.log(line);

async function main(command: string | undefined): Promise<void> {
  if (command === 'install') {
    await installLocalServer(say);
    return;
  }
  if (command === 'start') {
    const server = await startLocalServer({ dataDir: dataDir(), say });
    say(`local database: ${server.kind} at ${server.uri} (Ctrl+C stops it)`);
    const stop = (): void => {
      void server.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }
  console.error('usage: tsx src/store/local/cli.ts install|start');
  process.exitCode = 2;
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof LocalDbError ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
