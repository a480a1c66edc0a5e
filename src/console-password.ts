import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword } from './console-auth.js';

/** The shortest console password accepted: a passphrase, not a PIN. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * `npm run console:password`: reads a password from standard input (typed without echo at a
 * terminal, or piped) and prints its hash for a staff member's `console.passwordHash` in the desk
 * config. The password itself is never stored or printed.
 */
async function main(): Promise<void> {
  const tty = process.stdin.isTTY;
  if (tty) process.stderr.write('Console password (not shown): ');
  // at a terminal readline takes the keys itself and echoes them to `output`: a muted one hides them
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: tty });
  const password = await new Promise<string>((resolve) => {
    let got = false;
    rl.once('line', (line) => {
      got = true;
      resolve(line);
      rl.close();
    });
    rl.once('close', () => {
      if (!got) resolve('');
    });
  });
  if (tty) process.stderr.write('\n');
  if (password.length < MIN_PASSWORD_LENGTH) {
    process.stderr.write(`console:password: expected a password of at least ${MIN_PASSWORD_LENGTH} characters\n`);
    process.exit(1);
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
}

await main();
