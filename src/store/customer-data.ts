import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import type { Channel, CustomerIdentity } from '../domain/claim.js';
import type { CustomerLookup, CustomerTraits } from '../domain/erasure.js';
import type { Claim } from '../domain/lifecycle.js';
import { COLLECTIONS } from './collections.js';
import { toClaim, type ClaimDocument } from './claims.js';
import { toObjectId } from './mongo.js';

/** How an erasure came about: staff (with a reason), forced past open claims by a head, or the retention job. */
export type ErasureKind = 'manual' | 'forced' | 'retention';

/**
 * An erasure under way or done (`erasures`): what it covers, so a rerun after a crash finishes
 * it. The customer's chats and identities are kept only while it runs (they are what it deletes);
 * once done, only ids, counts and the staff's reason stay.
 */
export interface ErasureRecord {
  readonly id: string;
  readonly at: Date;
  readonly kind: ErasureKind;
  readonly staffId?: string;
  /** Why staff erased the customer (their words; a retention erasure has none). */
  readonly reason?: string;
  readonly claimIds: readonly string[];
  /** The pseudonym the customer's identity becomes on the claims. */
  readonly pseudonym: string;
  /** While running: the chats and identities whose conversations, transcripts and records go. */
  readonly chats?: CustomerTraits['chats'];
  readonly identities?: readonly CustomerIdentity[];
  readonly status: 'running' | 'done';
  readonly doneAt?: Date;
}

type ErasureDocument = Omit<ErasureRecord, 'id' | 'claimIds' | 'chats' | 'identities'> & {
  _id: string;
  claimIds: string[];
  chats?: { channel: Channel; chatId: string }[];
  identities?: CustomerIdentity[];
};

/** A customer's request for their data (`/mydata`): registered, announced to staff, handled. */
export interface DataRequest {
  readonly id: string;
  readonly at: Date;
  readonly customer: CustomerIdentity;
  readonly chatId: string;
  readonly status: 'open' | 'handled';
  readonly staffToldAt?: Date;
}

type DataRequestDocument = Omit<DataRequest, 'id' | 'customer'> & { _id: string; customer: CustomerIdentity };

function identityFilter(identity: CustomerIdentity): Filter<ClaimDocument> {
  return { 'customer.channel': identity.channel, 'customer.userId': identity.userId, ...(identity.teamId !== undefined ? { 'customer.teamId': identity.teamId } : {}) };
}

/**
 * The queries of the customer's rights (#26) over every collection that holds something of a
 * customer: finding their claims, the export's reads, the erasure's deletions (each idempotent)
 * and the erasures' own records, and the customers' data requests. What is erased and kept is
 * decided in src/domain/erasure.ts; a claim's erased form is written by the ClaimRepository.
 * @example const claims = await new CustomerDataStore(db).claimsFor({ kind: 'phone', phone: '+79123456789' });
 */
export class CustomerDataStore {
  private readonly claims: Collection<ClaimDocument>;
  private readonly erasures: Collection<ErasureDocument>;
  private readonly requests: Collection<DataRequestDocument>;

  constructor(private readonly db: Db) {
    this.claims = db.collection<ClaimDocument>(COLLECTIONS.claims);
    this.erasures = db.collection<ErasureDocument>(COLLECTIONS.erasures);
    this.requests = db.collection<DataRequestDocument>(COLLECTIONS.dataRequests);
  }

  /** The claims a lookup names directly: by number, phone, e-mail or channel identity (at most `limit`). */
  async claimsFor(lookup: CustomerLookup, limit = 500): Promise<Claim[]> {
    let filter: Filter<ClaimDocument>;
    switch (lookup.kind) {
      case 'number':
        filter = { number: lookup.number };
        break;
      case 'phone':
        filter = { 'contact.phone': lookup.phone };
        break;
      case 'email':
        filter = { 'contact.email': lookup.email };
        break;
      case 'identity':
        filter = identityFilter(lookup.identity);
        break;
    }
    return (await this.claims.find(filter).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray()).map(toClaim);
  }

  /** Every claim that shares an identity, a phone or an e-mail with these traits (at most `limit`). */
  async claimsMatching(traits: Pick<CustomerTraits, 'identities' | 'phones' | 'emails'>, limit = 500): Promise<Claim[]> {
    const or: Filter<ClaimDocument>[] = [
      ...traits.identities.map(identityFilter),
      ...(traits.phones.length > 0 ? [{ 'contact.phone': { $in: [...traits.phones] } }] : []),
      ...(traits.emails.length > 0 ? [{ 'contact.email': { $in: [...traits.emails] } }] : []),
    ];
    if (or.length === 0) return [];
    return (await this.claims.find({ $or: or }).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray()).map(toClaim);
  }

  /** Whether an identity has claims not yet erased besides `except` (retention keeps their chats then). */
  async hasLiveClaimsBesides(identity: CustomerIdentity, except: readonly string[]): Promise<boolean> {
    const docs = await this.claims.find({ ...identityFilter(identity), erasedAt: { $exists: false } }, { projection: { _id: 1 } }).limit(except.length + 1).toArray();
    return docs.some((doc) => !except.includes(doc._id.toHexString()));
  }

  /** Ids of closed claims not yet erased that were closed before `cutoff`, oldest first. */
  async closedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const docs = await this.claims.find({ status: 'closed', closedAt: { $lt: cutoff }, erasedAt: { $exists: false } }, { projection: { _id: 1 } }).sort({ closedAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => doc._id.toHexString());
  }

  /** The conversation state of these chats, as stored (without the handled update ids). */
  async conversationsOf(chats: CustomerTraits['chats']): Promise<Record<string, unknown>[]> {
    if (chats.length === 0) return [];
    const ids = chats.map((chat) => `${chat.channel}:${chat.chatId}`);
    return this.db
      .collection<{ _id: string }>(COLLECTIONS.conversations)
      .find({ _id: { $in: ids } }, { projection: { processed: 0, archived: 0 } })
      .toArray();
  }

  // ---------------------------------------------------------------- the erasure's deletions (each idempotent)

  /** Deletes these chats' conversations (with their outboxes), handled update ids, dead letters and Telegram send slots. */
  async forgetChats(chats: CustomerTraits['chats']): Promise<void> {
    if (chats.length === 0) return;
    const ids = chats.map((chat) => `${chat.channel}:${chat.chatId}`);
    await this.db.collection<{ _id: string }>(COLLECTIONS.conversations).deleteMany({ _id: { $in: ids } });
    await this.db.collection(COLLECTIONS.processedUpdates).deleteMany({ conversationId: { $in: ids } });
    await this.db.collection(COLLECTIONS.deadLetters).deleteMany({ $or: chats.map((chat) => ({ channel: chat.channel, chatId: chat.chatId })) });
    const telegramChats = chats.filter((chat) => chat.channel === 'telegram').map((chat) => chat.chatId);
    if (telegramChats.length > 0) await this.db.collection<{ _id: string }>(COLLECTIONS.telegramChatSlots).deleteMany({ _id: { $in: telegramChats } });
  }

  /** Deletes the claims' submission records (their key names the chat). */
  async forgetSubmissions(claimIds: readonly string[]): Promise<void> {
    const ids = claimIds.map((id) => this.objectId(id)).filter((id) => id !== undefined);
    if (ids.length > 0) await this.db.collection(COLLECTIONS.claimSubmissions).deleteMany({ claimId: { $in: ids } });
  }

  /** Removes a Slack customer's user id from the staff-action records (a customer pressing a staff button is recorded by it). */
  async forgetStaffActionUsers(identities: readonly CustomerIdentity[]): Promise<void> {
    for (const identity of identities.filter((one) => one.channel === 'slack')) {
      await this.db.collection(COLLECTIONS.staffActions).updateMany({ 'slack.userId': identity.userId }, { $unset: { slack: '' } });
    }
  }

  /** Deletes the data requests of these identities. */
  async forgetDataRequests(identities: readonly CustomerIdentity[]): Promise<void> {
    for (const identity of identities) {
      await this.requests.deleteMany({ 'customer.channel': identity.channel, 'customer.userId': identity.userId });
    }
  }

  // ---------------------------------------------------------------- the erasures' records

  /** Records an erasure about to run (its chats and identities with it, until it is done). */
  async beginErasure(record: Omit<ErasureRecord, 'id' | 'status' | 'doneAt'>): Promise<ErasureRecord> {
    const id = randomUUID();
    const doc: ErasureDocument = {
      _id: id,
      at: record.at,
      kind: record.kind,
      pseudonym: record.pseudonym,
      claimIds: [...record.claimIds],
      status: 'running',
      ...(record.staffId !== undefined ? { staffId: record.staffId } : {}),
      ...(record.reason !== undefined ? { reason: record.reason } : {}),
      ...(record.chats ? { chats: record.chats.map((chat) => ({ ...chat })) } : {}),
      ...(record.identities ? { identities: record.identities.map((identity) => ({ ...identity })) } : {}),
    };
    await this.erasures.insertOne(doc);
    return { ...record, id, status: 'running' };
  }

  /** The erasures a crash left unfinished, oldest first. */
  async runningErasures(limit = 50): Promise<ErasureRecord[]> {
    const docs = await this.erasures.find({ status: 'running' }).sort({ at: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...rest }) => ({ ...rest, id: _id }));
  }

  /** Marks an erasure done and drops the chats and identities it kept. */
  async finishErasure(id: string, at: Date): Promise<void> {
    await this.erasures.updateOne({ _id: id }, { $set: { status: 'done', doneAt: at }, $unset: { chats: '', identities: '' } });
  }

  // ---------------------------------------------------------------- data requests

  /** Registers a customer's data request, once per update (`id` derived from it); returns it. */
  async registerRequest(request: Omit<DataRequest, 'status' | 'staffToldAt'>): Promise<DataRequest> {
    await this.requests.updateOne({ _id: request.id }, { $setOnInsert: { at: request.at, customer: { ...request.customer }, chatId: request.chatId, status: 'open' } }, { upsert: true });
    return { ...request, status: 'open' };
  }

  /** Open requests staff have not been told of yet, oldest first. */
  async untoldRequests(limit = 50): Promise<DataRequest[]> {
    const docs = await this.requests.find({ status: 'open', staffToldAt: { $exists: false } }).sort({ at: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...rest }) => ({ ...rest, id: _id }));
  }

  /** Records that staff were told of a request. */
  async markTold(id: string, at: Date): Promise<void> {
    await this.requests.updateOne({ _id: id }, { $set: { staffToldAt: at } });
  }

  /** The open requests, newest first (the console's list). */
  async openRequests(limit = 100): Promise<DataRequest[]> {
    const docs = await this.requests.find({ status: 'open' }).sort({ at: -1 }).limit(limit).toArray();
    return docs.map(({ _id, ...rest }) => ({ ...rest, id: _id }));
  }

  /** Marks the identities' open requests handled (their data was exported or erased). */
  async handleRequestsOf(identities: readonly CustomerIdentity[]): Promise<number> {
    let handled = 0;
    for (const identity of identities) {
      const result = await this.requests.updateMany({ status: 'open', 'customer.channel': identity.channel, 'customer.userId': identity.userId }, { $set: { status: 'handled' } });
      handled += result.modifiedCount;
    }
    return handled;
  }

  private objectId(id: string) {
    return toObjectId(id);
  }
}
