import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { exampleDesk } from '../support/fixtures.js';
import { deskUnderTest, TestChat, TestClock, type DeskUnderTest } from '../support/chat.js';
import { t } from '../../src/i18n/index.js';

let db: TestDatabase;
let app: DeskUnderTest;
const clock = new TestClock();
const MINUTE = 60_000;

beforeAll(async () => {
  db = await openTestDatabase('idle');
  await ensureIndexes(db.db);
  const desk = await exampleDesk();
  app = deskUnderTest(db.db, { ...desk, conversation: { idleMinutes: 30 } }, clock);
});
afterAll(async () => {
  await db.close();
});

const stateOf = async (chat: TestChat) => (await app.store.load({ channel: 'telegram', chatId: chat.from.chatId })).state;

describe('an idle conversation', () => {
  it('is closed politely when the customer comes back after the idle time, and the new message starts afresh', async () => {
    const chat = new TestChat(app.runner);
    await chat.send('/new');
    await chat.press(t('en', 'kind.claim'));
    clock.advance(31 * MINUTE);
    await chat.send('/status');
    expect(chat.replies[0]?.text).toBe(t('en', 'idle.closed', { minutes: 30 }));
    expect(chat.text).toContain(t('en', 'status.none'));
    expect((await stateOf(chat))?.flowId).toBeNull();
  });

  it('is not closed before the idle time', async () => {
    const chat = new TestChat(app.runner);
    await chat.send('/new');
    clock.advance(29 * MINUTE);
    await chat.press(t('en', 'kind.claim'));
    expect(chat.text).not.toContain(t('en', 'idle.closed', { minutes: 30 }));
    expect((await stateOf(chat))?.stepId).toBe('category');
  });

  it('is closed by the periodic sweep, once, with a message to the customer', async () => {
    const waiting = new TestChat(app.runner);
    const recent = new TestChat(app.runner);
    const between = new TestChat(app.runner);
    await waiting.send('/new');
    await between.send('/help');
    clock.advance(40 * MINUTE);
    await recent.send('/new');

    const sentBefore = app.channel.to(waiting.from.chatId).length;
    const closed = await app.runner.expireIdle();
    expect(closed).toBeGreaterThanOrEqual(1);
    expect(app.channel.to(waiting.from.chatId).slice(sentBefore).map((m) => m.text)).toEqual([t('en', 'idle.closed', { minutes: 30 })]);
    expect((await stateOf(waiting))?.flowId).toBeNull();
    expect((await stateOf(recent))?.flowId).toBe('intake');
    expect((await stateOf(between))?.flowId).toBeNull();

    // a second sweep finds nothing more to close and sends nothing
    const sentAfter = app.channel.sent.length;
    clock.advance(MINUTE);
    expect(await app.runner.expireIdle()).toBe(0);
    expect(app.channel.sent.length).toBe(sentAfter);
  });
});
