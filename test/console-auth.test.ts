import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleAuth, hashPassword, verifyPassword } from '../src/console-auth.js';
import { ConsoleSessionStore } from '../src/store/console-sessions.js';
import { DeskConfig } from '../src/domain/desk.js';
import { openTestDatabase, type TestDatabase } from './support/db.js';
import { exampleDesk } from './support/fixtures.js';

describe('console passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain-text')).toBe(false);
  });

  it('refuses a plain password in the desk config, naming the field', async () => {
    const desk = await exampleDesk();
    const raw = { ...desk, staff: [{ id: 'olga', name: 'Olga', roles: ['operator'], console: { passwordHash: 'hunter2hunter2' } }] };
    const parsed = DeskConfig.safeParse(raw);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['staff', 0, 'console', 'passwordHash']);
    expect(parsed.error?.issues[0]?.message).toMatch(/npm run console:password/);
  });
});

describe('console sessions', () => {
  let t: TestDatabase;
  let clock: Date;
  let desk: DeskConfig;
  let auth: ConsoleAuth;
  let store: ConsoleSessionStore;

  beforeAll(async () => {
    t = await openTestDatabase('consoleauth');
    desk = await exampleDesk();
    clock = new Date('2026-11-23T09:00:00Z');
    store = new ConsoleSessionStore(t.db);
    auth = new ConsoleAuth(desk, store, { sessionHours: 12, idleMinutes: 120, now: () => clock });
  });
  afterAll(() => t.close());

  const OFFICE = '192.0.2.200';
  const advance = (minutes: number) => {
    clock = new Date(clock.getTime() + minutes * 60_000);
  };

  it('keeps only the token\'s hash', async () => {
    const signedIn = await auth.signIn('olga', 'claimdesk-demo', OFFICE);
    if (!signedIn.ok) throw new Error('not signed in');
    const docs = await t.db.collection('console_sessions').find({}).toArray();
    expect(JSON.stringify(docs)).not.toContain(signedIn.token);
    expect((await auth.session(signedIn.token))?.member.id).toBe('olga');
  });

  it('ends a session after two idle hours, and moves the idle end while it is used', async () => {
    const signedIn = await auth.signIn('ivan', 'claimdesk-demo', OFFICE);
    if (!signedIn.ok) throw new Error('not signed in');
    advance(110);
    expect(await auth.session(signedIn.token)).toBeDefined();
    advance(110); // 220 min after sign-in, 110 after the last use
    expect(await auth.session(signedIn.token)).toBeDefined();
    advance(121);
    expect(await auth.session(signedIn.token)).toBeUndefined();
  });

  it('ends a session twelve hours after sign-in however busy', async () => {
    const signedIn = await auth.signIn('maria', 'claimdesk-demo', OFFICE);
    if (!signedIn.ok) throw new Error('not signed in');
    for (let hour = 0; hour < 11; hour++) {
      advance(60);
      expect(await auth.session(signedIn.token)).toBeDefined();
    }
    advance(61);
    expect(await auth.session(signedIn.token)).toBeUndefined();
  });

  it('ends the session of a member taken off the desk config or their console password', async () => {
    const signedIn = await auth.signIn('sergey', 'claimdesk-demo', OFFICE);
    if (!signedIn.ok) throw new Error('not signed in');
    const without = { ...desk, staff: desk.staff.filter((member) => member.id !== 'sergey') };
    expect(await new ConsoleAuth(without, store, { now: () => clock }).session(signedIn.token)).toBeUndefined();
    const again = await auth.signIn('sergey', 'claimdesk-demo', OFFICE);
    if (!again.ok) throw new Error('not signed in');
    const noPassword = { ...desk, staff: desk.staff.map((member) => (member.id === 'sergey' ? { ...member, console: undefined } : member)) };
    expect(await new ConsoleAuth(noPassword, store, { now: () => clock }).session(again.token)).toBeUndefined();
  });

  it('checks at most five passwords of a burst of parallel guesses, from one address or from many; the rest must wait', async () => {
    const oneAddress = await Promise.all(Array.from({ length: 12 }, (_, i) => auth.signIn('ivan', `parallel-guess-${i}`, '203.0.113.9')));
    expect(oneAddress.filter((result) => !result.ok && result.reason === 'invalid')).toHaveLength(5);
    expect(oneAddress.filter((result) => !result.ok && result.reason === 'throttled')).toHaveLength(7);
    advance(16);
    // a botnet: every guess from another address; the login's own throttle holds
    const manyAddresses = await Promise.all(Array.from({ length: 12 }, (_, i) => auth.signIn('ivan', `parallel-guess-${i}`, `198.51.100.${String(i)}`)));
    expect(manyAddresses.filter((result) => !result.ok && result.reason === 'invalid')).toHaveLength(5);
    expect(manyAddresses.filter((result) => !result.ok && result.reason === 'throttled')).toHaveLength(7);
    advance(16);
  });

  it('makes a guesser wait longer and longer, while the owner is never locked out for more than a minute', async () => {
    const attacker = '203.0.113.66';
    const wait = (result: Awaited<ReturnType<ConsoleAuth['signIn']>>) => (!result.ok && result.reason === 'throttled' ? result.retryAfterSeconds : 0);
    for (let i = 0; i < 5; i++) expect(await auth.signIn('olga', `wrong-${i}`, attacker)).toEqual({ ok: false, reason: 'invalid', staffId: 'olga' });
    // the attacker's waits grow: 2 s, 4 s, 8 s, … up to 15 minutes from their address
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const refused = await auth.signIn('olga', `wrong-again-${i}`, attacker);
      waits.push(wait(refused));
      clock = new Date(clock.getTime() + wait(refused) * 1000);
      expect(await auth.signIn('olga', `wrong-again-${i}`, attacker)).toMatchObject({ ok: false, reason: 'invalid' });
    }
    expect(waits.slice(0, 5)).toEqual([2, 4, 8, 16, 32]);
    expect(waits.at(-1)).toBe(900);
    // Olga from her own address: the login's wait is at most a minute, then she is in
    const owner = await auth.signIn('olga', 'claimdesk-demo', OFFICE);
    expect(wait(owner)).toBeGreaterThan(0);
    expect(wait(owner)).toBeLessThanOrEqual(60);
    clock = new Date(clock.getTime() + wait(owner) * 1000);
    expect((await auth.signIn('olga', 'claimdesk-demo', OFFICE)).ok).toBe(true);
    // the attacker's address still waits; forgotten a quarter of an hour after its last wait
    expect(wait(await auth.signIn('olga', 'wrong-later', attacker))).toBeGreaterThan(60);
    advance(31);
    expect(await auth.signIn('olga', 'wrong-later', attacker)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses the example password on a deployed desk, and only that password', async () => {
    const deployed = new ConsoleAuth(desk, store, { now: () => clock, refuseExamplePassword: true });
    expect(await deployed.signIn('maria', 'claimdesk-demo', OFFICE)).toEqual({ ok: false, reason: 'invalid', staffId: 'maria' });
    const own = await hashPassword('a passphrase of her own');
    const withOwn = { ...desk, staff: desk.staff.map((member) => (member.id === 'maria' ? { ...member, console: { passwordHash: own } } : member)) };
    expect((await new ConsoleAuth(withOwn, store, { now: () => clock, refuseExamplePassword: true }).signIn('maria', 'a passphrase of her own', OFFICE)).ok).toBe(true);
  });

  it('housekeeping deletes ended sessions and forgotten sign-in records', async () => {
    for (let i = 0; i < 3; i++) expect(await auth.signIn(`nobody-${String(i)}`, 'a guess', `192.0.2.${String(i)}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(await t.db.collection('console_logins').countDocuments()).toBeGreaterThanOrEqual(6);
    advance(13 * 60);
    expect(await auth.pruneSessions()).toBeGreaterThan(6);
    expect(await t.db.collection('console_sessions').countDocuments()).toBe(0);
    expect(await t.db.collection('console_logins').countDocuments()).toBe(0);
  });
});
