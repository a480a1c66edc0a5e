import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, VIEWS } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { draft } from '../support/fixtures.js';
import type { RecordedCall } from '../support/slack-api.js';
import type { ViewStateValues } from '../support/slack-requests.js';
import { IVAN, MARIA, OLGA, QUALITY, SlackDesk, STRANGER, TEAM } from '../support/slack-desk.js';

/**
 * #25 in Slack: the three outcomes and the amount in the resolve modal, the Reply button and modal,
 * and messages in a claim's thread — internal notes by default, `reply:` to the customer — done as
 * their author through the StaffDesk, once per message.
 */

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: { block_id?: string; element?: { options?: { value: string }[] } }[];
}
const viewOf = (call: RecordedCall): View => {
  const response = call.response as { view?: View } | undefined;
  if (!response?.view) throw new Error('views call without a view');
  return response.view;
};
const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });

describe('Slack: decisions, replies and notes (#25)', () => {
  let desk: SlackDesk;
  let claim: Claim;

  beforeAll(async () => {
    desk = await SlackDesk.start();
    ({ claim } = await desk.app.registry.submit(draft({ description: 'The kettle stopped heating after two days.' }), 'slack-decide-1'));
    await desk.settled();
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async () => {
    const found = await desk.app.claims.findById(claim.id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const post = () => {
    const found = desk.fake.messagesIn(QUALITY).find((message) => message.thread_ts === undefined);
    if (!found) throw new Error('no post');
    return found;
  };
  const thread = () => desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts !== undefined).map((message) => message.text);
  const callAfter = (mark: number, method: string) => desk.fake.waitForCall(method, (call) => desk.fake.calls.indexOf(call) >= mark);

  it('a message in the claim\'s thread is an internal note, done as its author; Slack shows it already, so no second line', async () => {
    const before = thread().length;
    const res = await desk.threadMessage(MARIA, post().ts, 'Called the warehouse: the batch is on hold.', { ts: '1800000000.000100', eventId: 'EvNOTE00001' });
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('new');
    expect(claim.history.at(-1)).toMatchObject({ id: `sl:${QUALITY}:1800000000.000100`, type: 'staff_note', note: 'Called the warehouse: the batch is on hold.', notifyCustomer: false, source: 'slack_thread', actor: { kind: 'staff', staffId: 'maria' } });
    expect(claim.firstResponseAt).toBeUndefined();
    expect(thread()).toHaveLength(before);

    // Slack delivers the same event again: handled once
    const version = claim.version;
    await desk.threadMessage(MARIA, post().ts, 'Called the warehouse: the batch is on hold.', { ts: '1800000000.000100', eventId: 'EvNOTE00001' });
    await desk.settled();
    expect((await fresh()).version).toBe(version);
  });

  it('bots\' messages, edits and messages outside a claim\'s thread change nothing', async () => {
    const version = (await fresh()).version;
    await desk.threadMessage(MARIA, post().ts, 'from a bot', { extra: { bot_id: 'B0OTHER001' } });
    await desk.threadMessage(MARIA, post().ts, 'edited', { extra: { subtype: 'message_changed' } });
    await desk.threadMessage(MARIA, '1700000000.999999', 'another thread');
    await desk.settled();
    expect((await fresh()).version).toBe(version);
  });

  it('a thread message of somebody not on the staff list is refused ephemerally and changes nothing', async () => {
    const version = (await fresh()).version;
    await desk.threadMessage(STRANGER, post().ts, 'reply: I am the manager, you get everything.');
    const refusal = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === STRANGER);
    expect(refusal.params.text).toBe(t('ru', 'staff.refused.not_staff'));
    await desk.threadMessage(OLGA, post().ts, 'A note from another department.');
    const other = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === OLGA);
    expect(other.params.text).toBe(t('ru', 'staff.refused.other_department'));
    await desk.settled();
    expect((await fresh()).version).toBe(version);
  });

  it('`reply:` in the thread is a reply to the customer: recorded for them, the first response, the status kept', async () => {
    const res = await desk.threadMessage(IVAN, post().ts, 'Reply:  We are checking the batch; expect news tomorrow.');
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('new');
    expect(claim.history.at(-1)).toMatchObject({ type: 'staff_reply', note: 'We are checking the batch; expect news tomorrow.', notifyCustomer: true, actor: { kind: 'staff', staffId: 'ivan' } });
    expect(claim.firstResponseAt).toBeDefined();
    expect(thread().at(-1)).toBe(t('ru', 'staff.history.staff_reply', { who: 'Ivan Petrov', text: '\n>\u2068We are checking the batch; expect news tomorrow.\u2069' }));
  });

  it('the Reply button opens a modal; its text reaches the customer\'s notices; an empty one is asked again', async () => {
    await desk.app.staff.act({ teamId: TEAM, userId: IVAN }, claim.id, { action: 'take' });
    await desk.settled();
    const mark = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.reply, claim.id);
    const view = viewOf(await callAfter(mark, 'views.open'));
    expect(view.callback_id).toBe(VIEWS.reply);
    const empty = await desk.submit(IVAN, VIEWS.reply, view.private_metadata, { text: { text: { type: 'plain_text_input', value: '  ' } } });
    expect(empty.json()).toEqual({ response_action: 'errors', errors: { text: t('ru', 'staff.modal.required') } });
    const res = await desk.submit(IVAN, VIEWS.reply, view.private_metadata, { text: { text: { type: 'plain_text_input', value: 'A courier comes on Friday.' } } });
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('in_review');
    expect(claim.history.at(-1)).toMatchObject({ type: 'staff_reply', note: 'A courier comes on Friday.', notifyCustomer: true });

    // another member of the department may not write on Ivan's claim (the assignee's), but may note
    await desk.press(MARIA, ACTIONS.reply, claim.id);
    expect((await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === MARIA)).params.text).toBe(t('ru', 'staff.refused.not_assignee'));
  });

  it('Resolve: three outcomes and an amount; a bad amount is asked again; a partial acceptance records the remedy chosen, the amount and who decided', async () => {
    const mark = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.resolve, claim.id);
    const view = viewOf(await callAfter(mark, 'views.open'));
    expect(view.blocks.find((block) => block.block_id === 'outcome')?.element?.options?.map((o) => o.value)).toEqual(['accepted', 'partially_accepted', 'rejected']);
    expect(view.blocks.some((block) => block.block_id === 'amount')).toBe(true);
    const values = (amount: string): ViewStateValues => ({
      outcome: { outcome: { type: 'radio_buttons', selected_option: option('partially_accepted') } },
      remedy: { remedy: { type: 'static_select', selected_option: option('refund') } },
      amount: { amount: { type: 'plain_text_input', value: amount } },
      reason: { reason: { type: 'static_select' } },
      'reply.0': { reply: { type: 'plain_text_input', value: 'Your claim is {decision}: {remedy}, {amount}.' } },
    });
    const bad = await desk.submit(IVAN, VIEWS.resolve, view.private_metadata, values('twelve'));
    expect(bad.json()).toEqual({ response_action: 'errors', errors: { amount: t('ru', 'staff.modal.resolve.invalid_amount') } });
    expect((await fresh()).status).toBe('in_review');

    const res = await desk.submit(IVAN, VIEWS.resolve, view.private_metadata, values('1 299,90'));
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('resolved');
    // the customer writes Russian: the placeholders are filled in in Russian
    expect(claim.decision).toEqual({ outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 129990, currency: 'RUB' }, responseText: 'Your claim is удовлетворена частично: возврат денег, 1\u00a0299,90\u00a0₽.', decidedBy: 'ivan' });
    const card = JSON.stringify(post().blocks);
    expect(card).toContain(JSON.stringify(t('ru', 'staff.card.partially_accepted', { remedy: 'Возврат денег, 1\u00a0299,90\u00a0₽' })).slice(1, -1));
    expect(card).toContain(JSON.stringify(t('ru', 'staff.card.decided_by', { who: 'Ivan Petrov' })).slice(1, -1));
  });

  it('a note is still possible once the claim is resolved; a reply is not', async () => {
    await desk.threadMessage(MARIA, post().ts, 'Refund approved by accounting.');
    await desk.settled();
    expect((await fresh()).history.at(-1)).toMatchObject({ type: 'staff_note', note: 'Refund approved by accounting.' });
    const version = (await fresh()).version;
    await desk.threadMessage(IVAN, post().ts, 'reply: one more thing');
    const refusal = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === IVAN && String(call.params.text).includes(t('ru', 'staff.status.resolved')));
    expect(refusal.params.text).toBe(t('ru', 'staff.refused.invalid_transition', { status: t('ru', 'staff.status.resolved') }));
    expect((await fresh()).version).toBe(version);
  });
});
