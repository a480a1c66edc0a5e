import { describe, expect, it } from 'vitest';
import { alertsFor, type Alert } from '../../src/domain/alerts.js';
import { changedClaim, changePolicy, isEmptyChange, plan, type ChangeCommandInput, type ChangePolicy } from '../../src/domain/claim-changes.js';
import type { Decision } from '../../src/domain/decision.js';
import { approvalReasons, decisionRules, disputeState, type ApprovalReason } from '../../src/domain/decision-workflow.js';
import { DeskConfig, type Severity } from '../../src/domain/desk.js';
import type { Claim, ClaimEvent } from '../../src/domain/lifecycle.js';
import { changed, claimFixture, hoursAfter, refused } from '../support/claims.js';

/** Approval, fulfilment and dispute of decisions (#25), without a database. */

const name = { ru: 'x', en: 'x' };
const desk = DeskConfig.parse({
  desk: { name, currency: 'RUB' },
  departments: [{ id: 'quality', name }],
  categories: [{ id: 'defect', label: name, department: 'quality' }],
  staff: [
    { id: 'ivan', name: 'Ivan', roles: ['specialist'], departments: ['quality'] },
    { id: 'nina', name: 'Nina', roles: ['head'], departments: ['quality'] },
    { id: 'oleg', name: 'Oleg', roles: ['head'], departments: ['quality'] },
  ],
  decisions: { approvalOver: 10_000, fulfilmentEscalateAfterHours: 24 },
});
const policy: ChangePolicy = changePolicy(desk);
const customer = { channel: 'telegram', userId: '1001' } as const;

const refund = (minor?: number): Decision => ({ outcome: 'accepted', remedy: 'refund', responseText: 'We refund {amount}.', ...(minor !== undefined ? { amount: { minor, currency: 'RUB' } } : {}) });
const partial = (minor: number): Decision => ({ outcome: 'partially_accepted', remedy: 'discount', amount: { minor, currency: 'RUB' }, responseText: 'A discount.' });
const rejection: Decision = { outcome: 'rejected', reason: 'unfounded', responseText: 'Not a defect.' };

function claim(extra: Partial<Claim> = {}): Claim {
  return claimFixture({ status: 'in_review', assigneeId: 'ivan', ...extra });
}

/** Applies commands one after another, as the registry would. */
function run(start: Claim, ...steps: readonly [ChangeCommandInput, Date][]): Claim {
  return steps.reduce((current, [command, now]) => changedClaim(current, changed(plan(current, command, policy, now))), start);
}

const recipients = (alerts: readonly Alert[]) => alerts.map((alert) => `${alert.kind} → ${alert.to.kind === 'staff' ? alert.to.staffId : alert.to.departmentId}`);
const alertsOf = (state: Claim, event: ClaimEvent | undefined) => (event ? recipients(alertsFor(event, state, desk)) : []);

describe('what needs a head\'s approval', () => {
  const rules = decisionRules(desk);
  const table: readonly [string, Decision, Severity, ApprovalReason[]][] = [
    ['an acceptance over the amount', refund(1_000_001), 'normal', ['amount']],
    ['an acceptance of exactly the amount', refund(1_000_000), 'normal', []],
    ['an acceptance under the amount', refund(50_000), 'critical', []],
    ['an acceptance without an amount', refund(), 'critical', []],
    ['a partial acceptance over the amount', partial(2_000_000), 'low', ['amount']],
    ['a rejection of a high claim', rejection, 'high', ['severity']],
    ['a rejection of a critical claim', rejection, 'critical', ['severity']],
    ['a rejection of a normal claim', rejection, 'normal', []],
    ['a rejection of a low claim', rejection, 'low', []],
  ];
  it.each(table)('%s', (_title, decision, severity, expected) => {
    expect(approvalReasons(decision, severity, rules)).toEqual(expected);
  });

  it('a desk without an amount approves no amount; its list of severities is its own', () => {
    const plain = decisionRules(DeskConfig.parse({ desk: { name }, departments: [{ id: 'quality', name }], categories: [{ id: 'defect', label: name, department: 'quality' }], decisions: { approveRejectionsOf: ['critical'] } }));
    expect(approvalReasons(refund(999_999_999), 'normal', plain)).toEqual([]);
    expect(approvalReasons(rejection, 'high', plain)).toEqual([]);
    expect(approvalReasons(rejection, 'critical', plain)).toEqual(['severity']);
  });
});

describe('approval', () => {
  const decide = (decision: Decision, staffId = 'ivan', fulfilmentDays?: number): ChangeCommandInput => ({ type: 'decide', staffId, decision, ...(fulfilmentDays !== undefined ? { fulfilmentDays } : {}) });

  it('a decision over the amount becomes a draft: status unchanged, nothing for the customer, the heads alerted', () => {
    const result = changed(plan(claim(), decide(refund(2_000_000), 'ivan', 10), policy, hoursAfter(5)));
    expect(result.set.status).toBeUndefined();
    expect(result.set.pendingDecision).toMatchObject({ reasons: ['amount'], by: 'ivan', fulfilmentDays: 10, decision: { decidedBy: 'ivan' } });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ type: 'decision_drafted', notifyCustomer: false });
    const after = changedClaim(claim(), result);
    expect(alertsOf(after, result.events[0])).toEqual(['approval_requested → nina', 'approval_requested → oleg']);
  });

  it('a head deciding needs no approval; a decision under the amount neither', () => {
    expect(changed(plan(claim(), decide(refund(2_000_000), 'nina'), policy, hoursAfter(5))).set.status).toBe('resolved');
    expect(changed(plan(claim(), decide(refund(5_000)), policy, hoursAfter(5))).set.status).toBe('resolved');
    expect(changed(plan(claim({ severity: 'high' }), decide(rejection), policy, hoursAfter(5))).set.pendingDecision).toMatchObject({ reasons: ['severity'] });
  });

  it('while a draft waits, no other decision is taken', () => {
    const drafted = run(claim(), [decide(refund(2_000_000)), hoursAfter(5)]);
    expect(refused(plan(drafted, decide(refund(100)), policy, hoursAfter(6)))).toBe('INVALID_TRANSITION');
    expect(refused(plan(drafted, { type: 'move', command: { action: 'resolve', decision: refund(100) }, actor: { kind: 'staff', staffId: 'ivan' } }, policy, hoursAfter(6)))).toBe('INVALID_TRANSITION');
  });

  it('approval resolves with the author\'s decision and the approver recorded; the customer is told then; the fulfilment counts from the approval', () => {
    const drafted = run(claim(), [decide(refund(2_000_000), 'ivan', 10), hoursAfter(5)]);
    const draftId = drafted.pendingDecision?.id ?? '';
    const result = changed(plan(drafted, { type: 'approve_decision', staffId: 'nina', draftId }, policy, hoursAfter(8)));
    expect(result.events.map((event) => event.type)).toEqual(['decision_approved', 'status_changed']);
    expect(result.events[1]).toMatchObject({ action: 'resolve', notifyCustomer: true, actor: { kind: 'staff', staffId: 'ivan' }, decision: { decidedBy: 'ivan', approvedBy: 'nina' }, fulfilmentDueAt: hoursAfter(8 + 240) });
    expect(result.set).toMatchObject({ status: 'resolved', decision: { approvedBy: 'nina' }, fulfilment: { dueAt: hoursAfter(8 + 240), decisionEventId: result.events[1]?.id } });
    expect(result.unset).toContain('pendingDecision');
    expect(result.schedule).toMatchObject({ fulfilmentNextAt: hoursAfter(8 + 240) });
  });

  it('an approval or return naming another draft, or none, is refused', () => {
    const drafted = run(claim(), [decide(refund(2_000_000)), hoursAfter(5)]);
    expect(refused(plan(drafted, { type: 'approve_decision', staffId: 'nina', draftId: 'other' }, policy, hoursAfter(6)))).toBe('INVALID_TRANSITION');
    expect(refused(plan(claim(), { type: 'approve_decision', staffId: 'nina', draftId: 'x' }, policy, hoursAfter(6)))).toBe('INVALID_TRANSITION');
    expect(refused(plan(drafted, { type: 'return_decision', staffId: 'nina', draftId: drafted.pendingDecision?.id ?? '', note: '  ' }, policy, hoursAfter(6)))).toBe('INVALID_CLAIM');
  });

  it('a return removes the draft, keeps the status, tells its author with the head\'s note, and the author may decide again', () => {
    const drafted = run(claim(), [decide(refund(2_000_000)), hoursAfter(5)]);
    const result = changed(plan(drafted, { type: 'return_decision', staffId: 'nina', draftId: drafted.pendingDecision?.id ?? '', note: 'Too much: offer 5000' }, policy, hoursAfter(6)));
    expect(result.unset).toEqual(['pendingDecision']);
    expect(result.set.status).toBeUndefined();
    expect(result.events[0]).toMatchObject({ type: 'decision_returned', note: 'Too much: offer 5000', notifyCustomer: false });
    const after = changedClaim(drafted, result);
    expect(alertsOf(after, result.events[0])).toEqual(['decision_returned → ivan']);
    expect(changed(plan(after, decide(refund(500_000)), policy, hoursAfter(7))).set.status).toBe('resolved');
  });
});

describe('fulfilment', () => {
  const resolved = () => run(claim(), [{ type: 'decide', staffId: 'ivan', decision: refund(5_000), fulfilmentDays: 10 }, hoursAfter(0)]);
  const due = hoursAfter(240);

  it('a rejection carries no fulfilment, nor an acceptance without days', () => {
    expect(changed(plan(claim(), { type: 'decide', staffId: 'ivan', decision: refund(5_000) }, policy, hoursAfter(1))).set.fulfilment).toBeUndefined();
    expect(refused(plan(claim(), { type: 'decide', staffId: 'ivan', decision: refund(5_000), fulfilmentDays: 0 }, policy, hoursAfter(1)))).toBe('INVALID_CLAIM');
    expect(changed(plan(claim(), { type: 'decide', staffId: 'ivan', decision: rejection, fulfilmentDays: 3 }, policy, hoursAfter(1))).set.fulfilment).toBeUndefined();
  });

  it('marked done once: the customer is told; again changes nothing; no fulfilment, refused', () => {
    const first = changed(plan(resolved(), { type: 'fulfil', staffId: 'ivan' }, policy, hoursAfter(30)));
    expect(first.events[0]).toMatchObject({ type: 'fulfilled', notifyCustomer: true });
    expect(first.set.fulfilment).toMatchObject({ doneAt: hoursAfter(30), doneBy: 'ivan' });
    expect(first.schedule).toEqual({ fulfilmentNextAt: null });
    expect(isEmptyChange(changed(plan(changedClaim(resolved(), first), { type: 'fulfil', staffId: 'ivan' }, policy, hoursAfter(31))))).toBe(true);
    expect(refused(plan(claim({ status: 'resolved' }), { type: 'fulfil', staffId: 'ivan' }, policy, hoursAfter(30)))).toBe('INVALID_TRANSITION');
  });

  // hours after the resolution the sweep looks → events recorded, next look
  const table: readonly [number, string[], Date | null][] = [
    [100, [], due],
    [240, ['fulfilment_overdue'], hoursAfter(264)],
    [250, ['fulfilment_overdue'], hoursAfter(264)],
    [264, ['fulfilment_overdue', 'fulfilment_escalated'], null],
  ];
  it.each(table)('the sweep at %d h records %j, next look %s', (hours, types, next) => {
    const result = changed(plan(resolved(), { type: 'fulfilment_checks' }, policy, hoursAfter(hours)));
    expect(result.events.map((event) => event.type)).toEqual(types);
    expect(result.schedule).toEqual({ fulfilmentNextAt: next });
  });

  it('each once: overdue to the assignee, escalated to the heads; nothing after it is done', () => {
    const overdue = run(resolved(), [{ type: 'fulfilment_checks' }, hoursAfter(241)]);
    const again = changed(plan(overdue, { type: 'fulfilment_checks' }, policy, hoursAfter(250)));
    expect(again.events).toEqual([]);
    expect(alertsOf(overdue, overdue.history.at(-1))).toEqual(['fulfilment_overdue → ivan']);
    expect(alertsOf({ ...overdue, assigneeId: undefined }, overdue.history.at(-1))).toEqual(['fulfilment_overdue → nina', 'fulfilment_overdue → oleg']);
    const escalated = run(overdue, [{ type: 'fulfilment_checks' }, hoursAfter(270)]);
    expect(alertsOf(escalated, escalated.history.at(-1))).toEqual(['fulfilment_escalated → nina', 'fulfilment_escalated → oleg']);
    const done = run(resolved(), [{ type: 'fulfil', staffId: 'ivan' }, hoursAfter(10)]);
    expect(changed(plan(done, { type: 'fulfilment_checks' }, policy, hoursAfter(300))).events).toEqual([]);
  });
});

describe('dispute', () => {
  const resolved = () => run(claim(), [{ type: 'decide', staffId: 'ivan', decision: refund(5_000), fulfilmentDays: 10 }, hoursAfter(1)]);
  const dispute = (text = 'I asked for a refund of the whole price.'): ChangeCommandInput => ({ type: 'dispute', customer, text });

  it('returns the claim to review with the customer\'s text, drops the decision and its fulfilment; the assignee and the heads are alerted', () => {
    const before = resolved();
    const result = changed(plan(before, dispute(), policy, hoursAfter(5)));
    expect(result.set.status).toBe('in_review');
    expect(result.unset).toEqual(expect.arrayContaining(['decision', 'fulfilment']));
    expect(result.events[0]).toMatchObject({ action: 'dispute', actor: { kind: 'customer' }, note: 'I asked for a refund of the whole price.', notifyCustomer: false });
    expect(result.schedule).toMatchObject({ fulfilmentNextAt: null, surveyNextAt: null, slaNextCheckAt: hoursAfter(5) });
    const after = changedClaim(before, result);
    expect(alertsOf(after, result.events[0])).toEqual(['decision_disputed → ivan', 'decision_disputed → nina', 'decision_disputed → oleg']);
    expect(disputeState(after)).toBe('already_disputed');
  });

  it('the same decision once; a new decision may be disputed again', () => {
    const disputed = run(resolved(), [dispute(), hoursAfter(5)]);
    expect(refused(plan(disputed, dispute('again'), policy, hoursAfter(6)))).toBe('INVALID_TRANSITION');
    const decidedAgain = run(disputed, [{ type: 'decide', staffId: 'ivan', decision: refund(9_000) }, hoursAfter(7)]);
    expect(disputeState(decidedAgain)).toBe('open');
    expect(changed(plan(decidedAgain, dispute('still not enough'), policy, hoursAfter(8))).set.status).toBe('in_review');
  });

  it('refused without a decision, once closed, for another customer, for an empty text, or naming an older decision', () => {
    expect(refused(plan(claim(), dispute(), policy, hoursAfter(5)))).toBe('INVALID_TRANSITION');
    expect(disputeState(claim())).toBe('no_decision');
    const closed = run(resolved(), [{ type: 'move', command: { action: 'close', note: 'Confirmed by phone' }, actor: { kind: 'staff', staffId: 'ivan' } }, hoursAfter(3)]);
    expect(disputeState(closed)).toBe('closed');
    expect(refused(plan(closed, dispute(), policy, hoursAfter(5)))).toBe('INVALID_TRANSITION');
    expect(refused(plan(resolved(), { type: 'dispute', customer: { channel: 'telegram', userId: '999' }, text: 'x' }, policy, hoursAfter(5)))).toBe('CLAIM_NOT_FOUND');
    expect(refused(plan(resolved(), dispute('   '), policy, hoursAfter(5)))).toBe('INVALID_CLAIM');
    expect(refused(plan(resolved(), { type: 'dispute', customer, text: 'x', decisionEventId: 'older' }, policy, hoursAfter(5)))).toBe('INVALID_TRANSITION');
  });
});

describe('staff close', () => {
  it('keeps the survey on its rules: the survey goes out after a staff close, and its answer is taken', () => {
    const resolved = run(claim(), [{ type: 'decide', staffId: 'ivan', decision: refund(5_000) }, hoursAfter(1)]);
    const closed = run(resolved, [{ type: 'move', command: { action: 'close', note: 'Confirmed by phone' }, actor: { kind: 'staff', staffId: 'ivan' } }, hoursAfter(1.5)]);
    expect(closed.status).toBe('closed');
    expect(closed.history.at(-1)).toMatchObject({ action: 'close', note: 'Confirmed by phone', notifyCustomer: true });
    const sent = changed(plan(closed, { type: 'survey_step', surveyedRecently: false }, policy, hoursAfter(2)));
    expect(sent.events[0]).toMatchObject({ type: 'survey_sent', notifyCustomer: true });
    const surveyed = changedClaim(closed, sent);
    expect(changed(plan(surveyed, { type: 'answer_survey', customer, answer: { score: 5 } }, policy, hoursAfter(3))).events[0]).toMatchObject({ type: 'survey_answered', score: 5 });
    // the window's end on a claim already closed: the survey stops, the claim stays closed
    const over = changed(plan(surveyed, { type: 'survey_step', surveyedRecently: false }, policy, hoursAfter(100)));
    expect(over.events).toEqual([]);
    expect(over.schedule).toEqual({ surveyNextAt: null });
  });
});
