import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { DeskConfig, StaffMember } from './domain/desk.js';
import { staffById } from './domain/staff.js';
import type { ConsoleSessionStore } from './store/console-sessions.js';
import type { Logger } from './log.js';

const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * A console password hash for the desk config: `scrypt$N$r$p$salt$key` (base64url), a new salt
 * every time. `npm run console:password` prints one.
 * @example staff: [{ id: olga, console: { passwordHash: await hashPassword('a long passphrase') } }]
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether a password matches a hash made by `hashPassword` (constant-time comparison). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What a sign-in attempt got. `staffId` names the member tried, when the login is one (for the log). */
export type SignInResult =
  | { readonly ok: true; readonly token: string; readonly member: StaffMember; readonly expiresAt: Date }
  | { readonly ok: false; readonly reason: 'invalid'; readonly staffId?: string }
  | { readonly ok: false; readonly reason: 'throttled'; readonly by: 'login' | 'address'; readonly retryAfterSeconds: number; readonly staffId?: string };

export interface ConsoleAuthOptions {
  /** Hours a session lasts at most (default 12: one working day). */
  readonly sessionHours?: number;
  /** Minutes without a request after which a session ends (default 120). */
  readonly idleMinutes?: number;
  /** Sign-in checks per login and per address that need no wait (default 5). */
  readonly freeChecks?: number;
  /** The longest wait between checks of one login, in seconds (default 60): its owner is never locked out for long. */
  readonly maxLoginDelaySeconds?: number;
  /** The longest wait between checks from one address, in seconds (default 900). */
  readonly maxAddressDelaySeconds?: number;
  /** Minutes without an attempt after which a login's or an address's failures are forgotten (default 15). */
  readonly forgetMinutes?: number;
  readonly now?: () => Date;
  /** Refuse the example configuration's password (a deployed desk: PUBLIC_URL is set). */
  readonly refuseExamplePassword?: boolean;
}

/** The example configuration's console password (README); a deployed desk refuses it. */
export const EXAMPLE_CONSOLE_PASSWORD = 'claimdesk-demo';

/** Checked hashes, so a process checks each once (the example password is checked at start and on sign-in). */
const exampleChecks = new Map<string, Promise<boolean>>();

/** Whether a console password hash is of the example password. */
export function isExamplePassword(hash: string): Promise<boolean> {
  const known = exampleChecks.get(hash);
  if (known) return known;
  const check = verifyPassword(EXAMPLE_CONSOLE_PASSWORD, hash);
  exampleChecks.set(hash, check);
  return check;
}

/** A hash no password matches, checked for unknown logins so they take as long as known ones. */
const NO_ONE = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Sign-in to the web console for staff listed in the desk config with a password hash. Sessions
 * are random 256-bit tokens, kept in the database only as their SHA-256 hash (a deployed desk
 * refuses the example configuration's password); a session ends
 * after `sessionHours`, after `idleMinutes` without use, on sign-out, or as soon as the member
 * leaves the desk config or loses their console password. Failed sign-ins are throttled per login
 * and per client address (across instances) with growing waits: the first few checks are free,
 * then each needs a wait twice the last (a login's up to a minute, so its owner is never locked out
 * for long; an address's up to 15 minutes). Unknown logins are answered and timed the same.
 * @example
 * const result = await auth.signIn('olga', password, '203.0.113.7');
 * if (result.ok) setCookie(result.token);
 * const session = await auth.session(tokenFromCookie); // { member, expiresAt } or undefined
 */
export class ConsoleAuth {
  private readonly sessionMs: number;
  private readonly idleMs: number;
  private readonly freeChecks: number;
  private readonly maxLoginDelayMs: number;
  private readonly maxAddressDelayMs: number;
  private readonly forgetMs: number;
  private readonly now: () => Date;
  private readonly refuseExamplePassword: boolean;

  constructor(
    private readonly desk: DeskConfig,
    private readonly store: ConsoleSessionStore,
    options: ConsoleAuthOptions = {},
  ) {
    this.sessionMs = (options.sessionHours ?? 12) * 3_600_000;
    this.idleMs = (options.idleMinutes ?? 120) * 60_000;
    this.freeChecks = options.freeChecks ?? 5;
    this.maxLoginDelayMs = (options.maxLoginDelaySeconds ?? 60) * 1000;
    this.maxAddressDelayMs = (options.maxAddressDelaySeconds ?? 900) * 1000;
    this.forgetMs = (options.forgetMinutes ?? 15) * 60_000;
    this.now = options.now ?? (() => new Date());
    this.refuseExamplePassword = options.refuseExamplePassword ?? false;
  }

  /** Whether any staff member can sign in (has a console password). */
  get enabled(): boolean {
    return this.desk.staff.some((member) => member.console !== undefined);
  }

  /** Checks a login and password from a client address (throttled per login and per address). */
  async signIn(login: string, password: string, address: string): Promise<SignInResult> {
    const id = login.trim().toLowerCase();
    const member = staffById(this.desk, id);
    const known = member ? { staffId: member.id } : {};
    const keys = { address: sha256(`address:${address}`), login: sha256(`login:${id}`) };
    const now = this.now();
    // the check is reserved before the password is checked, so parallel guesses cannot slip past the waits
    for (const by of ['address', 'login'] as const) {
      const reserved = await this.store.reserveCheck(keys[by], now, (checks) => this.delayAfter(checks, by), this.forgetMs);
      if (!reserved.ok) return { ok: false, reason: 'throttled', by, retryAfterSeconds: Math.max(1, Math.ceil((reserved.until.getTime() - now.getTime()) / 1000)), ...known };
    }
    const hash = member?.console?.passwordHash;
    const matches = await verifyPassword(password, hash ?? NO_ONE);
    if (!member || !hash || !matches || (this.refuseExamplePassword && (await isExamplePassword(hash)))) return { ok: false, reason: 'invalid', ...known };
    await this.store.clearChecks([keys.login, keys.address]);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.sessionMs);
    await this.store.create({ tokenHash: sha256(token), staffId: member.id, createdAt: now, expiresAt, idleUntil: new Date(Math.min(now.getTime() + this.idleMs, expiresAt.getTime())) });
    return { ok: true, token, member, expiresAt };
  }

  /** The wait before the next check after `checks` of them: none for the first few, then 2 s, 4 s, 8 s… up to the cap. */
  private delayAfter(checks: number, by: 'login' | 'address'): number {
    if (checks < this.freeChecks) return 0;
    const cap = by === 'login' ? this.maxLoginDelayMs : this.maxAddressDelayMs;
    return Math.min(cap, 2_000 * 2 ** Math.min(checks - this.freeChecks, 20));
  }

  /** The member behind a session token, or undefined (unknown, forged, ended, or no longer on the staff). */
  async session(token: string): Promise<{ readonly member: StaffMember; readonly expiresAt: Date } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const tokenHash = sha256(token);
    const session = await this.store.find(tokenHash);
    if (!session) return undefined;
    const now = this.now();
    const member = staffById(this.desk, session.staffId);
    if (session.expiresAt <= now || session.idleUntil <= now || !member?.console) {
      await this.store.delete(tokenHash);
      return undefined;
    }
    // move the idle end forward at most once a minute: one write per minute of use, not per request
    const idleUntil = new Date(Math.min(now.getTime() + this.idleMs, session.expiresAt.getTime()));
    if (idleUntil.getTime() - session.idleUntil.getTime() >= 60_000) await this.store.touch(tokenHash, idleUntil);
    return { member, expiresAt: session.expiresAt };
  }

  async signOut(token: string): Promise<void> {
    await this.store.delete(sha256(token));
  }

  /** Deletes ended sessions and forgotten sign-in throttle records (housekeeping); returns how many. */
  async pruneSessions(): Promise<number> {
    const now = this.now();
    return (await this.store.deleteEnded(now)) + (await this.store.deleteExpiredChecks(now));
  }
}

/** Logs the console's state at start-up, and who still signs in with the example password and what follows. */
export function logConsole(log: Logger, enabled: boolean, exampleStaff: readonly string[], url: string, env: { readonly HOST?: string | undefined; readonly PUBLIC_URL?: string | undefined }): void {
  if (!enabled) {
    log.info('console', 'staff console: nobody can sign in (no staff member has console.passwordHash in the desk config)');
    return;
  }
  log.info('console', 'staff console', { url: `${url}/console` });
  if (exampleStaff.length === 0) return;
  const listening = env.HOST ? '' : '; until then the desk listens on 127.0.0.1 only (set HOST=0.0.0.0 to listen on every interface anyway)';
  const set = 'give each their own: npm run console:password, then put the hash in staff[].console.passwordHash of the desk config';
  log.warn('console', `${env.PUBLIC_URL ? 'staff with the example password cannot sign in (PUBLIC_URL is set)' : 'staff sign in with the published example password'}; ${set}${listening}`, { staff: exampleStaff.join(', ') });
}

/** The staff members whose console password is still the published example one. */
export async function staffWithExamplePassword(desk: DeskConfig): Promise<string[]> {
  const found: string[] = [];
  for (const member of desk.staff) {
    if (member.console && (await isExamplePassword(member.console.passwordHash))) found.push(member.id);
  }
  return found;
}
