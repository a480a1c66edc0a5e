import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalServer, type LocalServer } from '../../src/store/local/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: string;
  }
}

/**
 * Starts one MongoDB-compatible server for the whole run (or uses MONGODB_URI when set) and
 * hands its URI to every test file through `inject('mongoUri')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external) {
    project.provide('mongoUri', external);
    project.provide('mongoKind', 'external');
    return async () => {};
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-test-db-'));
  let server: LocalServer | undefined;
  try {
    server = await startLocalServer({ dataDir: dir, say: (line) => console.log(line) });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  project.provide('mongoUri', server.uri);
  project.provide('mongoKind', server.kind);
  const running = server;
  return async () => {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
