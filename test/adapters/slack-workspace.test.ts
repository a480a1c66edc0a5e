import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, VIEWS } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import type { RecordedCall } from '../support/slack-api.js';
import { CollectingChannel } from '../support/chat.js';
import { IVAN, LOGISTICS, OLGA, SlackDesk, STRANGER, SUPPORT } from '../support/slack-desk.js';

/** Slack (#25): Move and Duplicate of… on the claim's card, through signed requests against the fake Slack. */

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string }[];
}
interface View {
  callback_id: string;
  private_metadata: string;
  blocks: Block[];
}

const blocksOf = (message: { blocks?: unknown }): Block[] => (Array.isArray(message.blocks) ? (message.blocks as Block[]) : []);
const textOf = (blocks: Block[]) => blocks.map((block) => block.text?.text ?? '').join('\n');
const viewOf = (call: RecordedCall): View => {
  const response = call.response as { view?: View } | undefined;
  if (!response?.view) throw new Error('views call without a view');
  return response.view;
};
const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });
const select = (value?: string) => ({ type: 'static_select', ...(value ? { selected_option: option(value) } : {}) });
const input = (value: string) => ({ type: 'plain_text_input', value });

describe('Slack: moving a claim and linking a duplicate (#25)', () => {
  let desk: SlackDesk;
  let telegram: CollectingChannel;
  let refund: Claim; // support, Olga's department
  let first: Claim; // support
  let second: Claim; // support, a duplicate of first

  beforeAll(async () => {
    telegram = new CollectingChannel();
    desk = await SlackDesk.start({ senders: { telegram } });
    ({ claim: refund } = await desk.app.registry.submit(draft({ category: 'refund', desiredRemedy: 'refund', ...telegramCustomer('9301') }), 'slack-ws-1'));
    ({ claim: first } = await desk.app.registry.submit(draft({ category: 'refund', desiredRemedy: 'refund', ...telegramCustomer('9302') }), 'slack-ws-2'));
    ({ claim: second } = await desk.app.registry.submit(draft({ category: 'refund', desiredRemedy: 'refund', ...telegramCustomer('9302'), description: 'Paid twice, I wrote again.' }), 'slack-ws-3'));
    await desk.settled();
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async (id: string) => {
    const found = await desk.app.claims.findById(id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const cardOf = (claim: Claim, channel = SUPPORT) => {
    const found = desk.fake.messagesIn(channel).find((message) => message.thread_ts === undefined && message.text.includes(claim.number));
    if (!found) throw new Error('no card');
    return found;
  };
  const opened = async (mark: number) => viewOf(await desk.fake.waitForCall('views.open', (call) => desk.fake.calls.indexOf(call) >= mark));
  const ephemeralAfter = (mark: number) => desk.fake.calls.filter((call, index) => index >= mark && call.method === 'chat.postEphemeral').map((call) => String(call.params.text));

  it('Move: the modal, field problems, refusals of other departments and strangers; then the move, the old card says where it went, the new department is told', async () => {
    expect(blocksOf(cardOf(refund)).flatMap((block) => (block.type === 'actions' ? (block.elements ?? []).map((element) => element.action_id) : []))).toContain(ACTIONS.move);
    let mark = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.move, refund.id, SUPPORT);
    await eventually(() => ephemeralAfter(mark).length === 1);
    expect(ephemeralAfter(mark)).toEqual([t('ru', 'staff.refused.other_department')]);
    mark = desk.fake.calls.length;
    await desk.press(STRANGER, ACTIONS.move, refund.id, SUPPORT);
    await eventually(() => ephemeralAfter(mark).length === 1);
    expect(ephemeralAfter(mark)).toEqual([t('ru', 'staff.refused.not_staff')]);

    mark = desk.fake.calls.length;
    await desk.press(OLGA, ACTIONS.move, refund.id, SUPPORT);
    const view = await opened(mark);
    expect(view.callback_id).toBe(VIEWS.move);
    const version = (await fresh(refund.id)).version;
    const none = await desk.submit(OLGA, VIEWS.move, view.private_metadata, { category: { category: select() }, department: { department: select() }, reason: { reason: input('Broken in delivery') } });
    expect(none.json()).toEqual({ response_action: 'errors', errors: { category: t('ru', 'staff.modal.required') } });
    const noReason = await desk.submit(OLGA, VIEWS.move, view.private_metadata, { category: { category: select('delivery') }, department: { department: select() }, reason: { reason: input('') } });
    expect(noReason.json()).toEqual({ response_action: 'errors', errors: { reason: t('ru', 'staff.modal.required') } });
    // Ivan (quality) submitting a form he could not open is refused all the same
    const other = await desk.submit(IVAN, VIEWS.move, view.private_metadata, { category: { category: select('delivery') }, department: { department: select() }, reason: { reason: input('x') } });
    expect(other.json()).toEqual({ response_action: 'errors', errors: { reason: t('ru', 'staff.refused.other_department') } });
    expect((await fresh(refund.id)).version).toBe(version);

    const done = await desk.submit(OLGA, VIEWS.move, view.private_metadata, { category: { category: select('delivery') }, department: { department: select() }, reason: { reason: input('Broken in delivery') } });
    expect(done.status).toBe(200);
    expect(done.text).toBe('');
    await desk.settled();
    const moved = await fresh(refund.id);
    expect({ department: moved.department, category: moved.category, hours: moved.sla.resolutionHours }).toEqual({ department: 'logistics', category: 'delivery', hours: 72 });
    // the card stays in support and says where the claim went
    expect(textOf(blocksOf(cardOf(refund)))).toContain(t('ru', 'staff.card.moved', { department: 'Логистика', category: 'Доставка: задержка, повреждение, не тот товар' }));
    const toLogistics = desk.fake.messagesIn(LOGISTICS).filter((message) => message.text.includes(refund.number));
    expect(toLogistics.map((message) => message.text)).toEqual([t('ru', 'staff.notify.moved_in', { number: refund.number, department: 'Логистика', from: 'Поддержка клиентов', reason: '\n>\u2068Broken in delivery\u2069' })]);
    // the customer is not told of a move
    expect(telegram.to('9301')).toEqual([]);
  });

  it('Duplicate of…: a bad number is shown on its field; then the duplicate is closed with the link, its customer told, both cards show the link', async () => {
    const mark = desk.fake.calls.length;
    await desk.press(OLGA, ACTIONS.linkDuplicate, second.id, SUPPORT);
    const view = await opened(mark);
    expect(view.callback_id).toBe(VIEWS.linkDuplicate);
    const bad = await desk.submit(OLGA, VIEWS.linkDuplicate, view.private_metadata, { original: { original: input('kettle') }, note: { note: input('') } });
    expect(bad.json()).toEqual({ response_action: 'errors', errors: { original: t('ru', 'staff.modal.required') } });
    const missing = await desk.submit(OLGA, VIEWS.linkDuplicate, view.private_metadata, { original: { original: input('2026-999999') }, note: { note: input('') } });
    expect(missing.json()).toEqual({ response_action: 'errors', errors: { original: t('ru', 'staff.refused.invalid_input') } });
    expect((await fresh(second.id)).status).toBe('new');

    const done = await desk.submit(OLGA, VIEWS.linkDuplicate, view.private_metadata, { original: { original: input(first.number) }, note: { note: input('Same payment') } });
    expect(done.status).toBe(200);
    await desk.settled();
    expect(await fresh(second.id)).toMatchObject({ status: 'closed', duplicateOf: first.number });
    expect((await fresh(first.id)).duplicates).toEqual([second.number]);
    expect(textOf(blocksOf(cardOf(second)))).toContain(t('ru', 'staff.card.duplicate_of', { number: first.number }));
    expect(textOf(blocksOf(cardOf(first)))).toContain(t('ru', 'staff.card.duplicates', { numbers: second.number }));
    await eventually(() => telegram.to('9302').some((message) => message.text === t('ru', 'notice.duplicate', { number: second.number, original: first.number })));
  });
});
