import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Expectation } from '../../flows/types.js';
import type { CustomerLine, DeskLine, TranscriptChoice, TranscriptEntry, TranscriptFile, WebChatPort, WebVisitor, WebVisitorRecords } from '../web-chat-ports.js';
import { COLLECTIONS } from './collections.js';
import { dropSequence, nextSequence } from './counters.js';
import { isDuplicateKey } from './mongo.js';

interface VisitorDocument {
  _id: string;
  /** Hex SHA-256 of the visitor's token; the token itself is never stored. */
  tokenHash: string;
  createdAt: Date;
  languageCode?: string;
  /** When housekeeping last found reasons to keep this visitor (a claim, recent messages). */
  keptAt?: Date;
}

interface MessageDocument {
  /** `<visitorId>:c:<clientId>` for a customer's message (so a retry cannot add it twice), `<visitorId>:d:<seq>` for the desk's. */
  _id: string;
  visitorId: string;
  seq: number;
  at: Date;
  from: 'customer' | 'desk';
  text: string;
  choices?: TranscriptChoice[];
  expects?: Expectation;
  files?: TranscriptFile[];
  clientId?: string;
  choiceId?: string;
}

function toEntry(doc: MessageDocument): TranscriptEntry {
  return {
    seq: doc.seq,
    at: doc.at,
    from: doc.from,
    text: doc.text,
    ...(doc.choices && doc.choices.length > 0 ? { choices: doc.choices } : {}),
    ...(doc.expects ? { expects: doc.expects } : {}),
    ...(doc.files && doc.files.length > 0 ? { files: doc.files } : {}),
    ...(doc.clientId ? { clientId: doc.clientId } : {}),
  };
}

/** The counter numbering a visitor's messages. */
const sequenceName = (visitorId: string) => `web-chat:${visitorId}`;

function toVisitor(doc: VisitorDocument): WebVisitor {
  return { id: doc._id, ...(doc.languageCode ? { languageCode: doc.languageCode } : {}) };
}

/**
 * The web chat's visitors and transcripts. Each visitor's messages are numbered by a counter of
 * their own (`nextSequence`, safe under concurrent writers in several instances) and a unique
 * index on `{ visitorId, seq }` backs it.
 * @example
 * const chat = new WebChatStore(db);
 * const visitor = await chat.createVisitor(sha256hex(token), 'en-GB');
 * await chat.appendDesk(visitor.id, { text: 'Hello', expects: 'none' });
 */
export class WebChatStore implements WebChatPort {
  private readonly visitors: Collection<VisitorDocument>;
  private readonly messages: Collection<MessageDocument>;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.visitors = db.collection<VisitorDocument>(COLLECTIONS.webChatVisitors);
    this.messages = db.collection<MessageDocument>(COLLECTIONS.webChatMessages);
  }

  async createVisitor(tokenHash: string, languageCode?: string): Promise<WebVisitor> {
    // random, not derived from the token: knowing the id (it is in claims) gives no way to the token
    const doc: VisitorDocument = { _id: randomBytes(16).toString('base64url'), tokenHash, createdAt: this.now(), ...(languageCode ? { languageCode } : {}) };
    await this.visitors.insertOne(doc);
    return toVisitor(doc);
  }

  async visitorByTokenHash(tokenHash: string): Promise<WebVisitor | undefined> {
    const doc = await this.visitors.findOne({ tokenHash });
    return doc ? toVisitor(doc) : undefined;
  }

  async appendDesk(visitorId: string, line: DeskLine): Promise<TranscriptEntry> {
    if (!(await this.visitors.countDocuments({ _id: visitorId }, { limit: 1 }))) throw new Error('unknown web chat visitor');
    const seq = await this.nextSeq(visitorId);
    const doc: MessageDocument = {
      _id: `${visitorId}:d:${String(seq)}`,
      visitorId,
      seq,
      at: this.now(),
      from: 'desk',
      text: line.text,
      expects: line.expects,
      ...(line.files && line.files.length > 0 ? { files: line.files.map((file) => ({ ...file })) } : {}),
      ...(line.choices && line.choices.length > 0 ? { choices: line.choices.map((c) => ({ id: c.id, label: c.label, ...(c.lasting ? { lasting: true } : {}) })) } : {}),
    };
    await this.messages.insertOne(doc);
    return toEntry(doc);
  }

  async appendCustomer(visitorId: string, clientId: string, line: CustomerLine): Promise<{ entry: TranscriptEntry; created: boolean }> {
    const _id = `${visitorId}:c:${clientId}`;
    const existing = await this.messages.findOne({ _id });
    if (existing) return { entry: toEntry(existing), created: false };
    const seq = await this.nextSeq(visitorId);
    const doc: MessageDocument = {
      _id,
      visitorId,
      seq,
      at: this.now(),
      from: 'customer',
      text: line.text,
      clientId,
      ...(line.choiceId ? { choiceId: line.choiceId } : {}),
      ...(line.files && line.files.length > 0 ? { files: line.files.map((f) => ({ ...f })) } : {}),
    };
    try {
      await this.messages.insertOne(doc);
      return { entry: toEntry(doc), created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // a retry of the same message won the race; its seq stays a gap
      const won = await this.messages.findOne({ _id });
      if (!won) throw error;
      return { entry: toEntry(won), created: false };
    }
  }

  async customerEntry(visitorId: string, clientId: string): Promise<TranscriptEntry | undefined> {
    const doc = await this.messages.findOne({ _id: `${visitorId}:c:${clientId}` });
    return doc ? toEntry(doc) : undefined;
  }

  async after(visitorId: string, seq: number, limit: number): Promise<TranscriptEntry[]> {
    const docs = await this.messages
      .find({ visitorId, seq: { $gt: seq } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toEntry);
  }

  async choiceLabel(visitorId: string, choiceId: string): Promise<string | undefined> {
    const doc = await this.messages.findOne({ visitorId, from: 'desk', 'choices.id': choiceId }, { sort: { seq: -1 }, projection: { choices: 1 } });
    return doc?.choices?.find((choice) => choice.id === choiceId)?.label;
  }

  /**
   * Deletes abandoned chats: visitors who started before `before`, wrote nothing since, and have
   * no claim — with their transcript, message counter and conversation — and, sooner, visitors who started before
   * `silentBefore` and never wrote at all (what a flood of new chats leaves). Visitors with a claim
   * or newer messages are kept and looked at again a retention period later. Whether a visitor has
   * a claim, and deleting their conversation, are asked of `records` (the claims' and the
   * conversations' stores). Returns how many were looked at (at most `limit`) and the ids deleted
   * (their uploads go too, see FileStore.deleteOwnedBy).
   */
  async pruneAbandoned(records: Pick<WebVisitorRecords, 'hasClaims' | 'forgetConversation'>, before: Date, limit: number, silentBefore: Date = before): Promise<{ readonly looked: number; readonly pruned: string[] }> {
    const startedBefore = silentBefore > before ? silentBefore : before;
    // looked-at visitors get keptAt = now, so the query moves on through the rest
    const candidates = await this.visitors
      .find({ createdAt: { $lt: startedBefore }, $or: [{ keptAt: { $exists: false } }, { keptAt: { $lt: before } }] }, { projection: { _id: 1, createdAt: 1 } })
      .limit(limit)
      .toArray();
    const pruned: string[] = [];
    for (const { _id: id, createdAt } of candidates) {
      const wrote = (await this.messages.countDocuments({ visitorId: id, from: 'customer' }, { limit: 1 })) > 0;
      // a visitor who wrote: kept while young, with a claim or with news (one who never wrote has no claim)
      if (wrote) {
        const young = createdAt >= before;
        const keep =
          young ||
          (await records.hasClaims(id)) ||
          (await this.messages.countDocuments({ visitorId: id, at: { $gte: before } }, { limit: 1 })) > 0;
        if (keep) {
          await this.visitors.updateOne({ _id: id }, { $set: { keptAt: this.now() } });
          continue;
        }
      }
      // the visitor first: a page still open then starts a new chat rather than writing into a half-deleted one
      await this.visitors.deleteOne({ _id: id });
      await this.messages.deleteMany({ visitorId: id });
      await dropSequence(this.db, sequenceName(id));
      // the conversation goes too, with the update ids it had handled
      await records.forgetConversation(id);
      pruned.push(id);
    }
    return { looked: candidates.length, pruned };
  }

  /** Whether the visitor exists (an erasure finished with them once it is gone). */
  async hasVisitor(visitorId: string): Promise<boolean> {
    return (await this.visitors.countDocuments({ _id: visitorId }, { limit: 1 })) > 0;
  }

  /** A visitor's whole transcript, oldest first (the customer's data export, #26). */
  async transcriptOf(visitorId: string): Promise<TranscriptEntry[]> {
    return (await this.messages.find({ visitorId }).sort({ seq: 1 }).toArray()).map(toEntry);
  }

  /** Deletes the visitor's own lines written after `since`, all of them when undefined (a declined report, #26); the desk's lines stay. */
  async forgetCustomerLines(visitorId: string, since: Date | undefined): Promise<void> {
    await this.messages.deleteMany({ visitorId, from: 'customer', ...(since ? { at: { $gt: since } } : {}) });
  }

  /** Deletes a visitor with their transcript and message counter (the customer's erasure, #26); idempotent. */
  async forget(visitorId: string): Promise<void> {
    await this.visitors.deleteOne({ _id: visitorId });
    await this.messages.deleteMany({ visitorId });
    await dropSequence(this.db, sequenceName(visitorId));
  }

  private nextSeq(visitorId: string): Promise<number> {
    return nextSequence(this.db, sequenceName(visitorId));
  }
}
