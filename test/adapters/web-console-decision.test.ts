import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/** The decision's workflow over HTTP (#25): a head reviews a draft, the remedy is marked done, staff close — by the role table. */

interface ClaimBody {
  claim: {
    number: string;
    status: string;
    version: number;
    actions: { action: string; allowed: boolean; reason?: string }[];
    pendingDecision: null | { id: string; by: { id: string }; summary: string; reasons: string[]; text: string; fulfilmentDays: number | null };
    fulfilment: null | { dueAt: string; doneAt: string | null };
    history: { type: string; text: string }[];
  };
}
interface ErrorBody {
  error: string;
  message: string;
}

describe('the web console: approval, fulfilment and close of a decision', () => {
  let desk: ConsoleDesk;
  let ivan: ConsoleBrowser; // specialist, quality (Russian)
  let sergey: ConsoleBrowser; // head (English)
  let olga: ConsoleBrowser; // operator, support
  let claim: Claim;

  beforeAll(async () => {
    desk = await ConsoleDesk.start({ desk: (config) => (config.decisions = { approvalOver: 10_000 }) });
    [ivan, sergey, olga] = await Promise.all([desk.signIn('ivan'), desk.signIn('sergey'), desk.signIn('olga')]);
    claim = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('8201'), locale: 'en' }), 'console-decision-1')).claim;
  });
  afterAll(() => desk.stop());

  const act = (browser: ConsoleBrowser, body: unknown) => browser.post(`/console/api/claims/${claim.number}/actions`, body);
  const version = async () => (await desk.app.claims.findById(claim.id))?.version;

  it('a decision over the amount becomes a draft the page shows; only a head may review it; bad input is a 400 and changes nothing', async () => {
    expect((await act(ivan, { action: 'take' })).status).toBe(200);
    const refund = { outcome: 'accepted', remedy: 'refund', amount: '15 000', responseText: 'We refund {amount}.', fulfilmentDays: '10' };
    const bad = [
      { action: 'resolve', decision: { ...refund, fulfilmentDays: 'ten' } },
      { action: 'resolve', decision: { ...refund, fulfilmentDays: '0' } },
      { action: 'resolve', decision: { ...refund, fulfilmentDays: '400' } },
      { action: 'resolve', decision: { outcome: 'rejected', reason: 'unfounded', responseText: 'No.', fulfilmentDays: '3' } },
    ];
    const before = await version();
    for (const body of bad) expect((await act(ivan, body)).status).toBe(400);
    expect(await version()).toBe(before);

    const drafted = await act(ivan, { action: 'resolve', decision: refund });
    expect(drafted.status).toBe(200);
    const shown = ((await drafted.json()) as ClaimBody).claim;
    expect(shown.status).toBe('in_review');
    expect(shown.pendingDecision).toMatchObject({ by: { id: 'ivan' }, fulfilmentDays: 10, reasons: [t('ru', 'staff.approval.reason.amount')] });
    expect(shown.pendingDecision?.text).toContain('15');
    // no second decision while it waits: the page offers the review instead
    expect(shown.actions.map((action) => action.action)).toContain('approve_decision');
    expect(shown.actions.map((action) => action.action)).not.toContain('resolve');
    expect(shown.actions.find((action) => action.action === 'approve_decision')?.allowed).toBe(false);
    const draftId = shown.pendingDecision?.id ?? '';

    const refused = await act(ivan, { action: 'approve_decision', draftId });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorBody).error).toBe('missing_right');
    expect((await act(olga, { action: 'return_decision', draftId, note: 'x' })).status).toBe(403);
    // a return without a note, or naming another draft, changes nothing
    const unchanged = await version();
    expect((await act(sergey, { action: 'return_decision', draftId, note: '  ' })).status).toBe(400);
    expect((await act(sergey, { action: 'approve_decision', draftId: 'another' })).status).toBe(409);
    expect(await version()).toBe(unchanged);

    const approved = await act(sergey, { action: 'approve_decision', draftId });
    expect(approved.status).toBe(200);
    const after = ((await approved.json()) as ClaimBody).claim;
    expect(after.status).toBe('resolved');
    expect(after.pendingDecision).toBeNull();
    expect(after.fulfilment?.doneAt).toBeNull();
    expect(after.history.map((entry) => entry.type)).toEqual(expect.arrayContaining(['decision_drafted', 'decision_approved']));
    expect(after.actions.map((action) => action.action)).toEqual(expect.arrayContaining(['fulfil', 'close']));
  });

  it('the remedy marked done and the claim closed, by whoever works it; others are refused', async () => {
    expect((await act(olga, { action: 'fulfil' })).status).toBe(403);
    const done = await act(ivan, { action: 'fulfil', note: 'Paid' });
    expect(done.status).toBe(200);
    expect(((await done.json()) as ClaimBody).claim.fulfilment?.doneAt).not.toBeNull();
    expect((await act(ivan, { action: 'close', note: '' })).status).toBe(400);
    expect((await act(olga, { action: 'close', note: 'Confirmed by phone' })).status).toBe(403);
    const closed = await act(ivan, { action: 'close', note: 'Confirmed by phone' });
    expect(closed.status).toBe(200);
    const shown = ((await closed.json()) as ClaimBody).claim;
    expect(shown.status).toBe('closed');
    expect(shown.history.at(-1)?.text).toContain('Confirmed by phone');
  });
});
