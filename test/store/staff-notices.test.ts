import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk, telegramCustomer } from '../support/fixtures.js';
import { COLLECTIONS, ensureIndexes } from '../../src/store/collections.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { StaffNoticeStore } from '../../src/store/staff-notices.js';
import { ClaimRegistry } from '../../src/registry.js';
import { ConsoleNotices } from '../../src/jobs/staff-notices.js';
import { claimNotices } from '../../src/domain/staff-alerts.js';
import type { DeskConfig } from '../../src/domain/desk.js';

/** #25: the console's notifications are stored once per alert and recipient, whatever the number of workers. */

let t: TestDatabase;
let second: MongoClient;
let desk: DeskConfig;
let registry: ClaimRegistry;
let repository: ClaimRepository;

/** A worker: its own connection, its own store and delivery. */
function worker(client: MongoClient) {
  const db = client.db(t.db.databaseName);
  const claims = new ClaimRepository(db);
  return new ConsoleNotices(desk, { notices: new StaffNoticeStore(db), claims });
}

beforeAll(async () => {
  t = await openTestDatabase('notices');
  await ensureIndexes(t.db);
  second = await MongoClient.connect(t.uri);
  desk = await exampleDesk();
  repository = new ClaimRepository(t.db);
  registry = new ClaimRegistry(desk, repository);
});
afterAll(async () => {
  await second.close();
  await t.close();
});

describe('StaffNoticeStore and ConsoleNotices', () => {
  it('two workers delivering the same claim at once store each notice once', async () => {
    const { claim } = await registry.submit(draft({ category: 'defect', ...telegramCustomer('8801') }), 'notices-1');
    const assigned = await registry.assign(claim.id, 'ivan', { kind: 'staff', staffId: 'sergey' });
    const [a, b] = [worker(t.client), worker(second)];
    const added = await Promise.all([a.deliver(claim.id), b.deliver(claim.id), a.deliver(claim.id), b.deliver(claim.id)]);
    const expected = claimNotices(assigned, desk);
    expect(expected.map((notice) => `${notice.kind}@${notice.staffId}`).sort()).toEqual(
      // the notify list's department has only members of the claim's own: each hears of it once
      ['assignment@ivan', 'new_claim@ivan', 'new_claim@maria', 'new_claim@sergey'].sort(),
    );
    expect(added.reduce((sum, n) => sum + n, 0)).toBe(expected.length);
    const stored = await t.db.collection(COLLECTIONS.staffNotices).find({ subjectId: claim.id }).toArray();
    expect(stored.map((doc) => doc.key as string).sort()).toEqual(expected.map((notice) => notice.key).sort());
    // the unique index is what holds: inserting a key again is refused by the server
    await expect(t.db.collection(COLLECTIONS.staffNotices).insertOne({ ...stored[0], _id: undefined })).rejects.toMatchObject({ code: 11000 });
  });

  it('keeps a claim pending for the sweep until the version read is delivered', async () => {
    const { claim } = await registry.submit(draft({ category: 'defect', ...telegramCustomer('8802') }), 'notices-2');
    expect(await repository.listConsoleAlertsPending(new Date(Date.now() + 1000), 1000)).toContain(claim.id);
    const changed = await registry.assign(claim.id, 'ivan', { kind: 'staff', staffId: 'sergey' });
    // the version registered is delivered; the assignment made meanwhile keeps it pending
    await worker(t.client).deliverClaim(claim);
    expect(await repository.listConsoleAlertsPending(new Date(Date.now() + 1000), 1000)).toContain(claim.id);
    await worker(t.client).deliver(claim.id);
    expect(await repository.listConsoleAlertsPending(new Date(Date.now() + 1000), 1000)).not.toContain(claim.id);
    const store = new StaffNoticeStore(t.db);
    expect((await store.list('ivan', 100)).notices.filter((notice) => notice.subjectId === changed.id).map((notice) => notice.kind).sort()).toEqual(['assignment', 'new_claim']);
  });

  it('stores a corrective action alert once however often the sweep sends it', async () => {
    const notices = worker(t.client);
    const member = desk.staff.find((candidate) => candidate.id === 'olga');
    if (!member) throw new Error('olga is in the example desk');
    const action = { id: '665f1c2e9b1e8a3d4c5b6a70', number: 'A-2026-0001' } as never;
    const event = { id: 'ev-1', type: 'overdue', at: new Date() } as never;
    await Promise.all([notices.actionAlert(member, action, event), worker(second).actionAlert(member, action, event)]);
    await notices.actionAlert(member, action, event);
    const store = new StaffNoticeStore(t.db);
    const { notices: list, unread } = await store.list('olga', 10);
    expect(list.map((notice) => [notice.source, notice.kind, notice.subjectNumber])).toEqual([['action', 'overdue', 'A-2026-0001']]);
    expect(unread).toBe(1);
  });
});
