import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk } from '../support/fixtures.js';
import { TestClock } from '../support/chat.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry, deskClaims } from '../../src/registry.js';
import { CustomerNotifier } from '../../src/jobs/customer-notification.js';
import { CollectingChannel } from '../support/chat.js';
import { Leases } from '../../src/store/leases.js';
import type { DeskConfig } from '../../src/domain/desk.js';

const HOUR = 3_600_000;
const staff = { kind: 'staff', staffId: 'ivan' } as const;

/** Claim rules that play out over days, on a controllable clock and a real database. */
describe('over time', () => {
  let t: TestDatabase;
  let desk: DeskConfig;
  const clock = new TestClock();
  let registry: ClaimRegistry;
  let repository: ClaimRepository;

  beforeAll(async () => {
    t = await openTestDatabase('clock');
    await ensureIndexes(t.db);
    desk = await exampleDesk();
    repository = new ClaimRepository(t.db, { now: clock.now });
    registry = new ClaimRegistry(desk, repository, clock.now);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a claim reopened after its resolution deadline passed is escalated: the SLA checks look at it again', async () => {
    const { claim } = await registry.submit(draft({ customer: { channel: 'telegram', userId: 'c1' }, conversation: { channel: 'telegram', chatId: 'c1' } }), 'clock-1');
    await registry.apply(claim.id, { action: 'take' }, staff);
    await registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'repair', responseText: 'Repaired.' } }, staff);
    clock.advance(20 * HOUR);
    expect(await registry.runSlaChecks(claim.id)).toEqual([]); // resolved: nothing to check
    expect(await repository.listSlaDue(clock.now())).not.toContain(claim.id);
    clock.advance(300 * HOUR); // past the 240 h resolution deadline
    await registry.apply(claim.id, { action: 'reopen', reason: 'It broke again.' }, staff);
    expect(await repository.listSlaDue(clock.now())).toContain(claim.id);
    const recorded = await registry.runSlaChecks(claim.id);
    expect(recorded.map((event) => `${event.slaDeadline ?? ''}:${event.type}`)).toEqual(['resolution:sla_breach']);
  });

  it('take is one write: the status, the assignee and both history events together', async () => {
    const { claim } = await registry.submit(draft({ customer: { channel: 'telegram', userId: 'c2' }, conversation: { channel: 'telegram', chatId: 'c2' } }), 'clock-2');
    const taken = await registry.take(claim.id, 'ivan', { expectedVersion: claim.version });
    expect(taken).toMatchObject({ status: 'in_review', assigneeId: 'ivan', version: claim.version + 1 });
    expect(taken.history.slice(-2).map((event) => event.type)).toEqual(['status_changed', 'assigned']);
  });

  it('a notification still undelivered days later is given up, not sent late; staff are told', async () => {
    const { claim } = await registry.submit(draft({ customer: { channel: 'telegram', userId: 'c3' }, conversation: { channel: 'telegram', chatId: 'c3' } }), 'clock-3');
    const taken = await registry.apply(claim.id, { action: 'take' }, staff);
    const event = taken.history.at(-1);
    if (!event) throw new Error('no event');
    const telegram = new CollectingChannel();
    const notifier = new CustomerNotifier({
      desk,
      claims: deskClaims(registry, repository),
      senders: { senderFor: () => telegram },
      reachability: { isUnreachable: () => Promise.resolve(false), markUnreachable: () => Promise.resolve() },
      leases: new Leases(t.db, 'notify_leases', clock.now),
      now: clock.now,
    });
    clock.advance(4 * 24 * HOUR);
    expect(await notifier.deliver(claim.id, event.id)).toBe('failed');
    expect(telegram.sent).toEqual([]);
    const stored = await repository.findById(claim.id);
    expect(stored?.history.find((candidate) => candidate.id === event.id)?.deliveryFailure).toBe('gave_up');
    expect(stored?.history.at(-1)).toMatchObject({ type: 'delivery_failed', aboutEventId: event.id, deliveryFailure: 'gave_up' });
    // delivering again changes nothing
    expect(await notifier.deliver(claim.id, event.id)).toBe('already_done');
  });
});
