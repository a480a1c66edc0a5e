import type { Db } from 'mongodb';
import { createCore } from '../../src/core.js';
import { afterAll, beforeAll } from 'vitest';
import { openTestDatabase, type TestDatabase } from './db.js';
import { randomUUID } from 'node:crypto';
import { draft, exampleDesk } from './fixtures.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { MongoConversationStore } from '../../src/store/conversations.js';
import type { ClaimRegistry, DeskClaims } from '../../src/registry.js';
import { ConversationRunner, type MessageSender, type SendOptions } from '../../flows/runner.js';
import type { Attachment, ClaimDraftInput, ConversationReference } from '../../src/domain/claim.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import type { ConversationState } from '../../flows/state.js';
import type { Choice, HandleResult, InboundContent, Outbound, Sender } from '../../flows/types.js';

/** A fake channel that collects what the bot sends (Rasa's CollectingOutputChannel). Can be told to fail. */
export class CollectingChannel implements MessageSender {
  /** What was sent; `bulk` when the sender was told it may be paced (notifications), false for dialog replies. */
  readonly sent: { to: ConversationReference; message: Outbound; bulk: boolean; fileBytes?: ReadonlyMap<string, Buffer> }[] = [];
  /** While true, every send throws (a channel outage). */
  failing = false;

  send(to: ConversationReference, message: Outbound, options: SendOptions = {}): Promise<void> {
    if (this.failing) return Promise.reject(new Error('channel down'));
    this.sent.push({ to, message, bulk: options.bulk === true, ...(options.fileBytes ? { fileBytes: options.fileBytes } : {}) });
    return Promise.resolve();
  }

  to(chatId: string): Outbound[] {
    return this.sent.filter((s) => s.to.chatId === chatId).map((s) => s.message);
  }
}

/** A controllable clock. */
export class TestClock {
  constructor(public current = new Date('2026-11-23T09:00:00Z')) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Everything a dialog test needs, wired as main.ts wires it, on a real database. */
export interface DeskUnderTest {
  readonly runner: ConversationRunner;
  readonly registry: ClaimRegistry;
  readonly claims: ClaimRepository;
  /** The claim ports as main.ts hands them to the runner, jobs and adapters. */
  readonly ports: DeskClaims;
  readonly store: MongoConversationStore;
  readonly channel: CollectingChannel;
  readonly clock: TestClock;
  /** A fresh runner on the same database and channel, as after a restart. */
  restart(): ConversationRunner;
  /** Registers a claim for this chat's customer directly (a minute after the last one), to set up a test. */
  registerFor(chat: TestChat, overrides?: Partial<ClaimDraftInput>): Promise<Claim>;
  /** The stored conversation state of a chat. */
  stateOf(chat: TestChat): Promise<ConversationState | undefined>;
}

export function deskUnderTest(db: Db, desk: DeskConfig, clock = new TestClock()): DeskUnderTest {
  const channel = new CollectingChannel();
  const make = () => {
    const core = createCore(db, desk, { now: clock.now, senders: { telegram: channel, slack: channel, web: channel } });
    return { claims: core.repository, registry: core.registry, ports: core.claims, store: core.conversationStore, runner: core.conversations };
  };
  const first = make();
  return {
    ...first,
    channel,
    clock,
    restart: () => make().runner,
    async registerFor(chat, overrides = {}) {
      clock.advance(60_000);
      const { channel: via, chatId, userId } = chat.from;
      const { claim } = await first.registry.submit(draft({ customer: { channel: via, userId }, conversation: { channel: via, chatId }, ...overrides }), `test:${randomUUID()}`);
      return claim;
    },
    async stateOf(chat) {
      return (await first.store.load({ channel: chat.from.channel, chatId: chat.from.chatId })).state;
    },
  };
}

let chats = 0;

/**
 * One customer in one chat (Bot Framework's TestAdapter): `await chat.send('/start')`, then
 * `chat.last.text`, `chat.press('Refund')`.
 */
export class TestChat {
  readonly from: Sender;
  /** Replies to the latest input. */
  replies: Outbound[] = [];
  result: HandleResult | undefined;
  private updates = 0;

  /**
   * Whether the customer agrees to the privacy notice (#26) as soon as it is asked: the press
   * follows the input that brought the notice, and `replies` holds both turns' replies. On by
   * default, so a test of something else walks the dialog as before; the consent tests turn it off.
   */
  autoConsent: boolean;

  constructor(
    private runner: Pick<ConversationRunner, 'handle'>,
    options: Partial<Sender> & { readonly autoConsent?: boolean } = {},
  ) {
    const id = String(700_000 + ++chats + Math.floor(Math.random() * 1_000_000) * 1000);
    const { autoConsent = true, ...sender } = options;
    this.autoConsent = autoConsent;
    this.from = { channel: 'telegram', chatId: id, userId: id, displayName: 'Anna', languageCode: 'en', ...sender };
  }

  /** Switches to another runner (a restarted process). */
  useRunner(runner: Pick<ConversationRunner, 'handle'>): void {
    this.runner = runner;
  }

  nextUpdateId(): string {
    return `u${++this.updates}`;
  }

  async deliver(content: InboundContent, updateId = this.nextUpdateId()): Promise<HandleResult> {
    this.result = await this.runner.handle({ updateId, from: this.from, content });
    this.replies = [...this.result.replies];
    const agree = this.autoConsent ? consentAgreeChoice(this.replies) : undefined;
    if (agree) {
      const asked = this.replies;
      this.result = await this.runner.handle({ updateId: this.nextUpdateId(), from: this.from, content: { type: 'choice', choiceId: agree.id } });
      this.replies = [...asked, ...this.result.replies];
    }
    return this.result;
  }

  send(text: string): Promise<HandleResult> {
    return this.deliver({ type: 'text', text });
  }

  /** Presses the button with this label (or id) on the latest message that has buttons. */
  press(label: string): Promise<HandleResult> {
    return this.deliver({ type: 'choice', choiceId: this.choice(label).id });
  }

  sendFiles(attachments: Attachment[], caption?: string): Promise<HandleResult> {
    return this.deliver({ type: 'files', attachments, ...(caption !== undefined ? { caption } : {}) });
  }

  /** The latest reply. */
  get last(): Outbound {
    const last = this.replies.at(-1);
    if (!last) throw new Error('no reply');
    return last;
  }

  /** All reply texts of the latest input, joined. */
  get text(): string {
    return this.replies.map((r) => r.text).join('\n---\n');
  }

  /** The buttons of the latest reply that has any. */
  get choices(): readonly Choice[] {
    return [...this.replies].reverse().find((r) => r.choices && r.choices.length > 0)?.choices ?? [];
  }

  choice(label: string): Choice {
    const found = this.choices.find((c) => c.label === label || c.id === label);
    if (!found) throw new Error(`no button "${label}" among: ${this.choices.map((c) => c.label).join(' | ')}`);
    return found;
  }
}

/** The "I agree" button of the privacy notice (#26), when the latest reply asks for consent. */
export function consentAgreeChoice(replies: readonly Outbound[]): Choice | undefined {
  const last = replies.at(-1);
  const choices = last?.choices ?? [];
  const isConsent = choices.some((c) => /^\d+\.decline$/.test(c.id));
  return isConsent ? choices.find((c) => /^\d+\.agree$/.test(c.id)) : undefined;
}

/** A Telegram photo reference. */
export function photo(n: number): Attachment {
  return { channel: 'telegram', kind: 'photo', fileId: `AgACAgIAAxkBAAI${n}`, mimeType: 'image/jpeg', sizeBytes: 120_000 + n };
}

/** What `setupDesk` provides to a test file once its `beforeAll` has run. */
export interface DeskFixture {
  app: DeskUnderTest;
  db: TestDatabase;
  desk: DeskConfig;
}

/**
 * Registers the hooks that give a test file its own database, indexes and a wired desk, and
 * drops the database afterwards.
 * @example const env = setupDesk('intake'); it('…', async () => { const chat = new TestChat(env.app.runner); … });
 */
export function setupDesk(label: string, options: { tweak?: (desk: DeskConfig) => DeskConfig; clock?: TestClock } = {}): DeskFixture {
  const fixture = {} as DeskFixture;
  beforeAll(async () => {
    fixture.db = await openTestDatabase(label);
    await ensureIndexes(fixture.db.db);
    const desk = await exampleDesk();
    fixture.desk = options.tweak ? options.tweak(desk) : desk;
    fixture.app = deskUnderTest(fixture.db.db, fixture.desk, options.clock);
  });
  afterAll(async () => {
    await fixture.db.close();
  });
  return fixture;
}
