import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ACTIONS, VIEWS } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { draft } from '../support/fixtures.js';
import type { RecordedCall } from '../support/slack-api.js';
import type { ViewStateValues } from '../support/slack-requests.js';
import { IVAN, OLGA, QUALITY, SERGEY, SlackDesk } from '../support/slack-desk.js';

/**
 * #25 in Slack: a decision over the desk's amount waits for a head (the heads get a DM), the head
 * reviews it from the card (approve, or return with a note: the author gets a DM), the remedy is
 * marked done and the claim closed from the card — signed requests against the fake Slack, the
 * role table's refusals, and bad input asked again.
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

describe('Slack: a decision\'s approval, fulfilment and close (#25)', () => {
  let desk: SlackDesk;
  let claim: Claim;

  beforeAll(async () => {
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, unknown>;
    config.decisions = { approvalOver: 10_000 };
    const dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-slack-decision-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    desk = await SlackDesk.start({ env: { DESK_CONFIG: file } });
    ({ claim } = await desk.app.registry.submit(draft({ description: 'The kettle stopped heating after two days.' }), 'slack-decision-1'));
    await desk.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'take' });
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
  const buttons = () => JSON.stringify(post().blocks);
  const callAfter = (mark: number, method: string) => desk.fake.waitForCall(method, (call) => desk.fake.calls.indexOf(call) >= mark);
  const openModal = async (userId: string, actionId: string) => {
    const mark = desk.fake.calls.length;
    await desk.press(userId, actionId, claim.id);
    return viewOf(await callAfter(mark, 'views.open'));
  };
  const dms = (userId: string) => desk.dmMessages(userId).map((message) => message.text);

  it('a decision over the amount with days for the remedy becomes a draft: the card offers its review, the head gets a DM; a bad number of days is asked again', async () => {
    const view = await openModal(IVAN, ACTIONS.resolve);
    expect(view.blocks.some((block) => block.block_id === 'days')).toBe(true);
    const values = (days: string): ViewStateValues => ({
      outcome: { outcome: { type: 'radio_buttons', selected_option: option('accepted') } },
      remedy: { remedy: { type: 'static_select', selected_option: option('refund') } },
      amount: { amount: { type: 'plain_text_input', value: '15 000' } },
      days: { days: { type: 'plain_text_input', value: days } },
      reason: { reason: { type: 'static_select' } },
      'reply.0': { reply: { type: 'plain_text_input', value: 'We refund {amount}.' } },
    });
    const bad = await desk.submit(IVAN, VIEWS.resolve, view.private_metadata, values('ten'));
    expect(bad.json()).toEqual({ response_action: 'errors', errors: { days: t('ru', 'staff.modal.resolve.invalid_days') } });
    expect((await fresh()).pendingDecision).toBeUndefined();

    expect((await desk.submit(IVAN, VIEWS.resolve, view.private_metadata, values('10'))).status).toBe(200);
    await desk.settled();
    const stored = await fresh();
    expect(stored.status).toBe('in_review');
    expect(stored.pendingDecision).toMatchObject({ by: 'ivan', fulfilmentDays: 10, reasons: ['amount'] });
    expect(buttons()).toContain(ACTIONS.reviewDecision);
    expect(buttons()).not.toContain(`"${ACTIONS.resolve}"`);
    // Sergey is the head of the department: the DM, in English
    expect(dms(SERGEY)).toContain(t('en', 'staff.alert.approval_requested', { number: claim.number }));
  });

  it('only a head may review: Ivan is refused; a return needs a note, then the author gets it by DM', async () => {
    await desk.press(IVAN, ACTIONS.reviewDecision, claim.id);
    const refusal = await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === IVAN && String(call.params.text).includes(t('ru', 'staff.right.approve_decision')));
    expect(refusal.params.text).toContain(t('ru', 'staff.right.approve_decision'));

    const view = await openModal(SERGEY, ACTIONS.reviewDecision);
    expect(view.callback_id).toBe(VIEWS.reviewDecision);
    const verdict = (value: string | undefined, note: string): ViewStateValues => ({
      verdict: { verdict: { type: 'radio_buttons', ...(value ? { selected_option: option(value) } : {}) } },
      note: { note: { type: 'plain_text_input', value: note } },
    });
    const version = (await fresh()).version;
    expect((await desk.submit(SERGEY, VIEWS.reviewDecision, view.private_metadata, verdict(undefined, ''))).json()).toEqual({ response_action: 'errors', errors: { verdict: t('en', 'staff.modal.required') } });
    expect((await desk.submit(SERGEY, VIEWS.reviewDecision, view.private_metadata, verdict('return', ' '))).json()).toEqual({ response_action: 'errors', errors: { note: t('en', 'staff.modal.required') } });
    expect((await fresh()).version).toBe(version);

    expect((await desk.submit(SERGEY, VIEWS.reviewDecision, view.private_metadata, verdict('return', 'Offer 9 000 first.'))).status).toBe(200);
    await desk.settled();
    expect((await fresh()).pendingDecision).toBeUndefined();
    expect(dms(IVAN)).toContain(t('ru', 'staff.alert.decision_returned', { number: claim.number, note: 'Offer 9 000 first.' }));
    // the same modal submitted again names a draft that is gone: refused on the form, nothing changes
    const again = await desk.submit(SERGEY, VIEWS.reviewDecision, view.private_metadata, verdict('approve', ''));
    expect(again.json()).toMatchObject({ response_action: 'errors' });
    expect((await fresh()).status).toBe('in_review');
  });

  it('approved from the card, the remedy done and the claim closed from the card', async () => {
    expect((await desk.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', amount: { minor: 1_200_000 }, responseText: 'We refund {amount}.', fulfilmentDays: 10 } })).ok).toBe(true);
    await desk.settled();
    const view = await openModal(SERGEY, ACTIONS.reviewDecision);
    expect((await desk.submit(SERGEY, VIEWS.reviewDecision, view.private_metadata, { verdict: { verdict: { type: 'radio_buttons', selected_option: option('approve') } }, note: { note: { type: 'plain_text_input', value: '' } } })).status).toBe(200);
    await desk.settled();
    let stored = await fresh();
    expect(stored.status).toBe('resolved');
    expect(stored.decision).toMatchObject({ decidedBy: 'ivan', approvedBy: 'sergey' });
    expect(buttons()).toContain(ACTIONS.fulfil);
    expect(buttons()).toContain(ACTIONS.close);

    await desk.press(OLGA, ACTIONS.fulfil, claim.id);
    expect((await desk.fake.waitForCall('chat.postEphemeral', (call) => call.params.user === OLGA)).params.text).toBe(t('ru', 'staff.refused.other_department'));
    const fulfil = await openModal(IVAN, ACTIONS.fulfil);
    expect((await desk.submit(IVAN, VIEWS.fulfil, fulfil.private_metadata, { note: { note: { type: 'plain_text_input', value: '' } } })).status).toBe(200);
    await desk.settled();
    expect((await fresh()).fulfilment?.doneAt).toBeInstanceOf(Date);

    const close = await openModal(IVAN, ACTIONS.close);
    expect((await desk.submit(IVAN, VIEWS.close, close.private_metadata, { note: { note: { type: 'plain_text_input', value: '' } } })).json()).toEqual({ response_action: 'errors', errors: { note: t('ru', 'staff.modal.required') } });
    expect((await desk.submit(IVAN, VIEWS.close, close.private_metadata, { note: { note: { type: 'plain_text_input', value: 'Confirmed by phone' } } })).status).toBe(200);
    await desk.settled();
    stored = await fresh();
    expect(stored.status).toBe('closed');
    expect(stored.history.at(-1)).toMatchObject({ action: 'close', note: 'Confirmed by phone', actor: { kind: 'staff', staffId: 'ivan' } });
  });
});
