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

  const advance = (minutes: number) => {
    clock = new Date(clock.getTime() + minutes * 60_000);
  };

  it('keeps only the token\'s hash', async () => {
    const signedIn = await auth.signIn('olga', 'claimdesk-demo');
    if (!signedIn.ok) throw new Error('not signed in');
    const docs = await t.db.collection('console_sessions').find({}).toArray();
    expect(JSON.stringify(docs)).not.toContain(signedIn.token);
    expect((await auth.session(signedIn.token))?.member.id).toBe('olga');
  });

  it('ends a session after two idle hours, and moves the idle end while it is used', async () => {
    const signedIn = await auth.signIn('ivan', 'claimdesk-demo');
    if (!signedIn.ok) throw new Error('not signed in');
    advance(110);
    expect(await auth.session(signedIn.token)).toBeDefined();
    advance(110); // 220 min after sign-in, 110 after the last use
    expect(await auth.session(signedIn.token)).toBeDefined();
    advance(121);
    expect(await auth.session(signedIn.token)).toBeUndefined();
  });

  it('ends a session twelve hours after sign-in however busy', async () => {
    const signedIn = await auth.signIn('maria', 'claimdesk-demo');
    if (!signedIn.ok) throw new Error('not signed in');
    for (let hour = 0; hour < 11; hour++) {
      advance(60);
      expect(await auth.session(signedIn.token)).toBeDefined();
    }
    advance(61);
    expect(await auth.session(signedIn.token)).toBeUndefined();
  });

  it('ends the session of a member taken off the desk config or their console password', async () => {
    const signedIn = await auth.signIn('sergey', 'claimdesk-demo');
    if (!signedIn.ok) throw new Error('not signed in');
    const without = { ...desk, staff: desk.staff.filter((member) => member.id !== 'sergey') };
    expect(await new ConsoleAuth(without, store, { now: () => clock }).session(signedIn.token)).toBeUndefined();
    const again = await auth.signIn('sergey', 'claimdesk-demo');
    if (!again.ok) throw new Error('not signed in');
    const noPassword = { ...desk, staff: desk.staff.map((member) => (member.id === 'sergey' ? { ...member, console: undefined } : member)) };
    expect(await new ConsoleAuth(noPassword, store, { now: () => clock }).session(again.token)).toBeUndefined();
  });

  it('checks at most five passwords of a burst of parallel guesses; the rest are locked out', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => auth.signIn('ivan', `parallel-guess-${i}`)));
    expect(results.filter((result) => !result.ok && result.reason === 'invalid')).toHaveLength(5);
    expect(results.filter((result) => !result.ok && result.reason === 'locked')).toHaveLength(7);
    advance(16);
  });

  it('refuses the example password on a deployed desk, and only that password', async () => {
    const deployed = new ConsoleAuth(desk, store, { now: () => clock, refuseExamplePassword: true });
    expect(await deployed.signIn('maria', 'claimdesk-demo')).toEqual({ ok: false, reason: 'invalid' });
    const own = await hashPassword('a passphrase of her own');
    const withOwn = { ...desk, staff: desk.staff.map((member) => (member.id === 'maria' ? { ...member, console: { passwordHash: own } } : member)) };
    expect((await new ConsoleAuth(withOwn, store, { now: () => clock, refuseExamplePassword: true }).signIn('maria', 'a passphrase of her own')).ok).toBe(true);
  });

  it('unlocks a login after the lock time, and housekeeping deletes ended sessions', async () => {
    for (let i = 0; i < 5; i++) expect(await auth.signIn('olga', 'wrong-password-1')).toEqual({ ok: false, reason: 'invalid' });
    expect(await auth.signIn('olga', 'claimdesk-demo')).toMatchObject({ ok: false, reason: 'locked' });
    advance(16);
    expect((await auth.signIn('olga', 'claimdesk-demo')).ok).toBe(true);
    advance(13 * 60);
    expect(await auth.pruneSessions()).toBeGreaterThan(0);
    expect(await t.db.collection('console_sessions').countDocuments()).toBe(0);
  });
});
