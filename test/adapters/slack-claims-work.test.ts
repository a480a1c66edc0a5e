import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, VIEWS } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { rolesWith, type StaffRight } from '../../src/domain/staff.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import type { RecordedCall } from '../support/slack-api.js';
import type { ViewStateValues } from '../support/slack-requests.js';
import { IVAN, OLGA, QUALITY, SERGEY, SlackDesk, SUPPORT } from '../support/slack-desk.js';

/** Slack (#24): the Assess and Investigate buttons, the assessment and investigation modals, through signed requests. */

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; style?: string }[];
  element?: { options?: { value: string; text: { text: string } }[]; initial_option?: { value: string }; initial_value?: string };
}
interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: Block[];
}

const blocksOf = (message: { blocks?: unknown }): Block[] => (Array.isArray(message.blocks) ? (message.blocks as Block[]) : []);
const textOf = (blocks: Block[]) => blocks.map((block) => block.text?.text ?? '').join('\n');
const buttonsOf = (blocks: Block[]) => blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
const viewOf = (call: RecordedCall): View => {
  const response = call.response as { view?: View } | undefined;
  if (!response?.view) throw new Error('views call without a view');
  return response.view;
};
const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });
const select = (value?: string) => ({ type: 'static_select', ...(value ? { selected_option: option(value) } : {}) });
const input = (value: string) => ({ type: 'plain_text_input', value });
const missingRight = (right: StaffRight) =>
  t('ru', 'staff.refused.missing_right', { right: t('ru', `staff.right.${right}`), roles: rolesWith(right).map((role) => t('ru', `staff.role.${role}`)).join(', ') });

describe('Slack: assessment and investigation', () => {
  let desk: SlackDesk;
  let claim: Claim; // quality
  let support: Claim; // support (Olga's department)

  beforeAll(async () => {
    desk = await SlackDesk.start();
    ({ claim } = await desk.app.registry.submit(draft({ concerns: { product: 'Kettle KT-200', purchaseDate: new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10) }, ...telegramCustomer('9101') }), 'slack-work-1'));
    ({ claim: support } = await desk.app.registry.submit(draft({ category: 'refund', desiredRemedy: 'refund', ...telegramCustomer('9102') }), 'slack-work-2'));
    await desk.settled();
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async (id = claim.id) => {
    const found = await desk.app.claims.findById(id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const post = (channel = QUALITY) => {
    const [found] = desk.fake.messagesIn(channel).filter((message) => message.thread_ts === undefined);
    if (!found) throw new Error('no post');
    return found;
  };
  const thread = (channel = QUALITY) => desk.fake.messagesIn(channel).filter((message) => message.thread_ts !== undefined).map((message) => message.text);
  const opened = async (mark: number) => viewOf(await desk.fake.waitForCall('views.open', (call) => desk.fake.calls.indexOf(call) >= mark));

  it('a claim in review offers Assess and Investigate; the card shows the severity, "not recorded" and the next step', async () => {
    await desk.press(IVAN, ACTIONS.take, claim.id);
    await desk.settled();
    const blocks = blocksOf(post());
    expect(buttonsOf(blocks).map((button) => button.action_id)).toEqual([ACTIONS.assign, ACTIONS.assess, ACTIONS.investigate, ACTIONS.requestInfo, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate]);
    expect(buttonsOf(blocks).find((button) => button.action_id === ACTIONS.assess)?.style).toBe('primary');
    const text = textOf(blocks);
    expect(text).toContain(t('ru', 'staff.card.severity', { value: t('ru', 'staff.severity.normal') }));
    expect(text).toContain(t('ru', 'staff.card.assessment', { value: t('ru', 'staff.not_recorded') }));
    expect(text).toContain(t('ru', 'staff.card.next_step', { value: t('ru', 'staff.next.assess') }));
  });

  it('Assess…: the modal, a field problem shown on its block, then the assessment, the thread line and the card', async () => {
    const mark = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.assess, claim.id);
    const view = await opened(mark);
    expect(view.callback_id).toBe(VIEWS.assess);
    const warranty = view.blocks.find((block) => block.block_id === 'warranty');
    // the purchase 40 days ago is within the defect category's 12 months
    expect(warranty?.element?.options?.[0]).toMatchObject({ value: 'derived', text: { text: t('ru', 'staff.modal.assess.warranty_derived', { value: t('ru', 'staff.answer.yes') }) } });
    expect(view.blocks.find((block) => block.block_id === 'severity')?.element?.initial_option?.value).toBe('normal');

    const values = (over: ViewStateValues = {}): ViewStateValues => ({
      customer: { customer: select('yes') },
      warranty: { warranty: select('derived') },
      warranty_reason: { warranty_reason: input('') },
      justified: { justified: select('needs_investigation') },
      severity: { severity: select('high') },
      extend_reason: { extend_reason: input('') },
      ...over,
    });
    const version = (await fresh()).version;
    const noReason = await desk.submit(IVAN, VIEWS.assess, view.private_metadata, values({ warranty: { warranty: select('no') } }));
    expect(noReason.json()).toEqual({ response_action: 'errors', errors: { warranty_reason: t('ru', 'staff.modal.required') } });
    // a specialist may not extend what was promised: the refusal names the head's right
    const extend = await desk.submit(IVAN, VIEWS.assess, view.private_metadata, values({ extend_reason: { extend_reason: input('Lab test') } }));
    expect(extend.json()).toEqual({ response_action: 'errors', errors: { customer: missingRight('extend_deadline') } });
    expect((await fresh()).version).toBe(version);

    const res = await desk.submit(IVAN, VIEWS.assess, view.private_metadata, values());
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await desk.settled();
    claim = await fresh();
    expect(claim.assessment).toMatchObject({ customer: 'yes', warranty: 'yes', warrantyDerived: 'yes', justified: 'needs_investigation', severity: 'high', by: 'ivan' });
    expect(claim.severity).toBe('high');
    const lines = thread();
    expect(lines.some((line) => line.startsWith('Ivan Petrov ') && line.includes(t('ru', 'staff.history.assessed.severity', { value: t('ru', 'staff.severity.high') })))).toBe(true);
    const text = textOf(blocksOf(post()));
    expect(text).toContain(t('ru', 'staff.card.severity', { value: t('ru', 'staff.severity.high') }));
    expect(text).toContain(t('ru', 'staff.card.next_step', { value: t('ru', 'staff.next.investigate') }));
    expect(buttonsOf(blocksOf(post())).find((button) => button.action_id === ACTIONS.investigate)?.style).toBe('primary');
  });

  it('an operator is refused Investigate and the investigation record, by name of the right; nothing changes', async () => {
    await desk.press(OLGA, ACTIONS.take, support.id, SUPPORT);
    await desk.settled();
    const version = (await fresh(support.id)).version;
    await desk.press(OLGA, ACTIONS.investigate, support.id, SUPPORT);
    const refusal = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === OLGA);
    expect(refusal.params.text).toBe(missingRight('investigate'));
    // a head starts the investigation of Olga's claim; Olga still may not record it
    await desk.press(SERGEY, ACTIONS.investigate, support.id, SUPPORT);
    await desk.settled();
    const investigating = await fresh(support.id);
    expect(investigating.status).toBe('investigating');
    const opens = desk.fake.callsTo('views.open').length;
    await desk.press(OLGA, ACTIONS.recordInvestigation, support.id, SUPPORT);
    await eventually(() => desk.fake.callsTo('chat.postEphemeral').filter((call) => call.params.user === OLGA).length === 2);
    expect(desk.fake.callsTo('chat.postEphemeral').filter((call) => call.params.user === OLGA).map((call) => call.params.text)).toEqual([missingRight('investigate'), missingRight('investigate')]);
    expect(desk.fake.callsTo('views.open')).toHaveLength(opens);
    // a submission with the claim's metadata all the same is refused on the form
    const forged = await desk.submit(OLGA, VIEWS.recordInvestigation, JSON.stringify({ claimId: support.id }), { facts: { facts: input('I looked') }, root_cause: { root_cause: input('Nobody knows') } });
    expect(forged.json()).toEqual({ response_action: 'errors', errors: { facts: missingRight('investigate') } });
    const after = await fresh(support.id);
    expect([after.version, after.investigation]).toEqual([investigating.version, undefined]);
    expect(version).toBeLessThan(investigating.version);
  });

  it('Investigate: the claim goes under investigation, the thread tells it, the record is offered', async () => {
    await desk.press(IVAN, ACTIONS.investigate, claim.id);
    await desk.settled();
    claim = await fresh();
    expect(claim.status).toBe('investigating');
    expect(claim.history.at(-1)).toMatchObject({ action: 'investigate', notifyCustomer: true });
    expect(thread().at(-1)).toBe(t('ru', 'staff.history.investigate', { who: 'Ivan Petrov' }));
    expect(buttonsOf(blocksOf(post())).map((button) => button.action_id)).toEqual([ACTIONS.assign, ACTIONS.assess, ACTIONS.recordInvestigation, ACTIONS.requestInfo, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate]);
    expect(textOf(blocksOf(post()))).toContain(t('ru', 'staff.card.root_cause', { value: t('ru', 'staff.not_recorded') }));
  });

  it('Investigation…: facts, 5 Whys, the cause category and the summary; a half pair is shown on its block; each edit a thread line', async () => {
    const mark = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.recordInvestigation, claim.id);
    const view = await opened(mark);
    expect(view.callback_id).toBe(VIEWS.recordInvestigation);
    expect(view.blocks.filter((block) => block.block_id?.startsWith('why.'))).toHaveLength(5);
    expect(view.blocks.find((block) => block.block_id === 'cause')?.element?.options?.map((o) => o.value)).toEqual(['people', 'machines', 'methods', 'materials', 'measurement', 'environment']);

    const values = (pairs: [string, string][], cause?: string): ViewStateValues => {
      const state: ViewStateValues = {
        facts: { facts: input('14 of 2000 kettles of batch 12 have a cut seal. <!channel>') },
        cause: { cause: select(cause) },
        root_cause: { root_cause: input('A worn pressing die') },
      };
      for (let index = 0; index < 5; index++) {
        const [why, because] = pairs[index] ?? ['', ''];
        state[`why.${String(index)}`] = { [`why.${String(index)}`]: input(why) };
        state[`because.${String(index)}`] = { [`because.${String(index)}`]: input(because) };
      }
      return state;
    };
    const version = (await fresh()).version;
    const half = await desk.submit(IVAN, VIEWS.recordInvestigation, view.private_metadata, values([['Why no heat?', 'Water on the element.'], ['', ''], ['Why water?', '']]));
    expect(half.json()).toEqual({ response_action: 'errors', errors: { 'because.2': t('ru', 'staff.modal.investigation.need_pair') } });
    expect((await fresh()).version).toBe(version);

    const res = await desk.submit(IVAN, VIEWS.recordInvestigation, view.private_metadata, values([['Why no heat?', 'Water on the element.'], ['', ''], ['Why water?', 'The seal was cut.']], 'machines'));
    expect(res.status).toBe(200);
    await desk.settled();
    claim = await fresh();
    expect(claim.investigation).toMatchObject({
      facts: '14 of 2000 kettles of batch 12 have a cut seal. <!channel>',
      whys: [
        { why: 'Why no heat?', because: 'Water on the element.' },
        { why: 'Why water?', because: 'The seal was cut.' },
      ],
      causeCategory: 'machines',
      rootCause: 'A worn pressing die',
      updatedBy: 'ivan',
    });
    const line = thread().at(-1) ?? '';
    expect(line.startsWith('Ivan Petrov ')).toBe(true);
    expect(line).toContain('Оборудование');
    expect(line).toContain('A worn pressing die');
    expect(line).not.toContain('batch 12');
    expect(textOf(blocksOf(post()))).toContain(t('ru', 'staff.card.root_cause', { value: 'Оборудование: \u2068A worn pressing die\u2069' }));

    // the modal opens again with the record; changing one answer is one more line naming only it
    const again = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.recordInvestigation, claim.id);
    const second = await opened(again);
    expect(second.blocks.find((block) => block.block_id === 'because.1')?.element?.initial_value).toBe('The seal was cut.');
    await desk.submit(IVAN, VIEWS.recordInvestigation, second.private_metadata, values([['Why no heat?', 'Water on the element.'], ['Why water?', 'The seal was cut by the die.']], 'machines'));
    await desk.settled();
    expect(thread().at(-1)).toBe(t('ru', 'staff.history.investigation_recorded', { who: 'Ivan Petrov', changes: t('ru', 'staff.history.investigation.whys') }));
  });
});
