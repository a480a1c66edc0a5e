import { describe, expect, it } from 'vitest';
import { createCore } from '../src/core.js';
import { CustomerDataDesk, type ErasureClaimsPort } from '../src/customer-data.js';
import { AuditLog } from '../src/store/audit.js';
import { CustomerDataStore } from '../src/store/customer-data.js';
import { FileStore } from '../src/store/files.js';
import { WebChatStore } from '../src/store/web-chat.js';
import type { Claim } from '../src/domain/lifecycle.js';
import type { StaffMember } from '../src/domain/desk.js';
import { staffById } from '../src/domain/staff.js';
import { setupDesk, TestChat, TestClock } from './support/chat.js';

/**
 * The retention (#26) with a short configured period (one day), and an erasure cut short by a
 * crash and finished by a rerun; `/mydata` registered durably before the customer is told.
 */

const DAY = 86_400_000;
const clock = new TestClock(new Date('2026-11-23T09:00:00Z'));
const env = setupDesk('retention', { clock, tweak: (desk) => ({ ...desk, privacy: { ...desk.privacy, retention: { closedClaimsDays: 1, abandonedWebChatDays: 30 } } }) });

function customers(claims?: ErasureClaimsPort): CustomerDataDesk {
  const db = env.db.db;
  return new CustomerDataDesk({ desk: env.desk, store: new CustomerDataStore(db), claims: claims ?? env.app.claims, webChat: new WebChatStore(db), files: new FileStore(db), audit: new AuditLog(db), now: clock.now });
}

const member = (id: string): StaffMember => {
  const found = staffById(env.desk, id);
  if (!found) throw new Error(id);
  return found;
};

/** A claim taken, resolved and closed now. */
async function closedClaim(chat: TestChat, phone = '+79990001122'): Promise<Claim> {
  const claim = await env.app.registerFor(chat, { contact: { name: 'Retained Customer', phone } });
  await env.app.registry.take(claim.id, 'ivan');
  await env.app.registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'rejected', reason: 'unfounded', responseText: 'Not covered, sorry' } }, { kind: 'staff', staffId: 'ivan' });
  return env.app.registry.apply(claim.id, { action: 'close' }, { kind: 'system', reason: 'survey' });
}

describe('retention of closed claims (#26)', () => {
  it('erases the personal data of claims closed longer than the configured days ago, once, and keeps what is younger or open', async () => {
    const gone = new TestChat(env.app.runner);
    const staying = new TestChat(env.app.runner);
    await gone.send('/status');
    const old = await closedClaim(gone);
    const oldOfStaying = await closedClaim(staying);
    const open = await env.app.registerFor(staying, { contact: { name: 'Retained Customer', phone: '+79990001122' } });
    clock.advance(DAY + 60_000);
    const young = await closedClaim(gone);

    const first = await customers().eraseByRetention();
    expect(first).toEqual({ claims: 2, erasures: 2 });
    expect((await env.app.claims.findById(old.id))?.erasedAt).toBeDefined();
    expect((await env.app.claims.findById(oldOfStaying.id))?.contact).toEqual({ name: '[erased]' });
    expect((await env.app.claims.findById(young.id))?.contact.name).toBe('Retained Customer');
    expect((await env.app.claims.findById(open.id))?.contact.name).toBe('Retained Customer');
    // the customer with a claim still holding their data keeps their conversation; so does the one with a young claim
    expect(await env.app.stateOf(gone)).toBeDefined();
    // idempotent: nothing more to do
    expect(await customers().eraseByRetention()).toEqual({ claims: 0, erasures: 0 });
    const audit = await env.db.db.collection('audit').find({ kind: 'retention_erased' }).toArray();
    expect(audit).toEqual([expect.objectContaining({ channel: 'jobs', count: 2 })]);

    // a day later the young claim goes too, and with it the conversation (no claim of theirs keeps data)
    clock.advance(DAY + 60_000);
    expect(await customers().eraseByRetention()).toEqual({ claims: 1, erasures: 1 });
    expect(await env.app.stateOf(gone)).toBeUndefined();
  });
});

describe('an erasure cut short', () => {
  it('is finished by the next run: the claims written after the crash, the chats deleted, the record done without identities', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/status');
    const first = await closedClaim(chat, '+79990003344');
    const second = await closedClaim(chat, '+79990003344');
    // the process dies while writing the second claim
    let writes = 0;
    const crashing: ErasureClaimsPort = {
      findById: (id) => env.app.claims.findById(id),
      writeErased: async (claim, erased) => {
        if (++writes === 2) throw new Error('the process died');
        return env.app.claims.writeErased(claim, erased);
      },
    };
    await expect(customers(crashing).erase(member('maria'), { kind: 'identity', identity: { channel: 'telegram', userId: chat.from.userId } }, { reason: 'asked by phone', force: false })).rejects.toThrow('the process died');
    expect((await env.app.claims.findById(first.id))?.erasedAt).toBeDefined();
    expect((await env.app.claims.findById(second.id))?.erasedAt).toBeUndefined();
    expect(await env.db.db.collection('erasures').countDocuments({ status: 'running' })).toBe(1);

    expect(await customers().resume()).toBe(1);
    expect((await env.app.claims.findById(second.id))?.contact).toEqual({ name: '[erased]' });
    expect(await env.app.stateOf(chat)).toBeUndefined();
    const records = await env.db.db.collection('erasures').find({}).toArray();
    expect(records.filter((record) => record.status === 'running')).toEqual([]);
    expect(JSON.stringify(records)).not.toContain(chat.from.userId);
    // the two claims share one pseudonym: repeat-customer counts stay true
    const [a, b] = await Promise.all([env.app.claims.findById(first.id), env.app.claims.findById(second.id)]);
    expect(a?.customer.userId).toMatch(/^erased:/);
    expect(a?.customer.userId).toBe(b?.customer.userId);
  });
});

describe('/mydata', () => {
  it('registers the request before telling the customer, once per message, and staff are told once', async () => {
    const desk = customers();
    const core = createCore(env.db.db, env.desk, { now: clock.now, senders: { telegram: env.app.channel }, dataRequests: { register: (customer, chatId, updateId) => desk.registerRequest(customer, chatId, updateId) } });
    const chat = new TestChat(core.conversations);
    await chat.deliver({ type: 'text', text: '/mydata' }, 'u-mydata');
    expect(chat.text).toMatch(/^Your request for your data is registered \(number R-[0-9a-f]{10}\)/);
    // the same update again: no second request
    await chat.deliver({ type: 'text', text: '/mydata' }, 'u-mydata');
    const requests = await desk.openRequests(member('maria'));
    const mine = requests.filter((request) => request.customer.userId === chat.from.userId);
    expect(mine).toHaveLength(1);
    expect(chat.text).toBe('');
    const told: string[] = [];
    expect(await desk.tellStaff((notice) => Promise.resolve(told.push(notice.id) > 0))).toBeGreaterThanOrEqual(1);
    expect(told).toContain(mine[0]?.id);
    expect(await desk.tellStaff(() => Promise.resolve(true))).toBe(0);
    expect(() => desk.allowed(member('olga'))).toThrow('not allowed');
  });

  it('says so when the desk takes no requests in this chat', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/mydata');
    expect(chat.text).toBe('Requests for your data are not taken in this chat. Please contact us another way.');
  });
});
