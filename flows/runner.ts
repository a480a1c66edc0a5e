import type { Attachment, Channel, ClaimDraftInput, ConversationReference, CustomerIdentity } from '../src/domain/claim.js';
import type { DeskConfig } from '../src/domain/desk.js';
import { isDomainError } from '../src/domain/errors.js';
import type { Claim } from '../src/domain/lifecycle.js';
import type { SurveyScore } from '../src/domain/survey.js';
import type { Request, RequestResult } from './core.js';
import { filesTarget, isIdle, step } from './engine.js';
import { pickLocale } from '../src/domain/locale.js';
import { t } from '../src/i18n/index.js';
import type { ConversationKey, ConversationStore, Outbox, StoredConversation } from './state.js';
import { customerOf, referenceOf, type HandleResult, type Inbound, type Outbound, type Sender } from './types.js';

/** The claim operations the dialogs need: the store's reads and the registry's changes (bound by `deskClaims` in src/registry.ts). */
export interface ClaimsPort {
  listForCustomer(customer: CustomerIdentity, limit?: number): Promise<Claim[]>;
  findForCustomer(customer: CustomerIdentity, number: string): Promise<Claim | undefined>;
  submit(draft: ClaimDraftInput, idempotencyKey: string): Promise<{ readonly claim: Claim; readonly created: boolean }>;
  addCustomerInfo(claimId: string, customer: CustomerIdentity, info: { readonly text?: string; readonly attachments: readonly Attachment[] }, eventId: string): Promise<Claim>;
  answerSurvey(customer: CustomerIdentity, number: string, answer: { readonly score: SurveyScore } | { readonly comment: string }): Promise<Claim>;
  /** The customer disputes the decision on their claim (#25); refused when it can no longer be. */
  disputeDecision(claimId: string, customer: CustomerIdentity, text: string, decisionEventId?: string): Promise<Claim>;
}

/** How a message is sent: `bulk` for messages no customer is waiting on (notifications), paced by the channel. */
export interface SendOptions {
  readonly bulk?: boolean;
  /** The bytes of the message's files (`Outbound.files`) by file id, read by the notification job before it sends. */
  readonly fileBytes?: ReadonlyMap<string, Buffer>;
  /**
   * A message the channel sends in several parts (a long text's pieces, then its files): how many
   * reached the customer on an earlier try (they are skipped), and what to call once each part but
   * the last is sent (the notification job records it, so a retry never repeats a part).
   */
  readonly fromPart?: number;
  readonly onPart?: (sent: number) => Promise<void>;
}

/**
 * Sends a message's parts in order from `options.fromPart`, telling `options.onPart` after each
 * one but the last: the one way every channel sends a message in several parts.
 * @example await sendParts(pieces, (piece) => transport.send(piece), options);
 */
export async function sendParts<P>(parts: readonly P[], send: (part: P) => Promise<void>, options: SendOptions | undefined): Promise<void> {
  for (let index = options?.fromPart ?? 0; index < parts.length; index++) {
    const part = parts[index] as P;
    await send(part);
    if (index + 1 < parts.length) await options?.onPart?.(index + 1);
  }
}

/**
 * The bytes of one of a message's files, from `options.fileBytes`; a sender given a message with
 * files and not their bytes is a mistake of the caller (thrown, so the job retries and records it).
 * @example const bytes = fileBytesOf(options, file);
 */
export function fileBytesOf(options: SendOptions | undefined, file: { readonly fileId: string }): Buffer {
  const bytes = options?.fileBytes?.get(file.fileId);
  if (!bytes) throw new Error(`the bytes of file ${file.fileId} were not read before sending`);
  return bytes;
}

/** Sends a message to a customer in one channel (implemented by each adapter). */
export interface MessageSender {
  /**
   * Sends at once (a dialog reply) unless `options.bulk`: then the channel may make it wait for its
   * rate limits. Throws RecipientUnreachableError when the channel refuses this chat for good.
   */
  send(to: ConversationReference, message: Outbound, options?: SendOptions): Promise<void>;
  /**
   * Drops what the channel itself keeps of the customer's own words in this chat written after
   * `since` (all of them when undefined): a report the customer declined leaves nothing behind
   * (#26; the web chat's transcript). Channels that keep nothing of their own leave it out.
   */
  forgetCustomerWords?(to: ConversationReference, since: Date | undefined): Promise<void>;
}

/**
 * The channel refuses messages to this chat and retrying cannot help (the customer blocked the
 * bot, the chat is gone). The runner records it on the conversation and drops the replies.
 */
export class RecipientUnreachableError extends Error {
  constructor(message = 'the channel refuses messages to this chat') {
    super(message);
    this.name = 'RecipientUnreachableError';
  }
}

/** What `accept` reports once an update is recorded; its replies are still being sent. */
export type Recorded = Omit<HandleResult, 'delivered'>;

/** What the runner reports about its work; never personal data. */
export interface RunnerLogger {
  warn(message: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void;
}

/** What went wrong with an update, as a code, and whether handling it again can succeed. */
export interface Failure {
  readonly code: string;
  readonly retryable: boolean;
}

/** An update set aside because handling it failed for good: ids and the code only, never its text. */
export interface DeadLetter {
  readonly channel: Channel;
  readonly chatId: string;
  readonly updateId: string;
  readonly code: string;
  readonly at: Date;
}

/** Where set-aside updates are kept (implemented in src/store). */
export interface DeadLetterPort {
  record(letter: DeadLetter): Promise<void>;
}

/** A fault of the runner itself, with its code and whether handling the update again can help. */
export class TurnError extends Error {
  override readonly name = 'TurnError';
  constructor(
    readonly code: 'CONVERSATION_CONTENDED' | 'STEP_LOOPED',
    readonly retryable: boolean,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What the runner tells about its work, for metrics: an update taken up, how it was recorded and
 * how long its step took (load, step, save; sending not included), and a dead letter's code.
 * `retry`: not recorded, the channel delivers the update again.
 */
export interface RunnerObserver {
  received(channel: Channel): void;
  recorded(channel: Channel, outcome: HandleResult['outcome'] | 'retry', seconds: number): void;
  setAside(channel: Channel, code: string): void;
}

export interface RunnerOptions {
  readonly desk: DeskConfig;
  readonly store: ConversationStore;
  readonly claims: ClaimsPort;
  /** One sender per channel the desk runs. */
  readonly senders: Partial<Record<Channel, MessageSender>>;
  readonly now?: () => Date;
  readonly logger?: RunnerLogger;
  /**
   * The failure policy: what a failure is and whether retrying can help (the database or the
   * network unreachable). A retryable failure rejects, so the channel delivers the update again; any
   * other is set aside in `deadLetters`, the customer gets one apology, and the update counts as
   * handled, so nothing after it waits. Without it every failure is retried (the safe default for a
   * runner built by hand; the desk's core passes the policy).
   */
  readonly classify?: (error: unknown) => Failure;
  readonly deadLetters?: DeadLetterPort;
  readonly observer?: RunnerObserver;
  /** Registers a customer's request for their data (`/mydata`, #26), durably, before they are told. */
  readonly dataRequests?: DataRequestPort;
}

/** Where `/mydata` requests are registered (src/customer-data.ts): once per update. */
export interface DataRequestPort {
  register(customer: CustomerIdentity, chatId: string, updateId: string): Promise<{ readonly id: string }>;
}

/** How many claims the dialogs read for a customer (status list, last contact, waiting claims). */
export const CUSTOMER_CLAIMS_LIMIT = 20;
const MAX_ATTEMPTS = 8;
const MAX_REQUESTS_PER_TURN = 8;

/** Domain refusals a dialog answers in words; anything else is a fault and propagates. */
const REFUSALS = new Set(['CLAIM_NOT_FOUND', 'INVALID_TRANSITION', 'UNKNOWN_CATEGORY', 'INVALID_CLAIM']);

/** Tells `onRecorded` (if any) and returns the result: a duplicate counts as recorded. */
function recordedAs(result: HandleResult, onRecorded: ((result: HandleResult) => void) | undefined): HandleResult {
  onRecorded?.(result);
  return result;
}

/** Requests that change a claim: carried out only on state read from the database in this turn. */
const WRITING_REQUESTS: ReadonlySet<Request['type']> = new Set(['register', 'add_info', 'survey_answer', 'data_request', 'dispute']);
/** How many recently saved conversations each runner keeps (a few hundred bytes to a few KB each). */
const RECENT_LIMIT = 5_000;
/** How many turns a kept conversation is used for before it is read from the database again. */
const RECENT_UPDATES = 100;

/** A conversation as this process last saved it, and whether it came from the database this turn. */
interface Loaded {
  readonly conversation: StoredConversation;
  readonly fromDatabase: boolean;
}

/**
 * The conversations this process saved most recently, as it saved them, so the next turn of a
 * chat needs no read. Safe because every save is a compare-and-swap on the version: if another
 * instance moved the conversation on, the save misses and the turn starts over from the
 * database. Claim-changing requests are never carried out on a kept copy (see WRITING_REQUESTS).
 */
class RecentConversations {
  private readonly entries = new Map<string, { conversation: StoredConversation; base: StoredConversation; updates: string[] }>();

  get(chat: string): StoredConversation | undefined {
    const entry = this.entries.get(chat);
    if (!entry) return undefined;
    // least recently used first: touch it
    this.entries.delete(chat);
    this.entries.set(chat, entry);
    return entry.conversation;
  }

  /** Keeps the conversation as saved by the turn that started from `from`. */
  saved(chat: string, from: Loaded, saved: Omit<StoredConversation, 'hasProcessed'>, updateId: string): void {
    const previous = this.entries.get(chat);
    // the update ids: those of the last read from the database, plus every one saved since (after
    // RECENT_UPDATES of them the copy is dropped and the next turn reads the database again, so
    // no id handled in between is ever forgotten)
    const continues = !from.fromDatabase && previous?.conversation === from.conversation;
    if (continues && previous.updates.length >= RECENT_UPDATES) {
      this.entries.delete(chat);
      return;
    }
    const base = continues ? previous.base : from.conversation;
    const updates = continues ? [...previous.updates, updateId] : [updateId];
    const conversation: StoredConversation = { ...saved, hasProcessed: async (id) => updates.includes(id) || (await base.hasProcessed(id)) };
    this.entries.delete(chat);
    this.entries.set(chat, { conversation, base, updates });
    if (this.entries.size > RECENT_LIMIT) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Records a change made after the save (replies sent, the chat found unreachable). */
  update(chat: string, version: number, change: Partial<Pick<StoredConversation, 'outbox' | 'unreachableSince'>>): void {
    const entry = this.entries.get(chat);
    if (entry?.conversation.version === version) entry.conversation = { ...entry.conversation, ...change };
  }

  forget(chat: string): void {
    this.entries.delete(chat);
  }
}

/** Runs tasks one after another per key, different keys in parallel. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Settles once every task queued so far (and any queued meanwhile) has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/**
 * The thin runner around the engine: for each inbound update it loads the conversation, steps
 * (carrying out the requests the step makes), saves the new state together with the update id
 * and the replies (compare-and-swap; on a conflict it starts over), then sends the replies.
 * Updates of one chat run in order; a redelivered update is recognised and ignored.
 * @example
 * const runner = new ConversationRunner({ desk, store, claims: registry, senders: { telegram } });
 * await runner.handle({ updateId: 'tg:1', from, content: { type: 'text', text: '/start' } });
 */
export class ConversationRunner {
  private readonly queue = new KeyedQueue();
  private readonly recent = new RecentConversations();
  private readonly now: () => Date;
  private readonly senders: Partial<Record<Channel, MessageSender>>;

  constructor(private readonly options: RunnerOptions) {
    this.now = options.now ?? (() => new Date());
    this.senders = { ...options.senders };
  }

  /** Connects (or replaces) the sender of a channel, for adapters created after the runner. */
  setSender(channel: Channel, sender: MessageSender): void {
    this.senders[channel] = sender;
  }

  /** The sender of a channel, for messages outside a dialog turn (notifications), or undefined. */
  senderFor(channel: Channel): MessageSender | undefined {
    return this.senders[channel];
  }

  /** Handles one inbound update and sends its replies; settles when all is done. */
  handle(input: Inbound): Promise<HandleResult> {
    const key: ConversationKey = { channel: input.from.channel, chatId: input.from.chatId };
    return this.queue.run(`${key.channel}:${key.chatId}`, () => this.process(key, input));
  }

  /**
   * Handles one inbound update but settles as soon as it is recorded (stepped and saved with its
   * replies); the replies are sent afterwards, still in order per chat. For webhooks and polling:
   * the channel gets its acknowledgement without waiting on rate limits. Rejects only when the
   * update could not be recorded (the database is down), so the channel delivers it again.
   */
  accept(input: Inbound): Promise<Recorded> {
    const key: ConversationKey = { channel: input.from.channel, chatId: input.from.chatId };
    return new Promise<Recorded>((resolve, reject) => {
      let recorded = false;
      const done = this.queue.run(`${key.channel}:${key.chatId}`, () =>
        this.process(key, input, (result) => {
          recorded = true;
          resolve(result);
        }),
      );
      done.catch((error: unknown) => {
        if (!recorded) reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /**
   * Where files this chat sends now would go (a key naming the report or the claim), or undefined
   * when no dialog step takes files: for channels that store the files themselves (the web chat).
   */
  async filesTarget(from: Sender): Promise<string | undefined> {
    const loaded = await this.options.store.load({ channel: from.channel, chatId: from.chatId });
    const now = this.now();
    const target = filesTarget(loaded.state, this.options.desk, now);
    if (target !== undefined || (loaded.state && loaded.state.flowId !== null && !isIdle(loaded.state, this.options.desk, now))) return target;
    // between dialogs, staff asking this customer for information asks for files too (the dialogs
    // then add them to that claim, or ask which one when several wait)
    const claims = await this.options.claims.listForCustomer(customerOf(from), CUSTOMER_CLAIMS_LIMIT);
    const awaiting = claims.find((claim) => claim.status === 'awaiting_customer');
    return awaiting ? `claim:${awaiting.id}` : undefined;
  }

  /** Settles once every update handed over so far was handled and its replies sent or kept. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /**
   * Closes dialogs idle for longer than the desk allows, telling each customer politely.
   * Returns how many conversations were closed. Meant to run periodically (a job).
   */
  async expireIdle(limit = 100): Promise<number> {
    const now = this.now();
    const cutoff = new Date(now.getTime() - this.options.desk.conversation.idleMinutes * 60_000);
    const keys = await this.options.store.listIdle(cutoff, limit);
    let closed = 0;
    for (const key of keys) {
      const result = await this.handle({
        updateId: `idle:${now.getTime()}`,
        from: { channel: key.channel, chatId: key.chatId, userId: key.chatId },
        content: { type: 'idle_timeout' },
      });
      if (result.replies.length > 0) closed++;
    }
    return closed;
  }

  private async process(key: ConversationKey, input: Inbound, onRecorded?: (result: Recorded) => void): Promise<HandleResult> {
    const chat = `${key.channel}:${key.chatId}`;
    const { observer } = this.options;
    observer?.received(key.channel);
    const started = performance.now();
    let told = false;
    const tell = (outcome: Recorded['outcome'] | 'retry') => {
      if (told) return;
      told = true;
      observer?.recorded(key.channel, outcome, (performance.now() - started) / 1000);
    };
    const recorded = (result: Recorded) => {
      tell(result.outcome);
      onRecorded?.(result);
    };
    try {
      return await this.processTurn(key, chat, input, recorded);
    } catch (error) {
      this.recent.forget(chat);
      const failure = this.options.classify?.(error) ?? { code: 'UNCLASSIFIED', retryable: true };
      if (failure.retryable) {
        tell('retry');
        throw error;
      }
      return this.setAside(key, input, failure, recorded);
    }
  }

  /**
   * Records an update whose handling failed for good as handled: a dead letter (ids and the code),
   * then the update id saved with the conversation (its state unchanged) and one apology in the
   * outbox, in one compare-and-swap, so a redelivery is a duplicate and nothing after it waits.
   */
  private async setAside(key: ConversationKey, input: Inbound, failure: Failure, onRecorded?: (result: Recorded) => void): Promise<HandleResult> {
    const { desk, store, deadLetters, logger } = this.options;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loaded = await store.load(key);
      if (await loaded.hasProcessed(input.updateId)) return recordedAs({ outcome: 'duplicate', replies: [] }, onRecorded);
      const now = this.now();
      const locale = loaded.state?.locale ?? pickLocale(input.from.languageCode, desk.desk.defaultLocale);
      const state = loaded.state ?? { flowId: null, flowVersion: 0, stepId: null, answers: {}, lastActivityAt: now, locale };
      const apology: Outbound = { text: t(locale, 'failure.try_again'), expects: 'none' };
      await deadLetters?.record({ channel: key.channel, chatId: key.chatId, updateId: input.updateId, code: failure.code, at: now });
      const outbox: Outbox = { updateId: input.updateId, to: referenceOf(input.from), messages: [...(loaded.outbox?.messages ?? []), apology] };
      const saved = await store.commit(key, loaded.version, state, input.updateId, outbox);
      if (saved.outcome === 'duplicate') return recordedAs({ outcome: 'duplicate', replies: [] }, onRecorded);
      if (saved.outcome === 'conflict') continue;
      logger?.warn('an update could not be handled; set aside, the customer was asked to try again', { channel: key.channel, code: failure.code });
      this.options.observer?.setAside(key.channel, failure.code);
      const result = { outcome: 'failed' as const, replies: [apology] };
      onRecorded?.(result);
      return { ...result, delivered: await this.deliver(key, saved.version, outbox) };
    }
    throw new TurnError('CONVERSATION_CONTENDED', true, 'the conversation kept changing while a failed update was set aside');
  }

  private async processTurn(key: ConversationKey, chat: string, input: Inbound, onRecorded?: (result: Recorded) => void): Promise<HandleResult> {
    let kept = this.recent.get(chat);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const from: Loaded = kept ? { conversation: kept, fromDatabase: false } : { conversation: await this.options.store.load(key), fromDatabase: true };
      const { conversation: loaded, fromDatabase } = from;
      kept = undefined;
      // replies of an earlier turn that were saved but not sent (a crash, a channel outage): send
      // them first; if they still cannot go, they stay in the outbox ahead of this turn's replies
      const undelivered = loaded.outbox && !(await this.deliver(key, loaded.version, loaded.outbox)) ? loaded.outbox.messages : [];
      if (await loaded.hasProcessed(input.updateId)) return recordedAs({ outcome: 'duplicate', replies: [] }, onRecorded);

      const now = this.now();
      const results = new Map<string, RequestResult>();
      let outcome = step(loaded.state, input, { desk: this.options.desk, now, results });
      let stale = false;
      for (let requests = 0; outcome.kind === 'need'; requests++) {
        if (requests >= MAX_REQUESTS_PER_TURN) throw new TurnError('STEP_LOOPED', false, `a step kept asking for more (last: ${outcome.request.type})`);
        // a claim is changed only on the state as the database has it now
        if (!fromDatabase && WRITING_REQUESTS.has(outcome.request.type)) {
          stale = true;
          break;
        }
        results.set(outcome.request.id, await this.perform(outcome.request, input));
        outcome = step(loaded.state, input, { desk: this.options.desk, now, results });
      }
      if (stale || outcome.kind === 'need') continue;

      const messages = [...undelivered, ...outcome.replies];
      const outbox: Outbox | undefined = messages.length > 0 ? { updateId: input.updateId, to: referenceOf(input.from), messages } : undefined;
      // the customer wrote, so the channel takes messages to this chat again
      const reachable = input.content.type !== 'idle_timeout';
      const saved = await this.options.store.commit(key, loaded.version, outcome.state, input.updateId, outbox, reachable ? { reachable } : {});
      if (saved.outcome !== 'committed') this.recent.forget(chat);
      if (saved.outcome === 'duplicate') return recordedAs({ outcome: 'duplicate', replies: [] }, onRecorded);
      if (saved.outcome === 'conflict') continue;
      this.recent.saved(chat, from, { key, version: saved.version, state: outcome.state, outbox, unreachableSince: reachable ? undefined : loaded.unreachableSince }, input.updateId);
      const result = { outcome: 'handled' as const, replies: outcome.replies, ...(outcome.notice !== undefined ? { notice: outcome.notice } : {}) };
      onRecorded?.(result);
      const delivered = outbox ? await this.deliver(key, saved.version, outbox) : true;
      if (outcome.forget && delivered) {
        // the customer declined the privacy notice: once told, the conversation itself goes (kept
        // until then, so the answer is not lost; what is kept holds none of the report)
        this.recent.forget(chat);
        await this.options.store.forget(key);
        await this.forgetCustomerWords(input.from);
      }
      return { ...result, delivered };
    }
    throw new TurnError('CONVERSATION_CONTENDED', true, 'the conversation kept changing while this update was handled');
  }

  /**
   * After a declined report: the channel drops the customer's words it keeps of its own, those
   * written since their newest claim was registered (earlier ones belong to claims). A failure is
   * logged and left to the channel's own housekeeping: the conversation is gone already, and the
   * update is recorded.
   */
  private async forgetCustomerWords(from: Sender): Promise<void> {
    const sender = this.senders[from.channel];
    if (!sender?.forgetCustomerWords) return;
    try {
      const newest = (await this.options.claims.listForCustomer(customerOf(from), 1))[0];
      await sender.forgetCustomerWords(referenceOf(from), newest?.createdAt);
    } catch (error) {
      this.options.logger?.warn('the channel kept the words of a declined report; its housekeeping removes them', { channel: from.channel, error: error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** Carries out a step's request. Idempotency keys come from the conversation, so a retry repeats nothing. */
  private async perform(request: Request, input: Inbound): Promise<RequestResult> {
    const { claims } = this.options;
    const customer = customerOf(input.from);
    const chat = `${input.from.channel}:${input.from.chatId}`;
    try {
      switch (request.type) {
        case 'customer_claims':
          return { type: 'claims', claims: await claims.listForCustomer(customer, CUSTOMER_CLAIMS_LIMIT) };
        case 'claim_by_number':
          return { type: 'claim', claim: await claims.findForCustomer(customer, request.number) };
        case 'register':
          return { type: 'registered', claim: (await claims.submit(request.draft, `${chat}:${request.draftId}`)).claim };
        case 'add_info': {
          const infoToAdd = { attachments: request.attachments, ...(request.text !== undefined ? { text: request.text } : {}) };
          return { type: 'info_added', claim: await claims.addCustomerInfo(request.claimId, customer, infoToAdd, `info:${chat}:${input.updateId}`) };
        }
        case 'survey_answer':
          return { type: 'survey_recorded', claim: await claims.answerSurvey(customer, request.number, request.answer) };
        case 'data_request': {
          const requests = this.options.dataRequests;
          if (!requests) return { type: 'data_requested' };
          return { type: 'data_requested', requestId: (await requests.register(customer, input.from.chatId, input.updateId)).id };
        }
        case 'dispute':
          return { type: 'disputed', claim: await claims.disputeDecision(request.claimId, customer, request.text, request.decisionEventId) };
      }
    } catch (error) {
      if (isDomainError(error) && REFUSALS.has(error.code)) return { type: 'refused', code: error.code };
      throw error;
    }
  }

  /**
   * Sends saved replies, then marks them sent. Returns false when they could not be sent; they
   * stay saved and go out with the next turn.
   */
  private async deliver(key: ConversationKey, version: number, outbox: Outbox): Promise<boolean> {
    const chat = `${key.channel}:${key.chatId}`;
    const sender = this.senders[outbox.to.channel];
    if (!sender) {
      this.options.logger?.warn('no sender for channel; replies kept', { channel: outbox.to.channel });
      return false;
    }
    try {
      for (const message of outbox.messages) await sender.send(outbox.to, message);
    } catch (error) {
      if (error instanceof RecipientUnreachableError) {
        // retrying cannot help: remember it for the jobs and drop the replies
        const since = this.now();
        await this.options.store.setUnreachable(key, since);
        await this.options.store.clearOutbox(key, outbox.updateId);
        this.recent.update(chat, version, { outbox: undefined, unreachableSince: since });
        this.options.logger?.warn('the channel refuses this chat (bot blocked); replies dropped', { channel: key.channel });
        return false;
      }
      this.options.logger?.warn('sending replies failed; they will be sent on the next turn', { channel: key.channel, error: error instanceof Error ? error.name : 'unknown' });
      return false;
    }
    await this.options.store.clearOutbox(key, outbox.updateId);
    this.recent.update(chat, version, { outbox: undefined });
    return true;
  }
}
