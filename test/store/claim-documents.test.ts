import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk } from '../support/fixtures.js';
import { COLLECTIONS, ensureIndexes, INDEXES, SUPERSEDED_INDEXES } from '../../src/store/collections.js';
import { ClaimRepository, toClaim, toClaimDocument } from '../../src/store/claims.js';
import { prepareRegistration, registeredClaim } from '../../src/domain/registration.js';
import { planTransition } from '../../src/domain/lifecycle.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await openTestDatabase('claimdocs');
});
afterAll(async () => {
  await t.close();
});

describe('the stored document of a claim', () => {
  it('toClaimDocument is the inverse of toClaim, and register stores exactly that document', async () => {
    const desk = await exampleDesk();
    const prepared = prepareRegistration(draft(), desk, new Date('2026-03-02T10:00:00Z'));
    const claim = registeredClaim(prepared, new ObjectId().toHexString(), 42);
    expect(claim.number).toBe('2026-000042');
    const plan = planTransition(claim, { action: 'take' }, { kind: 'staff', staffId: 'ivan' }, new Date('2026-03-02T11:00:00Z'));
    const taken = { ...claim, ...plan.set, assigneeId: 'ivan', version: 2, history: [...claim.history, plan.event] };
    const doc = toClaimDocument(taken, { idempotencyKey: 'k-1', staffSyncPending: true });
    expect(doc).toMatchObject({ year: 2026, seq: 42, idempotencyKey: 'k-1', staffSyncPending: true, status: 'in_review' });
    expect(doc._id.toHexString()).toBe(claim.id);
    expect(toClaim(doc)).toEqual(taken);
    expect(() => toClaimDocument({ ...claim, id: 'nope' }, { idempotencyKey: 'k' })).toThrow(RangeError);

    const repository = new ClaimRepository(t.db);
    const { claim: stored } = await repository.register(prepared, 'k-2');
    const raw = await t.db.collection(COLLECTIONS.claims).findOne({ idempotencyKey: 'k-2' });
    expect(raw).toEqual(toClaimDocument(stored, { idempotencyKey: 'k-2', staffSyncPending: true, consoleAlertsPending: true, slaNextCheckAt: prepared.slaNextCheckAt }));
  });
});

describe('superseded indexes', () => {
  it('ensureIndexes drops an index a newer one replaces and creates the newer one', async () => {
    const claims = t.db.collection(COLLECTIONS.claims);
    await claims.createIndexes([
      { key: { 'customer.channel': 1, 'customer.userId': 1, createdAt: -1 }, name: 'by_customer' },
      { key: { assigneeId: 1, status: 1, createdAt: -1 }, name: 'by_assignee' },
    ]);
    await ensureIndexes(t.db);
    await ensureIndexes(t.db); // idempotent
    const names = (await claims.listIndexes().toArray()).map((index: { name?: unknown }) => String(index.name));
    for (const old of SUPERSEDED_INDEXES[COLLECTIONS.claims] ?? []) expect(names).not.toContain(old);
    expect(names).toEqual(expect.arrayContaining((INDEXES[COLLECTIONS.claims] ?? []).map((index) => index.name)));
  });
});
