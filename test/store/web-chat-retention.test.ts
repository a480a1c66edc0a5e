import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry } from '../../src/registry.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { FileStore } from '../../src/store/files.js';
import { MongoConversationStore } from '../../src/store/conversations.js';
import { WebChatStore } from '../../src/store/web-chat.js';
import { webVisitorRecords } from '../../src/jobs/housekeeping.js';
import type { WebVisitorRecords } from '../../src/web-chat-ports.js';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk } from '../support/fixtures.js';

describe('web chat retention', () => {
  let t: TestDatabase;
  let clock: Date;
  let chat: WebChatStore;
  let files: FileStore;
  // what the claims' and the conversations' stores know of a visitor, as main.ts wires it
  let records: WebVisitorRecords;

  beforeAll(async () => {
    t = await openTestDatabase('webchat_retention');
    await ensureIndexes(t.db);
    clock = new Date('2026-09-01T10:00:00Z');
    chat = new WebChatStore(t.db, () => clock);
    files = new FileStore(t.db);
    records = webVisitorRecords(new ClaimRepository(t.db), new MongoConversationStore(t.db));
  });
  afterAll(() => t.close());

  const count = (collection: string, filter: object = {}) => t.db.collection(collection).countDocuments(filter);

  it('deletes abandoned chats with their transcript, counter and uploads; keeps customers with a claim or news', async () => {
    // four visitors, all on 1 September
    const abandoned = await chat.createVisitor('a'.repeat(64), 'en');
    const customer = await chat.createVisitor('b'.repeat(64), 'en');
    const returning = await chat.createVisitor('c'.repeat(64), 'en');
    for (const visitor of [abandoned, customer, returning]) {
      await chat.appendDesk(visitor.id, { text: 'Hello', expects: 'choice' });
      await chat.appendCustomer(visitor.id, `msg-${visitor.id.slice(0, 6)}`, { text: 'My kettle broke' });
      await files.put({ bytes: Buffer.from('%PDF-1.7 receipt'), fileName: 'receipt.pdf', mimeType: 'application/pdf', ownerId: visitor.id });
    }
    const desk = await exampleDesk();
    await new ClaimRegistry(desk, new ClaimRepository(t.db)).submit(
      draft({ customer: { channel: 'web', userId: customer.id }, conversation: { channel: 'web', chatId: customer.id } }),
      'retention-1',
    );
    // 40 days later the returning visitor writes again; a new visitor starts
    clock = new Date('2026-10-11T10:00:00Z');
    await chat.appendCustomer(returning.id, 'msg-again-1', { text: 'Any news?' });
    const fresh = await chat.createVisitor('d'.repeat(64), 'ru');

    const before = new Date('2026-10-01T00:00:00Z');
    const first = await chat.pruneAbandoned(records, before, 500);
    expect(first.pruned).toEqual([abandoned.id]);
    expect(first.looked).toBe(3);
    expect(await files.deleteOwnedBy(first.pruned)).toBe(1);

    expect(await chat.visitorByTokenHash('a'.repeat(64))).toBeUndefined();
    expect(await count('web_chat_messages', { visitorId: abandoned.id })).toBe(0);
    expect(await count('counters', { _id: `web-chat:${abandoned.id}` })).toBe(0);
    expect(await count('uploads.files', { 'metadata.ownerId': abandoned.id })).toBe(0);
    for (const kept of [customer, returning, fresh]) {
      expect(await count('web_chat_visitors', { _id: kept.id })).toBe(1);
    }
    expect(await count('web_chat_messages', { visitorId: customer.id })).toBe(2);
    expect(await count('uploads.files', { 'metadata.ownerId': customer.id })).toBe(1);

    // the kept ones are not looked at again until a retention period has passed
    expect(await chat.pruneAbandoned(records, before, 500)).toEqual({ looked: 0, pruned: [] });
  });

  it('deletes chats whose visitor never wrote after a day (what a flood of new chats leaves), keeping those who wrote', async () => {
    clock = new Date('2026-11-01T10:00:00Z');
    const flood = await Promise.all(['1', '2', '3'].map((n) => chat.createVisitor(n.repeat(64), 'en')));
    // one opened the page (the desk greeted it) but never wrote; another wrote
    await chat.appendDesk(flood[0]?.id ?? '', { text: 'Hello', expects: 'choice' });
    const writer = await chat.createVisitor('9'.repeat(64), 'en');
    await chat.appendCustomer(writer.id, 'msg-writer-1', { text: 'My kettle broke' });
    clock = new Date('2026-11-02T11:00:00Z');
    const before = new Date('2026-10-03T11:00:00Z'); // 30 days
    const silentBefore = new Date('2026-11-01T11:00:00Z'); // a day
    // the one greeted had a conversation, with an update id moved out of its window
    const flooded = `web:${flood[0]?.id ?? ''}`;
    await t.db.collection<{ _id: string; [field: string]: unknown }>('conversations').insertOne({ _id: flooded, channel: 'web', chatId: flood[0]?.id, version: 1, flowId: null, flowVersion: 0, stepId: null, answers: {}, lastActivityAt: clock, processed: ['u2'], archived: true });
    await t.db.collection<{ _id: string; [field: string]: unknown }>('processed_updates').insertOne({ _id: `${flooded}|u1`, conversationId: flooded });
    const result = await chat.pruneAbandoned(records, before, 500, silentBefore);
    expect(await count('conversations', { _id: flooded })).toBe(0);
    expect(await count('processed_updates', { conversationId: flooded })).toBe(0);
    // (the first test's visitor who never wrote goes too)
    expect(result.pruned).toEqual(expect.arrayContaining(flood.map((visitor) => visitor.id)));
    expect(result.pruned).not.toContain(writer.id);
    expect(await count('web_chat_messages', { visitorId: flood[0]?.id })).toBe(0);
    expect(await count('web_chat_visitors', { _id: writer.id })).toBe(1);
    // without the shorter horizon they are kept for the full retention period
    const late = await chat.createVisitor('8'.repeat(64), 'en');
    clock = new Date('2026-11-04T11:00:00Z');
    expect((await chat.pruneAbandoned(records, new Date('2026-10-05T11:00:00Z'), 500)).pruned).not.toContain(late.id);
  });

  it('deletes uploads no claim holds after a few hours, unless their sender is still in a dialog', async () => {
    const desk = await exampleDesk();
    const registry = new ClaimRegistry(desk, new ClaimRepository(t.db));
    const pdf = (ownerId: string, fileName: string) => files.put({ bytes: Buffer.from('%PDF-1.7 receipt'), fileName, mimeType: 'application/pdf', ownerId, target: 'report:x' });
    const sent = await chat.createVisitor('e'.repeat(64), 'en');
    const added = await chat.createVisitor('f'.repeat(64), 'en');
    const writing = await chat.createVisitor('g'.repeat(64), 'en');
    const leftover = await chat.createVisitor('h'.repeat(64), 'en');
    // a file sent with a report, a file added to a claim later, one of a report still being written, one never used
    const withReport = await pdf(sent.id, 'with-report.pdf');
    const unused = await pdf(sent.id, 'unused.pdf');
    const addedLater = await pdf(added.id, 'added.pdf');
    const inDialog = await pdf(writing.id, 'draft.pdf');
    const abandoned = await pdf(leftover.id, 'abandoned.pdf');
    const attachment = (fileId: string) => ({ channel: 'web' as const, kind: 'document' as const, fileId, mimeType: 'application/pdf', sizeBytes: 16 });
    await registry.submit(draft({ customer: { channel: 'web', userId: sent.id }, conversation: { channel: 'web', chatId: sent.id }, attachments: [attachment(withReport)] }), 'unattached-1');
    const claim = (await registry.submit(draft({ customer: { channel: 'web', userId: added.id }, conversation: { channel: 'web', chatId: added.id } }), 'unattached-2')).claim;
    await registry.addCustomerInfo(claim.id, { channel: 'web', userId: added.id }, { attachments: [attachment(addedLater)] }, 'info-1');
    await t.db.collection<{ _id: string; [field: string]: unknown }>('conversations').insertOne({ _id: `web:${writing.id}`, channel: 'web', chatId: writing.id, version: 3, flowId: 'intake', flowVersion: 1, stepId: 'files', answers: {}, lastActivityAt: new Date(), processed: [] });
    await t.db.collection<{ _id: string; [field: string]: unknown }>('conversations').insertOne({ _id: `web:${leftover.id}`, channel: 'web', chatId: leftover.id, version: 3, flowId: null, flowVersion: 0, stepId: null, answers: {}, lastActivityAt: new Date(), processed: [] });

    const exists = async (id: string) => (await files.open(id)) !== undefined;
    // files younger than the cut-off are not looked at
    expect(await files.pruneUnattached(records, new Date(Date.now() - 3_600_000))).toBe(0);
    // (the earlier test's receipts, never sent with a report, go too)
    expect(await files.pruneUnattached(records, new Date(Date.now() + 1_000))).toBeGreaterThanOrEqual(2);
    expect(await exists(unused)).toBe(false);
    expect(await exists(abandoned)).toBe(false);
    for (const kept of [withReport, addedLater, inDialog]) expect(await exists(kept)).toBe(true);
    // files a claim holds are marked and not looked at again; the one in a dialog is, later
    expect(await count('uploads.files', { 'metadata.attached': true })).toBe(2);
    await t.db.collection<{ _id: string }>('conversations').updateOne({ _id: `web:${writing.id}` }, { $set: { flowId: null } });
    expect(await files.pruneUnattached(records, new Date(Date.now() + 1_000))).toBe(1);
    expect(await exists(inDialog)).toBe(false);
    expect(await exists(withReport)).toBe(true);
  });

  it('forgets a visitor\'s own lines after a moment (a declined report), keeping the desk\'s and the earlier ones', async () => {
    const visitor = await chat.createVisitor('7'.repeat(64), 'en');
    clock = new Date('2026-09-02T10:00:00Z');
    await chat.appendCustomer(visitor.id, 'early', { text: 'my first report' });
    const registered = new Date('2026-09-02T10:05:00Z');
    clock = new Date('2026-09-02T11:00:00Z');
    await chat.appendCustomer(visitor.id, 'late', { text: 'a second report' });
    await chat.appendDesk(visitor.id, { text: 'Understood, nothing is kept', expects: 'none' });
    const texts = async () => (await chat.after(visitor.id, 0, 10)).map((entry) => entry.text);
    await chat.forgetCustomerLines(visitor.id, registered);
    expect(await texts()).toEqual(['my first report', 'Understood, nothing is kept']);
    await chat.forgetCustomerLines(visitor.id, undefined);
    expect(await texts()).toEqual(['Understood, nothing is kept']);
  });
});
