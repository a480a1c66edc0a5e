/**
 * A desk process for the "worker killed in the middle of a job" test: it runs the jobs on the
 * database given in MONGODB_URI with a short lock lifetime, and its Telegram sender announces
 * each send on stdout ("sending <chatId>") and then never finishes — the parent kills it there.
 */
import { startApp } from '../../src/main.js';
import { createLogger } from '../../src/log.js';

const hanging = {
  send(to: { chatId: string }): Promise<void> {
    process.stdout.write(`sending ${to.chatId}\n`);
    return new Promise<void>(() => undefined);
  },
};

await startApp({
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  log: createLogger('error', () => undefined),
  senders: { telegram: hanging },
  jobsEveryMs: 100,
  jobsLockLifetimeMs: 1_500,
  notifications: { sweepEvery: 200, graceMs: 0, leaseMs: 1_500 },
});
process.stdout.write('ready\n');
