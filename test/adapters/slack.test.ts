import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, VIEWS } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { draft } from '../support/fixtures.js';
import type { RecordedCall } from '../support/slack-api.js';
import type { ViewStateValues } from '../support/slack-requests.js';
import { IVAN, LOGISTICS, MARIA, OLGA, QUALITY, SERGEY, SlackDesk, STRANGER, TEAM } from '../support/slack-desk.js';

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; text?: { text: string }; url?: string }[];
  element?: { options?: { value: string }[]; initial_value?: string };
  accessory?: { action_id?: string };
}
interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: Block[];
}

const blocksOf = (call: RecordedCall | { blocks?: unknown }): Block[] => {
  const blocks = 'params' in call ? call.params.blocks : call.blocks;
  return Array.isArray(blocks) ? (blocks as Block[]) : [];
};
const textOf = (blocks: Block[]) => blocks.map((block) => block.text?.text ?? '').join('\n');
const buttonsOf = (blocks: Block[]) => blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []).map((element) => element.action_id) : []));
const viewOf = (call: RecordedCall): View => {
  const response = call.response as { view?: View } | undefined;
  if (!response?.view) throw new Error('views call without a view');
  return response.view;
};

describe('Slack: the staff console', () => {
  let desk: SlackDesk;
  let claim: Claim;

  beforeAll(async () => {
    desk = await SlackDesk.start();
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async () => {
    const found = await desk.app.claims.findById(claim.id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const channelPost = () => {
    const posts = desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts === undefined);
    expect(posts).toHaveLength(1);
    const [post] = posts;
    if (!post) throw new Error('no post');
    return post;
  };
  /** The first call of `method` made after `mark` (a count of calls). */
  const callAfter = (mark: number, method: string, predicate: (call: RecordedCall) => boolean = () => true) =>
    desk.fake.waitForCall(method, (call) => desk.fake.calls.indexOf(call) >= mark && predicate(call));
  const thread = () => desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts !== undefined).map((message) => message.text);

  it('a new claim is posted to its department with the summary and the buttons its status allows; notified departments get a notice', async () => {
    ({ claim } = await desk.app.registry.submit(draft({ description: 'The kettle stopped heating. <!channel> <@U0SERGEY01> & <https://evil.example|click>' }), 'slack-1'));
    await desk.settled();
    const post = channelPost();
    const text = textOf(blocksOf(post));
    expect(text).toContain(claim.number);
    expect(text).toContain('Брак или дефект товара'); // the desk's default locale is Russian
    expect(text).toContain('Kettle KT-200');
    expect(text).toContain('ORD-5512');
    expect(text).toContain(t('ru', 'remedy.replacement'));
    expect(text).toContain(t('ru', 'staff.channel.telegram'));
    expect(text).toContain(t('ru', 'staff.card.first_response_due', { due: '' }).trim());
    expect(buttonsOf(blocksOf(post))).toEqual([ACTIONS.take, ACTIONS.assign, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate]);
    // the customer's text is escaped: no ping, no mention, no link
    expect(JSON.stringify(post)).not.toContain('<!channel>');
    expect(JSON.stringify(post)).not.toContain('<@U0SERGEY01>');
    expect(text).toContain('&lt;!channel&gt; &lt;@U0SERGEY01&gt; &amp; &lt;https://evil.example|click&gt;');
    // the defect category notifies logistics
    const [notice] = desk.fake.messagesIn(LOGISTICS);
    expect(notice?.text).toContain(claim.number);
    expect(JSON.stringify(notice?.blocks)).toContain('https://fake.slack.test/archives/C0QUALITY01/p');
    expect(thread()).toEqual([]);
  });

  it('Take: the claim goes into review, assigned to whoever took it; the post is updated in place and the thread tells it', async () => {
    const before = desk.fake.callsTo('chat.update').length;
    const res = await desk.press(IVAN, ACTIONS.take, claim.id);
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim).toMatchObject({ status: 'in_review', assigneeId: 'ivan' });
    expect(desk.fake.callsTo('chat.update').length).toBeGreaterThan(before);
    const post = channelPost();
    expect(textOf(blocksOf(post))).toContain(t('ru', 'staff.status.in_review'));
    expect(textOf(blocksOf(post))).toContain('Ivan Petrov');
    expect(buttonsOf(blocksOf(post))).toEqual([ACTIONS.assign, ACTIONS.assess, ACTIONS.investigate, ACTIONS.requestInfo, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate]);
    expect(thread()).toEqual([t('ru', 'staff.history.take', { who: 'Ivan Petrov' }), t('ru', 'staff.history.assigned', { who: 'Ivan Petrov', assignee: 'Ivan Petrov' })]);
    // nobody is pinged about a claim they took themselves
    expect(desk.fake.callsTo('conversations.open')).toEqual([]);
  });

  it('Assign…: a picker of the department\'s staff only; the new assignee gets a direct message with the claim and a link', async () => {
    await desk.press(IVAN, ACTIONS.assign, claim.id);
    const opened = await desk.fake.waitForCall('views.open');
    const view = viewOf(opened);
    expect(view.callback_id).toBe(VIEWS.assign);
    const options = view.blocks.find((block) => block.block_id === 'assignee')?.element?.options?.map((option) => option.value);
    expect(options).toEqual(['ivan', 'maria', 'sergey']); // olga is in support only
    const res = await desk.submit(IVAN, VIEWS.assign, view.private_metadata, { assignee: { assignee: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Maria' }, value: 'maria' } } } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await desk.settled();
    claim = await fresh();
    expect(claim.assigneeId).toBe('maria');
    const dm = desk.fake.messagesIn(desk.fake.dmChannelFor(MARIA));
    expect(dm).toHaveLength(1);
    expect(dm[0]?.text).toBe(t('ru', 'staff.ping.assigned', { who: 'Ivan Petrov', kind: t('ru', 'detail.kind.claim').toLowerCase(), number: claim.number }));
    const dmText = JSON.stringify(dm[0]?.blocks);
    expect(dmText).toContain(claim.number);
    expect(dmText).toContain('https://fake.slack.test/archives/C0QUALITY01/p');
    expect(thread().at(-1)).toBe(t('ru', 'staff.history.assigned', { who: 'Ivan Petrov', assignee: 'Maria Kuznetsova' }));
  });

  it('Ivan may no longer act on Maria\'s claim: refused ephemerally, nothing changes, the refusal is recorded', async () => {
    const version = (await fresh()).version;
    await desk.press(IVAN, ACTIONS.requestInfo, claim.id);
    const ephemeral = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === IVAN);
    expect(ephemeral.params.text).toBe(t('ru', 'staff.refused.not_assignee'));
    expect(desk.fake.callsTo('views.open')).toHaveLength(1);
    expect((await fresh()).version).toBe(version);
    const log = await desk.app.db.collection('staff_actions').find({ claimId: claim.id, outcome: 'refused' }).toArray();
    expect(log).toEqual([expect.objectContaining({ action: 'request_info', reason: 'not_assignee', staffId: 'ivan', slack: { teamId: TEAM, userId: IVAN } })]);
  });

  it('somebody not on the staff list is refused whatever they press, and recorded', async () => {
    const version = (await fresh()).version;
    for (const action of [ACTIONS.take, ACTIONS.resolve]) await desk.press(STRANGER, action, claim.id);
    const refusals = desk.fake.callsTo('chat.postEphemeral').filter((call) => call.params.user === STRANGER);
    expect(refusals.map((call) => call.params.text)).toEqual([t('ru', 'staff.refused.not_staff'), t('ru', 'staff.refused.not_staff')]);
    expect((await fresh()).version).toBe(version);
    const log = await desk.app.db.collection<{ action: string; reason: string }>('staff_actions').find({ 'slack.userId': STRANGER }).toArray();
    expect(log.map((entry) => [entry.action, entry.reason])).toEqual([['take', 'not_staff'], ['resolve', 'not_staff']]);
  });

  it('staff of another department are refused (Olga is in support; the claim is quality\'s)', async () => {
    await desk.press(OLGA, ACTIONS.resolve, claim.id);
    const refusal = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === OLGA);
    expect(refusal.params.text).toBe(t('ru', 'staff.refused.other_department'));
  });

  it('Request information: the question is recorded, the claim waits for the customer, the thread shows it', async () => {
    const mark = desk.fake.calls.length;
    await desk.press(MARIA, ACTIONS.requestInfo, claim.id);
    const view = viewOf(await callAfter(mark, 'views.open'));
    expect(view.callback_id).toBe(VIEWS.requestInfo);
    const empty = await desk.submit(MARIA, VIEWS.requestInfo, view.private_metadata, { question: { question: { type: 'plain_text_input', value: '   ' } } });
    expect(empty.json()).toEqual({ response_action: 'errors', errors: { question: t('ru', 'staff.modal.required') } });
    expect((await fresh()).status).toBe('in_review');
    const res = await desk.submit(MARIA, VIEWS.requestInfo, view.private_metadata, { question: { question: { type: 'plain_text_input', value: 'Which <b>serial</b> number is on the base?' } } });
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('awaiting_customer');
    expect(claim.history.at(-1)).toMatchObject({ action: 'request_info', note: 'Which <b>serial</b> number is on the base?', notifyCustomer: true });
    expect(desk.fake.messagesIn(QUALITY).filter((m) => m.thread_ts).at(-1)?.text).toBe(t('ru', 'staff.history.request_info', { who: 'Maria Kuznetsova', question: '\n>\u2068Which &lt;b&gt;serial&lt;/b&gt; number is on the base?\u2069' }));
    expect(buttonsOf(blocksOf(channelPost()))).toEqual([ACTIONS.assign, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate]);
  });

  it('information the customer adds appears in the claim\'s thread, escaped', async () => {
    await desk.app.registry.addCustomerInfo(claim.id, claim.customer, { text: 'Serial SN-42 <!here>', attachments: [{ channel: 'telegram', kind: 'photo', fileId: 'f1' }] }, 'info-1');
    await desk.settled();
    const last = desk.fake.messagesIn(QUALITY).filter((m) => m.thread_ts).at(-2)?.text ?? '';
    expect(last).toContain('Serial SN-42 &lt;!here&gt;');
    expect(last).toContain(t('ru', 'staff.file.photo'));
    expect((await fresh()).status).toBe('in_review');
  });

  it('Resolve: a template fills the reply in the customer\'s language (the remedy left for the choice); staff edit it; the final text is the decision', async () => {
    const mark = desk.fake.calls.length;
    await desk.press(MARIA, ACTIONS.resolve, claim.id);
    const view = viewOf(await callAfter(mark, 'views.open'));
    expect(view.callback_id).toBe(VIEWS.resolve);
    await desk.pickInView(MARIA, view, ACTIONS.resolveTemplate, 'accepted-replacement');
    const updated = viewOf(await callAfter(mark, 'views.update'));
    const reply = updated.blocks.find((block) => block.block_id?.startsWith('reply.'));
    expect(reply?.block_id).toBe('reply.1');
    expect(reply?.element?.initial_value).toContain(`По вашей претензии № ${claim.number}`);
    // the customer's wish is not the decision: {remedy} is filled in from the remedy chosen, on send
    expect(reply?.element?.initial_value).toContain('{remedy}');

    const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });
    const values = (text: string, outcome?: string, remedy?: string): ViewStateValues => ({
      outcome: { outcome: { type: 'radio_buttons', ...(outcome ? { selected_option: option(outcome) } : {}) } },
      remedy: { remedy: { type: 'static_select', ...(remedy ? { selected_option: option(remedy) } : {}) } },
      reason: { reason: { type: 'static_select' } },
      'reply.1': { reply: { type: 'plain_text_input', value: text } },
    });
    const missing = await desk.submit(MARIA, VIEWS.resolve, updated.private_metadata, values('We will replace it.', 'accepted'));
    expect(missing.json()).toEqual({ response_action: 'errors', errors: { remedy: t('ru', 'staff.modal.resolve.need_remedy') } });
    expect((await fresh()).status).toBe('in_review');

    const res = await desk.submit(MARIA, VIEWS.resolve, updated.private_metadata, values('We will replace the kettle this week.', 'accepted', 'replacement'));
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('resolved');
    expect(claim.decision).toEqual({ outcome: 'accepted', remedy: 'replacement', responseText: 'We will replace the kettle this week.', decidedBy: 'maria' });
    expect(buttonsOf(blocksOf(channelPost()))).toEqual([ACTIONS.close, ACTIONS.reopen]); // staff may close a resolved claim themselves (#25)
    expect(textOf(blocksOf(channelPost()))).toContain(t('ru', 'staff.card.accepted', { remedy: t('ru', 'remedy.replacement') }));
  });

  it('Reopen: a closed claim only by a head; the reason is recorded', async () => {
    claim = await desk.app.registry.apply(claim.id, { action: 'close' }, { kind: 'system', reason: 'survey window' });
    await desk.settled();
    await desk.press(MARIA, ACTIONS.reopen, claim.id);
    const refusal = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === MARIA);
    expect(refusal.params.text).toBe(t('ru', 'staff.refused.missing_right', { right: t('ru', 'staff.right.reopen_closed'), roles: t('ru', 'staff.role.head') }));

    const mark = desk.fake.calls.length;
    await desk.press(SERGEY, ACTIONS.reopen, claim.id);
    const view = viewOf(await callAfter(mark, 'views.open'));
    expect(view.callback_id).toBe(VIEWS.reopen);
    const res = await desk.submit(SERGEY, VIEWS.reopen, view.private_metadata, { reason: { reason: { type: 'plain_text_input', value: 'The replacement is faulty too.' } } });
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim).toMatchObject({ status: 'in_review', reopenCount: 1 });
    expect(claim.decision).toBeUndefined();
    expect(desk.fake.messagesIn(QUALITY).filter((m) => m.thread_ts).at(-1)?.text).toBe(t('ru', 'staff.history.reopen', { who: 'Sergey Volkov', reason: '\n>\u2068The replacement is faulty too.\u2069' }));
  });

  it('/claim shows the card to staff (in their language); /claims mine lists their open claims; others are refused', async () => {
    const card = await desk.command(SERGEY, '/claim', claim.number.replace(/-0+/, '-'));
    expect(card.status).toBe(200);
    const body = card.json() as { response_type: string; blocks: Block[] };
    expect(body.response_type).toBe('ephemeral');
    expect(textOf(body.blocks)).toContain(claim.number);
    expect(textOf(body.blocks)).toContain(t('en', 'staff.status.in_review'));

    const mine = (await desk.command(MARIA, '/claims', 'mine')).json() as { blocks: Block[] };
    expect(textOf(mine.blocks)).toContain(t('ru', 'staff.mine.title', { count: 1 }));
    expect(textOf(mine.blocks)).toContain(claim.number);
    const none = (await desk.command(OLGA, '/claims', 'mine')).json() as { text: string };
    expect(none.text).toBe(t('ru', 'staff.mine.none'));
    const usage = (await desk.command(OLGA, '/claims', '')).json() as { text: string };
    expect(usage.text).toBe(t('ru', 'staff.command.claims_usage'));
    const unknown = (await desk.command(OLGA, '/claim', '2026-999999')).json() as { text: string };
    expect(unknown.text).toBe(t('ru', 'staff.command.not_found', { number: '2026-999999' }));
    const stranger = (await desk.command(STRANGER, '/claim', claim.number)).json() as { text: string };
    expect(stranger.text).toBe(t('ru', 'staff.refused.not_staff'));
  });

  it('two people press Take on a new claim at once: one takes it, the other is told it is taken', async () => {
    const { claim: other } = await desk.app.registry.submit(draft({ customer: { channel: 'telegram', userId: '2002' }, conversation: { channel: 'telegram', chatId: '2002' } }), 'slack-2');
    await desk.settled();
    const mark = desk.fake.calls.length;
    const [a, b] = await Promise.all([desk.press(IVAN, ACTIONS.take, other.id), desk.press(MARIA, ACTIONS.take, other.id)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await desk.settled();
    const taken = await desk.app.claims.findById(other.id);
    expect(taken?.status).toBe('in_review');
    expect(['ivan', 'maria']).toContain(taken?.assigneeId);
    const loser = taken?.assigneeId === 'ivan' ? MARIA : IVAN;
    const refusals = desk.fake.callsTo('chat.postEphemeral').filter((call) => desk.fake.calls.indexOf(call) >= mark);
    expect(refusals.map((call) => [call.params.user, call.params.text])).toEqual([[loser, t('ru', 'staff.refused.taken_by_other')]]);
    expect(taken?.history.filter((event) => event.action === 'take')).toHaveLength(1);
  });
});
