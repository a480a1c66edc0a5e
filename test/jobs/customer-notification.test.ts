import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, VIEWS } from '../../adapters/slack/render.js';
import { NOTIFY_JOB } from '../../src/jobs/customer-notification.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry } from '../../src/registry.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import type { ConversationReference } from '../../src/domain/claim.js';
import { RecipientUnreachableError, type SendOptions } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';
import { CollectingChannel } from '../support/chat.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { MARIA, QUALITY, SlackDesk, TEAM } from '../support/slack-desk.js';

/** A Telegram stand-in: collects messages; some chats have blocked the bot, or the channel is down. */
class TelegramStandIn extends CollectingChannel {
  readonly blocked = new Set<string>();
  attempts = 0;

  override send(to: ConversationReference, message: Outbound, options?: SendOptions): Promise<void> {
    this.attempts++;
    if (this.blocked.has(to.chatId)) return Promise.reject(new RecipientUnreachableError());
    return super.send(to, message, options);
  }
}


describe('customer notifications: every event for the customer reaches them once, in their language, where they wrote', () => {
  let desk: SlackDesk;
  const telegram = new TelegramStandIn();

  beforeAll(async () => {
    desk = await SlackDesk.start({ senders: { telegram }, notifications: { sweepEvery: 300, graceMs: 0, retry: { delayMs: 100, maxDelayMs: 200, maxRetries: 20 }, giveUpAfterMs: 1_500 } });
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async (claim: Claim) => {
    const found = await desk.app.claims.findById(claim.id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const staff = { kind: 'staff' as const, staffId: 'maria' };

  it('the question staff ask in Slack reaches the Telegram customer once, in Russian; delivery is recorded on the event', async () => {
    const { claim } = await desk.app.registry.submit(draft(telegramCustomer('5001')), 'notify-1');
    await desk.settled();
    await desk.press(MARIA, ACTIONS.take, claim.id);
    await desk.press(MARIA, ACTIONS.requestInfo, claim.id);
    const opened = await desk.fake.waitForCall('views.open', (call) => JSON.stringify(call.params.view).includes(VIEWS.requestInfo));
    const view = (opened.response as unknown as { view: { private_metadata: string } }).view;
    await desk.submit(MARIA, VIEWS.requestInfo, view.private_metadata, { question: { question: { type: 'plain_text_input', value: 'Какой серийный номер на дне?' } } });
    await eventually(() => telegram.to('5001').length === 2);
    // sent, then recorded: wait for the record
    await eventually(async () => (await fresh(claim)).history.filter((event) => event.notifyCustomer).every((event) => event.deliveredAt !== undefined));
    const [taken, question] = telegram.to('5001');
    // notifications are bulk sends: the channel paces them (a dialog reply is never held back)
    expect(telegram.sent.filter((s) => s.to.chatId === '5001').map((s) => s.bulk)).toEqual([true, true]);
    const current = await fresh(claim);
    expect(taken?.text).toContain(t('ru', 'notice.take', { number: claim.number, due: '' }).slice(0, 20));
    expect(question?.text).toBe(t('ru', 'notice.request_info', { number: claim.number, question: 'Какой серийный номер на дне?' }));
    // the registration was confirmed by the dialog itself: recorded, not sent again
    expect(current.history.find((event) => event.type === 'registered')?.deliveredAt).toEqual(claim.createdAt);
    for (const event of current.history.filter((candidate) => candidate.notifyCustomer)) expect(event.deliveredAt).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 700)); // two sweeps: nothing is sent again
    expect(telegram.to('5001')).toHaveLength(2);
    const jobs = await desk.app.db.collection('agendaJobs').find({ name: NOTIFY_JOB, 'data.claimId': claim.id }).toArray();
    expect(jobs).toHaveLength(1); // one job per claim, however often scheduled
  });

  it('a Slack customer gets the decision by DM, in English', async () => {
    const dm = desk.fake.dmChannelFor('U0EMMA0001');
    const { claim } = await desk.app.registry.submit(
      draft({ customer: { channel: 'slack', userId: 'U0EMMA0001', teamId: TEAM }, conversation: { channel: 'slack', chatId: dm, teamId: TEAM }, locale: 'en' }),
      'notify-2',
    );
    await desk.app.registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'rejected', reason: 'not_covered', responseText: 'The warranty ended in May.' } }, staff);
    await eventually(() => desk.fake.messagesIn(dm).length === 1);
    // signed by who decided (#25): Maria has no position in the example desk, so her name alone
    // with the button to dispute it (#25), numbered in the notification text
    expect(desk.fake.messagesIn(dm)[0]?.text).toBe(`${t('en', 'notice.rejected', { number: claim.number, text: 'The warranty ended in May.' })}\n\n${t('en', 'notice.signed', { signer: 'Maria Kuznetsova' })}\n1. ${t('en', 'button.dispute')}`);
  });

  it('a change written while no job could be scheduled (a crash) is found by the sweep and told once', async () => {
    // another process wrote the change and died before scheduling: no listener ran here
    const elsewhere = new ClaimRegistry(desk.app.registry.desk, new ClaimRepository(desk.app.db));
    const { claim } = await elsewhere.submit(draft(telegramCustomer('5003')), 'notify-3');
    await elsewhere.apply(claim.id, { action: 'take' }, staff);
    await eventually(() => telegram.to('5003').length === 1);
    await eventually(async () => (await desk.app.db.collection('claims').findOne({ number: claim.number }))?.customerNotifyPending === undefined);
    expect(telegram.to('5003')).toHaveLength(1);
  });

  it('a customer who blocked the bot: the delivery fails at once, staff are told in the claim\'s thread, nothing is retried', async () => {
    // the customer had talked to the bot (their conversation exists), then blocked it
    await desk.app.conversations.handle({ updateId: 'tg:5004:1', from: { channel: 'telegram', chatId: '5004', userId: '5004' }, content: { type: 'text', text: '/help' } });
    telegram.blocked.add('5004');
    const { claim } = await desk.app.registry.submit(draft(telegramCustomer('5004')), 'notify-4');
    await desk.app.registry.apply(claim.id, { action: 'take' }, staff);
    // staff are told first (a history event), then the failure is marked on the event itself
    await eventually(async () => (await fresh(claim)).history.find((event) => event.action === 'take')?.deliveryFailure !== undefined);
    const current = await fresh(claim);
    expect(current.history.some((event) => event.type === 'delivery_failed')).toBe(true);
    expect(current.history.find((event) => event.action === 'take')?.deliveryFailure).toBe('unreachable');
    const conversation = await desk.app.db.collection('conversations').findOne({ _id: 'telegram:5004' as never });
    expect(conversation?.unreachableSince).toBeInstanceOf(Date);
    await desk.settled();
    const post = desk.fake.messagesIn(QUALITY).find((message) => message.thread_ts === undefined && JSON.stringify(message.blocks).includes(claim.number));
    const thread = desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts === post?.ts).map((message) => message.text);
    expect(thread).toContain(t('ru', 'staff.history.delivery_failed', { channel: t('ru', 'staff.channel.telegram'), reason: t('ru', 'staff.delivery.unreachable') }));
    // the next event is not even tried: the chat is known to refuse
    const attempts = telegram.attempts;
    await desk.app.registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: 'We will refund you.' } }, staff);
    await eventually(async () => (await fresh(claim)).history.filter((event) => event.type === 'delivery_failed').length === 2);
    expect(telegram.attempts).toBe(attempts);
  });

  it('a channel that keeps failing: retried with backoff, then given up and staff told; one that recovers: delivered once, in order', async () => {
    telegram.failing = true;
    const { claim } = await desk.app.registry.submit(draft(telegramCustomer('5005')), 'notify-5');
    await desk.app.registry.apply(claim.id, { action: 'take' }, staff);
    await eventually(async () => (await fresh(claim)).history.find((event) => event.action === 'take')?.deliveryFailure !== undefined, 15_000);
    expect((await fresh(claim)).history.find((event) => event.action === 'take')?.deliveryFailure).toBe('gave_up');
    expect((await fresh(claim)).history.some((event) => event.type === 'delivery_failed')).toBe(true);

    const { claim: second } = await desk.app.registry.submit(draft(telegramCustomer('5006')), 'notify-6');
    await desk.app.registry.apply(second.id, { action: 'take' }, staff);
    await desk.app.registry.apply(second.id, { action: 'request_info', question: 'Which colour is it?' }, staff);
    await new Promise((resolve) => setTimeout(resolve, 300));
    telegram.failing = false;
    await eventually(() => telegram.to('5006').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 500)); // more sweeps: nothing again
    // in order, each once: the review first, then the question
    expect(telegram.to('5006').map((message) => message.text)).toEqual([
      t('ru', 'notice.take', { number: second.number, due: formatDateTime(second.sla.resolutionDueAt, 'ru', 'Europe/Moscow') }),
      t('ru', 'notice.request_info', { number: second.number, question: 'Which colour is it?' }),
    ]);
    await eventually(async () => (await fresh(second)).history.find((event) => event.action === 'take')?.deliveredAt !== undefined);
  });

  it("a reply whose file the desk no longer has is given up at once, staff told; nothing half-sent, nothing retried", async () => {
    const { claim } = await desk.app.registry.submit(draft(telegramCustomer('5010')), 'notify-10');
    const attempts = telegram.attempts;
    const gone = { channel: 'web', kind: 'document', fileId: 'f'.repeat(24), fileName: 'act.pdf', mimeType: 'application/pdf', sizeBytes: 100 } as const;
    const replied = await desk.app.registry.staffMessage(claim.id, { kind: 'reply', staffId: 'maria', text: 'The act is attached.', files: [gone] });
    const reply = replied.history.at(-1);
    await eventually(async () => (await fresh(claim)).history.find((event) => event.id === reply?.id)?.deliveryFailure === 'gave_up');
    expect((await fresh(claim)).history.some((event) => event.type === 'delivery_failed' && event.aboutEventId === reply?.id)).toBe(true);
    expect(telegram.to('5010')).toEqual([]);
    expect(telegram.attempts).toBe(attempts);
  });

  it('job data carries ids only: no names, phones, e-mails or text in the jobs collection', async () => {
    const jobs = await desk.app.db.collection('agendaJobs').find({}).toArray();
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs.filter((candidate) => candidate.name === NOTIFY_JOB)) expect(Object.keys(job.data as object)).toEqual(['claimId']);
    const text = JSON.stringify(jobs);
    for (const canary of ['Anna', '+7 912', '912 345', 'Kettle', 'stopped heating', 'серийный', 'warranty', '@example']) expect(text).not.toContain(canary);
  });
});
