/**
 * The failure policy: an update whose handling fails for good (here: a claim document the code
 * cannot read, as a hand-made import would leave) is set aside as a dead letter, the customer gets
 * one apology, and it counts as handled; other chats, and later updates of the same chat, go on.
 */
import { describe, expect, it } from 'vitest';
import { MongoNetworkError } from 'mongodb';
import { t } from '../../src/i18n/index.js';
import { failureOf } from '../../src/failures.js';
import { DomainError } from '../../src/domain/errors.js';
import { ConversationRunner, TurnError } from '../../flows/runner.js';
import { DeadLetterStore } from '../../src/store/dead-letters.js';
import { setupDesk, TestChat } from '../support/chat.js';
import { poisonedClaim } from '../support/fixtures.js';

describe('failureOf (the policy)', () => {
  it.each([
    [new MongoNetworkError('connection refused'), { code: 'DATABASE_UNAVAILABLE', retryable: true }],
    [new DomainError('CONCURRENT_UPDATE', 'lost a race'), { code: 'CONCURRENT_UPDATE', retryable: true }],
    [new DomainError('INVALID_TRANSITION', 'no'), { code: 'INVALID_TRANSITION', retryable: false }],
    [new TurnError('CONVERSATION_CONTENDED', true, 'busy'), { code: 'CONVERSATION_CONTENDED', retryable: true }],
    [new TurnError('STEP_LOOPED', false, 'bug'), { code: 'STEP_LOOPED', retryable: false }],
    [new TypeError('x is not a function'), { code: 'TypeError', retryable: false }],
    ['a string', { code: 'UNKNOWN', retryable: false }],
  ])('%s → %j', (error, failure) => {
    expect(failureOf(error)).toEqual(failure);
  });
});

describe('an update that cannot be handled', () => {
  const env = setupDesk('failure');

  it('is set aside once with its code, the customer is asked to try again, and nothing after it waits', async () => {
    const poisoned = new TestChat(env.app.runner);
    const other = new TestChat(env.app.runner);
    await env.db.db.collection('claims').insertOne(poisonedClaim('telegram', poisoned.from.userId));

    const failed = await poisoned.deliver({ type: 'text', text: '/status' }, 'poison-1');
    expect(failed.outcome).toBe('failed');
    expect(poisoned.text).toBe(t('en', 'failure.try_again'));
    // redelivered: handled once, no second apology
    const again = await poisoned.deliver({ type: 'text', text: '/status' }, 'poison-1');
    expect(again).toMatchObject({ outcome: 'duplicate', replies: [] });
    expect(env.app.channel.to(poisoned.from.chatId).filter((m) => m.text === t('en', 'failure.try_again'))).toHaveLength(1);

    const letters = await new DeadLetterStore(env.db.db).list();
    expect(letters).toEqual([{ channel: 'telegram', chatId: poisoned.from.chatId, updateId: 'poison-1', code: 'TypeError', at: expect.any(Date) as Date }]);
    // ids and the code only: the text the customer sent is not kept
    expect(JSON.stringify(await env.db.db.collection('dead_letters').find({}).toArray())).not.toContain('/status');

    // another chat goes on as usual, and so does this one with what does not touch the bad claim
    await other.send('/start');
    expect(other.result?.outcome).toBe('handled');
    expect(other.text).toContain(t('en', 'ask.intake.kind'));
    await poisoned.send('/help');
    expect(poisoned.text).toBe(t('en', 'help'));
  });

  it('is retried when retrying can help: the runner rejects and records nothing', async () => {
    // the desk's runner, but its claims unreachable
    const runner = new ConversationRunner({
      desk: env.desk,
      store: env.app.store,
      claims: { ...env.app.ports, listForCustomer: () => Promise.reject(new MongoNetworkError('the database is gone')) },
      senders: { telegram: env.app.channel },
      classify: failureOf,
      deadLetters: new DeadLetterStore(env.db.db),
    });
    const chat = new TestChat(runner);
    await expect(chat.deliver({ type: 'text', text: '/status' }, 'outage-1')).rejects.toBeInstanceOf(MongoNetworkError);
    expect(await env.db.db.collection('dead_letters').countDocuments({ updateId: 'outage-1' })).toBe(0);
    expect(await env.app.store.load({ channel: 'telegram', chatId: chat.from.chatId }).then((c) => c.hasProcessed('outage-1'))).toBe(false);
  });
});
