import { describe, expect, it } from 'vitest';
import { setupDesk, TestChat, TestClock } from '../support/chat.js';
import { t } from '../../src/i18n/index.js';

const clock = new TestClock();
const MINUTE = 60_000;
const env = setupDesk('idle', { clock, tweak: (desk) => ({ ...desk, conversation: { idleMinutes: 30 } }) });

const stateOf = async (chat: TestChat) => (await env.app.store.load({ channel: 'telegram', chatId: chat.from.chatId })).state;

describe('an idle conversation', () => {
  it('is closed politely when the customer comes back after the idle time, and the new message starts afresh', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/new');
    await chat.press(t('en', 'kind.claim'));
    clock.advance(31 * MINUTE);
    await chat.send('/status');
    expect(chat.replies[0]?.text).toBe(t('en', 'idle.closed', { minutes: 30 }));
    expect(chat.text).toContain(t('en', 'status.none'));
    expect((await stateOf(chat))?.flowId).toBeNull();
  });

  it('is not closed before the idle time', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/new');
    clock.advance(29 * MINUTE);
    await chat.press(t('en', 'kind.claim'));
    expect(chat.text).not.toContain(t('en', 'idle.closed', { minutes: 30 }));
    expect((await stateOf(chat))?.stepId).toBe('category');
  });

  it('is closed by the periodic sweep, once, with a message to the customer', async () => {
    const waiting = new TestChat(env.app.runner);
    const recent = new TestChat(env.app.runner);
    const between = new TestChat(env.app.runner);
    await waiting.send('/new');
    await between.send('/help');
    clock.advance(40 * MINUTE);
    await recent.send('/new');

    const sentBefore = env.app.channel.to(waiting.from.chatId).length;
    const closed = await env.app.runner.expireIdle();
    expect(closed).toBeGreaterThanOrEqual(1);
    expect(env.app.channel.to(waiting.from.chatId).slice(sentBefore).map((m) => m.text)).toEqual([t('en', 'idle.closed', { minutes: 30 })]);
    expect((await stateOf(waiting))?.flowId).toBeNull();
    expect((await stateOf(recent))?.flowId).toBe('intake');
    expect((await stateOf(between))?.flowId).toBeNull();

    // a second sweep finds nothing more to close and sends nothing
    const sentAfter = env.app.channel.sent.length;
    clock.advance(MINUTE);
    expect(await env.app.runner.expireIdle()).toBe(0);
    expect(env.app.channel.sent.length).toBe(sentAfter);
  });
});
