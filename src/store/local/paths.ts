import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** An environment value, or undefined when it is unset or blank (as `.env` files often leave them). */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** The repository root (three levels above this file: src/store/local). */
export const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm run db:install` puts the local server (gitignored). Override with CLAIMDESK_CACHE_DIR. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(envValue(env, 'CLAIMDESK_CACHE_DIR') ?? path.join(projectRoot, '.cache'));
}

/** Where `npm start` keeps the local database between runs (gitignored). Override with CLAIMDESK_DATA_DIR. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(envValue(env, 'CLAIMDESK_DATA_DIR') ?? path.join(projectRoot, '.data'));
}

/** The launcher's sources, kept in the repository. */
export const launcherSourceDir = fileURLToPath(new URL('./java/', import.meta.url));
