import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk } from '../support/fixtures.js';
import { ensureIndexes, COLLECTIONS } from '../../src/store/collections.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry } from '../../src/registry.js';
import { isDomainError } from '../../src/domain/errors.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { changePolicy, isRefusal, plan, type ChangeCommandInput, type ClaimChange } from '../../src/domain/claim-changes.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { warningAt } from '../../src/domain/sla.js';

let t: TestDatabase;
let desk: DeskConfig;
let registry: ClaimRegistry;
let repository: ClaimRepository;
const staff = { kind: 'staff', staffId: 'ivan' } as const;

beforeAll(async () => {
  t = await openTestDatabase('claims');
  await ensureIndexes(t.db);
  desk = await exampleDesk();
  repository = new ClaimRepository(t.db);
  registry = new ClaimRegistry(desk, repository);
});
afterAll(async () => {
  await t.close();
});

async function refusal(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('registering claims', () => {
  it('stores a complete claim with its number, routing, SLA and first history event', async () => {
    const { claim, created } = await registry.submit(draft(), 'reg-1');
    expect(created).toBe(true);
    expect(claim.number).toMatch(/^\d{4}-\d{6}$/);
    expect(claim).toMatchObject({ status: 'new', version: 1, department: 'quality', severity: 'normal', reopenCount: 0 });
    expect(claim.contact).toEqual({ name: 'Anna', phone: '+79123456789' });
    expect(claim.sla.firstResponseDueAt.getTime() - claim.createdAt.getTime()).toBe(24 * 3_600_000);
    expect(claim.history).toHaveLength(1);
    expect(claim.history[0]).toMatchObject({ type: 'registered', notifyCustomer: true });

    const stored = await repository.findById(claim.id);
    expect(stored).toEqual(claim);
    const raw = await t.db.collection(COLLECTIONS.claims).findOne({ _id: new ObjectId(claim.id) });
    expect(raw?.createdAt).toBeInstanceOf(Date);
  });

  it('returns the same claim for a retried submit and burns no number', async () => {
    const first = await registry.submit(draft({ description: 'Retried submit: the lid is cracked.' }), 'reg-retry');
    const again = await registry.submit(draft({ description: 'Retried submit: the lid is cracked.' }), 'reg-retry');
    const next = await registry.submit(draft(), 'reg-after-retry');
    expect(again).toEqual({ claim: first.claim, created: false });
    expect(Number(next.claim.number.slice(5))).toBe(Number(first.claim.number.slice(5)) + 1);
  });

  it('gives 50 parallel submits over 10 keys exactly 10 claims with 10 consecutive numbers', async () => {
    const isolated = await openTestDatabase('parallel');
    try {
      await ensureIndexes(isolated.db);
      const parallelRegistry = new ClaimRegistry(desk, new ClaimRepository(isolated.db));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => parallelRegistry.submit(draft({ customer: { channel: 'telegram', userId: `u${i % 10}` } }), `key-${i % 10}`)),
      );
      const ids = new Set(results.map((r) => r.claim.id));
      expect(ids.size).toBe(10);
      expect(results.filter((r) => r.created)).toHaveLength(10);
      for (let k = 0; k < 10; k++) {
        const forKey = results.filter((_, i) => i % 10 === k);
        expect(new Set(forKey.map((r) => r.claim.number)).size).toBe(1);
      }
      const sequences = [...new Set(results.map((r) => Number(r.claim.number.slice(5))))].sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(await isolated.db.collection(COLLECTIONS.claims).countDocuments()).toBe(10);
    } finally {
      await isolated.close();
    }
  });

  it('finishes a submission whose first attempt died before registering', async () => {
    const repo = new ClaimRepository(t.db, { staleSubmissionMs: 0, waitForPeerMs: 2_000 });
    await t.db.collection(COLLECTIONS.claimSubmissions).insertOne({ _id: 'reg-crashed' as unknown as ObjectId, claimId: new ObjectId(), claimedAt: new Date(Date.now() - 60_000) });
    const registryAfterCrash = new ClaimRegistry(desk, repo);
    const { claim, created } = await registryAfterCrash.submit(draft(), 'reg-crashed');
    expect(created).toBe(true);
    expect((await registry.submit(draft(), 'reg-crashed')).claim.id).toBe(claim.id);
  });

  it('refuses an invalid draft with the field named, and stores nothing', async () => {
    const before = await t.db.collection(COLLECTIONS.claims).countDocuments();
    const tooShort = await refusal(() => registry.submit(draft({ description: 'broken' }), 'bad-1'));
    expect(isDomainError(tooShort, 'INVALID_CLAIM')).toBe(true);
    expect((tooShort as Error).message).toMatch(/description: expected a description of at least 10 characters/);
    const unknownCategory = await refusal(() => registry.submit(draft({ category: 'teleportation' }), 'bad-2'));
    expect(isDomainError(unknownCategory, 'UNKNOWN_CATEGORY')).toBe(true);
    const wrongKind = await refusal(() => registry.submit(draft({ kind: 'complaint', category: 'refund' }), 'bad-3'));
    expect(isDomainError(wrongKind, 'UNKNOWN_CATEGORY')).toBe(true);
    const noContact = await refusal(() => registry.submit(draft({ contact: { name: 'Anna' } }), 'bad-4'));
    expect((noContact as Error).message).toMatch(/contact\.phone: expected a phone number or an e-mail address/);
    expect(await t.db.collection(COLLECTIONS.claims).countDocuments()).toBe(before);
  });

  it('stores operator-looking text as text', async () => {
    const text = '{"$gt": ""} $where: sleep(1000) <b>bold</b> *md* _x_ שלום 😡';
    const { claim } = await registry.submit(draft({ description: text, concerns: { product: '$ne', orderOrBatch: '{"$regex": ".*"}' } }), 'reg-operators');
    const again = await repository.findById(claim.id);
    expect(again?.description).toBe(text);
    expect(again?.concerns).toEqual({ product: '$ne', orderOrBatch: '{"$regex": ".*"}' });
    expect(await repository.findByNumber('{"$gt": ""}')).toBeUndefined();
    expect(await repository.findById('{"$gt": ""}')).toBeUndefined();
  });

  it('tells about how many claims are stored, for the start-up size check', async () => {
    const repository = new ClaimRepository(t.db);
    const before = await repository.estimatedCount();
    await registry.submit(draft(), 'count-1');
    await registry.submit(draft(), 'count-2');
    await registry.submit(draft(), 'count-1');
    expect(await repository.estimatedCount()).toBe(before + 2);
    expect(await repository.estimatedCount()).toBe(await t.db.collection(COLLECTIONS.claims).countDocuments());
  });

  it('lists a customer\'s own claims, newest first, and nobody else\'s', async () => {
    const customer = { channel: 'telegram', userId: 'lister' } as const;
    const a = await registry.submit(draft({ customer }), 'list-a');
    const b = await registry.submit(draft({ customer }), 'list-b');
    await registry.submit(draft({ customer: { channel: 'slack', userId: 'lister', teamId: 'T1' } }), 'list-other-channel');
    const mine = await repository.listForCustomer(customer);
    expect(mine.map((c) => c.id)).toEqual([b.claim.id, a.claim.id]);
  });
});

describe('moving claims through their lifecycle', () => {
  it('applies a transition, bumps the version and appends history', async () => {
    const { claim } = await registry.submit(draft(), 'life-1');
    const taken = await registry.apply(claim.id, { action: 'take' }, staff);
    expect(taken).toMatchObject({ status: 'in_review', version: 2 });
    expect(taken.firstResponseAt).toBeInstanceOf(Date);
    expect(taken.history.map((e) => e.type)).toEqual(['registered', 'status_changed']);
    const asked = await registry.apply(claim.id, { action: 'request_info', question: 'Which colour?' }, staff);
    expect(asked).toMatchObject({ status: 'awaiting_customer', resumeStatus: 'in_review' });
    const back = await registry.apply(claim.id, { action: 'customer_replied' }, { kind: 'customer' });
    expect(back.status).toBe('in_review');
    expect(back.resumeStatus).toBeUndefined();
    const resolved = await registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'rejected', reason: 'not_covered', responseText: 'The warranty ended in March.' } }, staff);
    expect(resolved).toMatchObject({ status: 'resolved', decision: { outcome: 'rejected', reason: 'not_covered' }, resolvedWithinSla: true });
    const closed = await registry.apply(claim.id, { action: 'close' }, { kind: 'system', reason: 'survey window over' });
    const reopened = await registry.apply(claim.id, { action: 'reopen', reason: 'New evidence.' }, { kind: 'staff', staffId: 'sergey' });
    expect(closed.closedAt).toBeInstanceOf(Date);
    expect(reopened).toMatchObject({ status: 'in_review', reopenCount: 1, version: 7 });
    expect(reopened.decision).toBeUndefined();
    expect(reopened.closedAt).toBeUndefined();
    expect(reopened.history).toHaveLength(7);
  });

  it('refuses an invalid transition with a coded error and changes nothing', async () => {
    const { claim } = await registry.submit(draft(), 'life-invalid');
    const error = await refusal(() => registry.apply(claim.id, { action: 'close' }, staff));
    expect(isDomainError(error, 'INVALID_TRANSITION')).toBe(true);
    expect(await repository.findById(claim.id)).toEqual(claim);
  });

  it('lets exactly one of two simultaneous takes win', async () => {
    const { claim } = await registry.submit(draft(), 'life-race');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => registry.apply(claim.id, { action: 'take' }, { kind: 'staff', staffId: `s${i}` })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) expect(isDomainError(o.reason, 'INVALID_TRANSITION')).toBe(true);
    const after = await repository.findById(claim.id);
    expect(after?.history.filter((e) => e.action === 'take')).toHaveLength(1);
    expect(after?.version).toBe(2);
  });

  it('refuses a stale expectedVersion with CONCURRENT_UPDATE', async () => {
    const { claim } = await registry.submit(draft(), 'life-stale');
    await registry.assign(claim.id, 'ivan', staff, { expectedVersion: 1 });
    const error = await refusal(() => registry.apply(claim.id, { action: 'take' }, staff, { expectedVersion: 1 }));
    expect(isDomainError(error, 'CONCURRENT_UPDATE')).toBe(true);
    const mine = await repository.listOpenForAssignee('ivan');
    expect(mine.map((c) => c.id)).toContain(claim.id);
  });

  it('answers CLAIM_NOT_FOUND for an unknown or malformed id', async () => {
    expect(isDomainError(await refusal(() => registry.apply(new ObjectId().toHexString(), { action: 'take' }, staff)), 'CLAIM_NOT_FOUND')).toBe(true);
    expect(isDomainError(await refusal(() => registry.apply('nope', { action: 'take' }, staff)), 'CLAIM_NOT_FOUND')).toBe(true);
  });
});

describe('applying a planned change (compare-and-swap on version)', () => {
  const planned = (claim: Claim, command: ChangeCommandInput, now = new Date()): ClaimChange => {
    const result = plan(claim, command, changePolicy(desk), now);
    if (isRefusal(result)) throw new Error(result.message);
    return result;
  };
  const raw = (claim: Claim) => t.db.collection(COLLECTIONS.claims).findOne({ _id: new ObjectId(claim.id) });

  it('writes a new version with its events and outbox marks, and returns exactly what is stored', async () => {
    const { claim } = await registry.submit(draft(), 'apply-1');
    await repository.markStaffSynced(claim.id, claim.version);
    const taken = await repository.apply(claim, planned(claim, { type: 'take', staffId: 'ivan' }));
    expect(taken).toMatchObject({ version: 2, status: 'in_review', assigneeId: 'ivan' });
    expect(await repository.findById(claim.id)).toEqual(taken);
    expect(await raw(claim)).toMatchObject({ staffSyncPending: true, customerNotifyPending: true });
  });

  it('writes nothing on a version that is no longer current: undefined, plan again', async () => {
    const { claim } = await registry.submit(draft(), 'apply-2');
    const moved = await registry.assign(claim.id, 'maria', staff);
    expect(await repository.apply(claim, planned(claim, { type: 'take', staffId: 'ivan' }))).toBeUndefined();
    expect(await repository.findById(claim.id)).toEqual(moved);
  });

  it('bookkeeping keeps the version: the sweeps\' schedule, a delivery mark on its event', async () => {
    const { claim } = await registry.submit(draft(), 'apply-3');
    const taken = await registry.take(claim.id, 'ivan');
    await repository.markStaffSynced(taken.id, taken.version);
    const scheduled = await repository.apply(taken, planned(taken, { type: 'sla_checks' }));
    expect(scheduled?.version).toBe(taken.version);
    // staff answered: the next check is the resolution warning
    expect((await raw(taken))?.slaNextCheckAt).toEqual(warningAt(taken.createdAt, taken.sla.resolutionDueAt, desk.sla.warnAtShare));
    const notice = taken.history.find((event) => event.notifyCustomer && event.deliveredAt === undefined);
    if (!notice) throw new Error('no notice');
    const at = new Date('2026-11-23T10:00:00Z');
    const marked = await repository.apply(taken, planned(taken, { type: 'delivered', eventId: notice.id, at }));
    expect(marked?.version).toBe(taken.version);
    expect((await repository.findById(taken.id))?.history.find((event) => event.id === notice.id)?.deliveredAt).toEqual(at);
    expect((await raw(taken))?.staffSyncPending).toBeUndefined();
  });

  it('a new version with a mark: the event pushed and the mark on the other event', async () => {
    const { claim } = await registry.submit(draft(), 'apply-4');
    const taken = await registry.take(claim.id, 'ivan');
    const notice = taken.history.find((event) => event.notifyCustomer && event.deliveredAt === undefined);
    if (!notice) throw new Error('no notice');
    const failed = await repository.apply(taken, planned(taken, { type: 'delivery_failed', eventId: notice.id, failure: 'unreachable' }));
    const stored = await repository.findById(claim.id);
    expect(stored).toEqual(failed);
    expect(stored?.history.find((event) => event.id === notice.id)?.deliveryFailure).toBe('unreachable');
    expect(stored?.history.at(-1)).toMatchObject({ type: 'delivery_failed', aboutEventId: notice.id });
  });

  it('the registry plans again from the fresh claim when another change won the swap', async () => {
    const { claim } = await registry.submit(draft(), 'apply-5');
    let applies = 0;
    const interfering = new ClaimRegistry(desk, {
      findById: (id) => repository.findById(id),
      findForCustomer: (customer, number) => repository.findForCustomer(customer, number),
      register: (prepared, key) => repository.register(prepared, key),
      surveyedSince: (customer, since, exceptId) => repository.surveyedSince(customer, since, exceptId),
      apply: async (current, change) => {
        // someone else assigns the claim between this plan and its write
        if (applies++ === 0) await registry.assign(current.id, 'olga', staff);
        return repository.apply(current, change);
      },
    });
    const taken = await interfering.take(claim.id, 'ivan');
    expect(applies).toBe(2);
    expect(taken).toMatchObject({ version: 3, status: 'in_review', assigneeId: 'ivan' });
    expect(taken.history.map((event) => `${event.type}:${event.assigneeId ?? event.to ?? ''}`)).toEqual(['registered:new', 'assigned:olga', 'status_changed:in_review', 'assigned:ivan']);
    expect(await repository.findById(claim.id)).toEqual(taken);
  });
});

describe('information the customer adds', () => {
  const customer = { channel: 'telegram', userId: 'adder' } as const;
  const file = { channel: 'telegram', kind: 'photo', fileId: 'AgAC-add-1' } as const;

  it('is recorded as a history event, once per event id, without changing the status', async () => {
    const { claim } = await registry.submit(draft({ customer }), 'add-1');
    const after = await registry.addCustomerInfo(claim.id, customer, { text: '  The serial number is SN-42.  ', attachments: [file] }, 'info:1');
    expect(after.status).toBe('new');
    expect(after.version).toBe(claim.version + 1);
    expect(after.history.at(-1)).toMatchObject({ id: 'info:1', type: 'customer_info', note: 'The serial number is SN-42.', attachments: [file], actor: { kind: 'customer' }, notifyCustomer: false });
    const again = await registry.addCustomerInfo(claim.id, customer, { text: 'The serial number is SN-42.', attachments: [] }, 'info:1');
    expect(again.version).toBe(after.version);
    expect((await repository.findForCustomer(customer, claim.number))?.history.filter((e) => e.type === 'customer_info')).toHaveLength(1);
  });

  it('answers a request for information and moves the claim back where it was, in one write', async () => {
    const { claim } = await registry.submit(draft({ customer }), 'add-2');
    await registry.apply(claim.id, { action: 'take' }, staff);
    const asked = await registry.apply(claim.id, { action: 'request_info', question: 'Which serial number?' }, staff);
    expect(asked.status).toBe('awaiting_customer');
    const answered = await registry.addCustomerInfo(claim.id, customer, { text: 'SN-42', attachments: [] }, 'info:2');
    expect(answered.status).toBe('in_review');
    expect(answered.version).toBe(asked.version + 1);
    expect(answered.history.slice(-2).map((e) => e.action ?? e.type)).toEqual(['customer_info', 'customer_replied']);
    expect(answered.resumeStatus).toBeUndefined();
    expect((await repository.findForCustomer(customer, claim.number))?.status).toBe('in_review');
  });

  it('is refused for someone else\'s claim (as not found), for a resolved claim, and when empty; nothing changes', async () => {
    const { claim } = await registry.submit(draft({ customer }), 'add-3');
    const stranger = await refusal(() => registry.addCustomerInfo(claim.id, { channel: 'telegram', userId: 'stranger' }, { text: 'hi', attachments: [] }, 'info:3a'));
    expect(isDomainError(stranger, 'CLAIM_NOT_FOUND')).toBe(true);
    const empty = await refusal(() => registry.addCustomerInfo(claim.id, customer, { text: '   ', attachments: [] }, 'info:3b'));
    expect(isDomainError(empty, 'INVALID_CLAIM')).toBe(true);
    await registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'rejected', reason: 'unfounded', responseText: 'The kettle works as designed.' } }, staff);
    const resolved = await refusal(() => registry.addCustomerInfo(claim.id, customer, { text: 'But it does not!', attachments: [] }, 'info:3c'));
    expect(isDomainError(resolved, 'INVALID_TRANSITION')).toBe(true);
    const stored = await repository.findForCustomer(customer, claim.number);
    expect(stored?.history.some((e) => e.type === 'customer_info')).toBe(false);
  });

  it('finds a claim by number only for its own customer', async () => {
    const { claim } = await registry.submit(draft({ customer }), 'add-4');
    expect((await repository.findForCustomer(customer, claim.number))?.id).toBe(claim.id);
    expect(await repository.findForCustomer({ channel: 'telegram', userId: 'stranger' }, claim.number)).toBeUndefined();
    expect(await repository.findForCustomer({ channel: 'slack', userId: 'adder' }, claim.number)).toBeUndefined();
  });

  it('tells Slack customers of two workspaces apart', async () => {
    const inTeamA = { channel: 'slack', userId: 'U0SAME0001', teamId: 'T0AAAA0001' } as const;
    const inTeamB = { channel: 'slack', userId: 'U0SAME0001', teamId: 'T0BBBB0001' } as const;
    const { claim } = await registry.submit(draft({ customer: inTeamA, conversation: { channel: 'slack', chatId: 'D0A', teamId: 'T0AAAA0001' } }), 'add-team');
    expect((await repository.findForCustomer(inTeamA, claim.number))?.id).toBe(claim.id);
    expect(await repository.findForCustomer(inTeamB, claim.number)).toBeUndefined();
    expect(await repository.listForCustomer(inTeamB)).toEqual([]);
    const refused = await refusal(() => registry.addCustomerInfo(claim.id, inTeamB, { text: 'hi', attachments: [] }, 'info:team'));
    expect(isDomainError(refused, 'CLAIM_NOT_FOUND')).toBe(true);
  });
});

describe('indexes', () => {
  it('enforces unique numbers and idempotency keys in the database itself', async () => {
    const names = (await t.db.collection(COLLECTIONS.claims).indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['number_unique', 'idempotency_key_unique', 'by_customer_newest', 'by_assignee_status_newest']));
    const { claim } = await registry.submit(draft(), 'idx-1');
    const raw = await t.db.collection(COLLECTIONS.claims).findOne({ _id: new ObjectId(claim.id) });
    const copy = { ...raw, _id: new ObjectId(), idempotencyKey: 'idx-copy' };
    await expect(t.db.collection(COLLECTIONS.claims).insertOne(copy)).rejects.toMatchObject({ code: 11000 });
  });
});
