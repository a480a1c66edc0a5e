import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry } from '../../src/registry.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { FileStore } from '../../src/store/files.js';
import { WebChatStore } from '../../src/store/web-chat.js';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk } from '../support/fixtures.js';

describe('web chat retention', () => {
  let t: TestDatabase;
  let clock: Date;
  let chat: WebChatStore;
  let files: FileStore;

  beforeAll(async () => {
    t = await openTestDatabase('webchat_retention');
    await ensureIndexes(t.db);
    clock = new Date('2026-09-01T10:00:00Z');
    chat = new WebChatStore(t.db, () => clock);
    files = new FileStore(t.db);
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
    const first = await chat.pruneAbandoned(before, 500);
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
    expect(await chat.pruneAbandoned(before, 500)).toEqual({ looked: 0, pruned: [] });
  });
});
