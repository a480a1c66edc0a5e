import { describe, expect, it } from 'vitest';
import {
  changedClaim,
  isEmptyChange,
  isNewVersion,
  plan,
  surveyCooldownSince,
  type ChangeCommandInput,
  type ChangePolicy,
  type SurveyAnswer,
} from '../../src/domain/claim-changes.js';
import { SlaPolicyConfig, SurveyConfig } from '../../src/domain/desk.js';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import { registrationEvent, type Actor, type Claim, type ClaimCommand, type ClaimEvent, type ClaimStatus } from '../../src/domain/lifecycle.js';
import type { SurveyRecord } from '../../src/domain/survey.js';
import { claimFixture, changed, refused } from '../support/claims.js';

/** The planning of claim changes, without a database: every rule of what a change does. */

const HOUR = 3_600_000;
const created = new Date('2026-05-01T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * HOUR);
const policy: ChangePolicy = {
  survey: SurveyConfig.parse({ delayMinutes: 60, reminderAfterHours: 24, windowHours: 72, cooldownHours: 24 }),
  slaWarnAtShare: 0.75,
  claimsWork: { sla: SlaPolicyConfig.parse({}), timezone: 'UTC', warrantyMonths: {}, causeCategories: [] },
  decisions: { rejectionsOf: ['high', 'critical'], escalateAfterHours: 24, staff: [] },
};
const customer = { channel: 'telegram', userId: '1001' } as const;
const ivan = { kind: 'staff', staffId: 'ivan' } as const;

function claim(extra: Partial<Claim> = {}): Claim {
  return claimFixture({ customer, ...extra });
}

const move = (command: ClaimCommand, actor: Actor = ivan): ChangeCommandInput => ({ type: 'move', command, actor });
const accepted = { outcome: 'accepted', remedy: 'replacement', responseText: 'We will replace it.' } as const;

describe('lifecycle moves and the sweeps\' clocks', () => {
  // status before, command, status after, what happens to the schedule, fields removed beside the table's own
  const table: [ClaimStatus, ClaimCommand, ClaimStatus, Record<string, 'now' | 'survey delay' | null>, string[]][] = [
    ['new', { action: 'take' }, 'in_review', {}, []],
    ['in_review', { action: 'investigate' }, 'investigating', {}, []],
    ['in_review', { action: 'request_info', question: 'Which colour?' }, 'awaiting_customer', {}, []],
    ['new', { action: 'resolve', decision: accepted }, 'resolved', { surveyNextAt: 'survey delay' }, ['survey']],
    ['investigating', { action: 'resolve', decision: accepted }, 'resolved', { surveyNextAt: 'survey delay' }, ['survey']],
    ['awaiting_customer', { action: 'resolve', decision: accepted }, 'resolved', { surveyNextAt: 'survey delay' }, ['survey', 'resumeStatus']],
    // staff closing a resolved claim leave its survey to the survey's rules (#25); the survey window closing stops it (below)
    ['resolved', { action: 'close', note: 'Confirmed by phone' }, 'closed', {}, []],
    ['resolved', { action: 'reopen', reason: 'It broke again.' }, 'in_review', { slaNextCheckAt: 'now', surveyNextAt: null, fulfilmentNextAt: null }, ['decision', 'resolvedAt']],
    ['closed', { action: 'reopen', reason: 'It broke again.' }, 'in_review', { slaNextCheckAt: 'now', surveyNextAt: null, fulfilmentNextAt: null }, ['closedAt']],
    ['resolved', { action: 'dispute', reason: 'I asked for a refund.' }, 'in_review', { slaNextCheckAt: 'now', surveyNextAt: null, fulfilmentNextAt: null }, ['decision', 'resolvedAt']],
  ];
  for (const [from, command, to, schedule, removed] of table) {
    it(`${from} ${command.action} → ${to}, schedule ${JSON.stringify(schedule)}`, () => {
      const now = at(5);
      const result = changed(plan(claim({ status: from, ...(from === 'awaiting_customer' ? { resumeStatus: 'in_review' } : {}) }), move(command), policy, now));
      expect(result.set.status).toBe(to);
      expect(result.events).toHaveLength(1);
      expect(result.events[0]).toMatchObject({ type: 'status_changed', action: command.action, from, to, actor: ivan });
      const expected = Object.fromEntries(Object.entries(schedule).map(([field, when]) => [field, when === 'now' ? now : when === 'survey delay' ? new Date(now.getTime() + 60 * 60_000) : null]));
      expect(result.schedule).toEqual(expected);
      expect(result.unset).toEqual(expect.arrayContaining(removed));
      expect(isNewVersion(result)).toBe(true);
    });
  }

  it('refuses what the transition table does not allow, and a malformed command, as data', () => {
    expect(refused(plan(claim({ status: 'new' }), move({ action: 'close' }), policy, at(1)))).toBe('INVALID_TRANSITION');
    expect(refused(plan(claim({ status: 'closed' }), move({ action: 'investigate' }), policy, at(1)))).toBe('INVALID_TRANSITION');
    expect(refused(plan(claim({ status: 'in_review' }), move({ action: 'request_info', question: '   ' }), policy, at(1)))).toBe('INVALID_CLAIM');
    expect(refused(plan(claim(), { type: 'assign', assigneeId: '', actor: ivan }, policy, at(1)))).toBe('INVALID_CLAIM');
    expect(refused(plan(claim(), { type: 'teleport' } as unknown as ChangeCommandInput, policy, at(1)))).toBe('INVALID_CLAIM');
  });

  it('precomputes the report fields: first response once, from staff; resolution time and SLA verdict', () => {
    const taken = changed(plan(claim(), move({ action: 'take' }), policy, at(30)));
    expect(taken.set).toMatchObject({ firstResponseAt: at(30), firstResponseMs: 30 * HOUR, firstResponseWithinSla: false });
    const resolved = changed(plan(claim({ status: 'in_review', firstResponseAt: at(30) }), move({ action: 'resolve', decision: accepted }), policy, at(100)));
    expect(resolved.set).toMatchObject({ resolvedAt: at(100), resolutionMs: 100 * HOUR, resolvedWithinSla: true, decision: accepted });
    expect(resolved.set.firstResponseAt).toBeUndefined();
  });
});

describe('take and assign', () => {
  it('take: the review starts and the taker becomes the assignee, in one change', () => {
    const result = changed(plan(claim(), { type: 'take', staffId: 'maria' }, policy, at(2)));
    expect(result.set).toMatchObject({ status: 'in_review', assigneeId: 'maria', firstResponseAt: at(2) });
    expect(result.events.map((event) => event.type)).toEqual(['status_changed', 'assigned']);
    expect(result.events[1]).toMatchObject({ assigneeId: 'maria', actor: { kind: 'staff', staffId: 'maria' }, notifyCustomer: false });
  });

  it('take by the assignee already set records no second assignment; take of a claim under review is refused', () => {
    expect(changed(plan(claim({ assigneeId: 'maria' }), { type: 'take', staffId: 'maria' }, policy, at(2))).events.map((event) => event.type)).toEqual(['status_changed']);
    expect(refused(plan(claim({ status: 'in_review' }), { type: 'take', staffId: 'maria' }, policy, at(2)))).toBe('INVALID_TRANSITION');
  });

  const statuses: [ClaimStatus, 'assigned' | 'refused'][] = [
    ['new', 'assigned'],
    ['in_review', 'assigned'],
    ['investigating', 'assigned'],
    ['awaiting_customer', 'assigned'],
    ['resolved', 'assigned'],
    ['closed', 'refused'],
  ];
  for (const [status, outcome] of statuses) {
    it(`assign a claim that is ${status}: ${outcome}`, () => {
      const result = plan(claim({ status }), { type: 'assign', assigneeId: 'olga', actor: ivan }, policy, at(3));
      if (outcome === 'refused') {
        expect(refused(result)).toBe('INVALID_TRANSITION');
        return;
      }
      const change = changed(result);
      expect(change.set).toEqual({ assigneeId: 'olga' });
      expect(change.events).toEqual([expect.objectContaining({ type: 'assigned', assigneeId: 'olga', actor: ivan })]);
    });
  }

  it('assigning the current assignee again changes nothing', () => {
    expect(isEmptyChange(changed(plan(claim({ status: 'in_review', assigneeId: 'olga' }), { type: 'assign', assigneeId: 'olga', actor: ivan }, policy, at(3))))).toBe(true);
  });
});

describe('information the customer adds', () => {
  const info = (text: string) => ({ text, attachments: [] });

  it('on an open claim: one customer_info event, nothing else changes', () => {
    const result = changed(plan(claim({ status: 'in_review' }), { type: 'add_info', customer, info: info('  Serial SN-42.  '), eventId: 'info:1' }, policy, at(4)));
    expect(result.set).toEqual({});
    expect(result.events).toEqual([expect.objectContaining({ id: 'info:1', type: 'customer_info', note: 'Serial SN-42.', actor: { kind: 'customer' } })]);
  });

  it('on a claim waiting for the customer: it moves back to where it was, in the same change', () => {
    const result = changed(plan(claim({ status: 'awaiting_customer', resumeStatus: 'investigating' }), { type: 'add_info', customer, info: info('SN-42'), eventId: 'info:2' }, policy, at(4)));
    expect(result.set.status).toBe('investigating');
    expect(result.unset).toContain('resumeStatus');
    expect(result.events.map((event) => `${event.type}${event.to ? `→${event.to}` : ''}`)).toEqual(['customer_info', 'status_changed→investigating']);
  });

  const refusals: [string, Partial<Claim>, ChangeCommandInput, DomainErrorCode][] = [
    ['another user', {}, { type: 'add_info', customer: { channel: 'telegram', userId: '2002' }, info: info('hi'), eventId: 'a' }, 'CLAIM_NOT_FOUND'],
    ['another channel', {}, { type: 'add_info', customer: { channel: 'slack', userId: '1001' }, info: info('hi'), eventId: 'b' }, 'CLAIM_NOT_FOUND'],
    ['another Slack workspace', { customer: { channel: 'slack', userId: 'U1', teamId: 'T1' } }, { type: 'add_info', customer: { channel: 'slack', userId: 'U1', teamId: 'T2' }, info: info('hi'), eventId: 'c' }, 'CLAIM_NOT_FOUND'],
    ['a resolved claim', { status: 'resolved' }, { type: 'add_info', customer, info: info('But it does not!'), eventId: 'd' }, 'INVALID_TRANSITION'],
    ['a closed claim', { status: 'closed' }, { type: 'add_info', customer, info: info('hello?'), eventId: 'e' }, 'INVALID_TRANSITION'],
    ['nothing to add', {}, { type: 'add_info', customer, info: info('   '), eventId: 'f' }, 'INVALID_CLAIM'],
  ];
  for (const [what, extra, command, code] of refusals) {
    it(`refuses ${what} with ${code}`, () => {
      expect(refused(plan(claim(extra), command, policy, at(4)))).toBe(code);
    });
  }

  it('the same message twice changes nothing (idempotent on the event id), even once the claim is closed', () => {
    const known: ClaimEvent = { id: 'info:9', at: at(1), actor: { kind: 'customer' }, type: 'customer_info', note: 'SN-42', notifyCustomer: false };
    expect(isEmptyChange(changed(plan(claim({ history: [registrationEvent(created), known] }), { type: 'add_info', customer, info: info('SN-42'), eventId: 'info:9' }, policy, at(4))))).toBe(true);
    expect(isEmptyChange(changed(plan(claim({ status: 'closed', history: [registrationEvent(created), known] }), { type: 'add_info', customer, info: info('SN-42'), eventId: 'info:9' }, policy, at(4))))).toBe(true);
  });
});

describe('the survey', () => {
  const resolvedAt = at(10);
  const resolved = (survey?: SurveyRecord, extra: Partial<Claim> = {}) =>
    claim({ status: 'resolved', resolvedAt, decision: accepted, ...(survey ? { survey } : {}), ...extra });
  const sent: SurveyRecord = { sentAt: at(11), closeAt: at(83) };

  describe('answers', () => {
    const answers: [string, Claim, SurveyAnswer, string][] = [
      ['a score on an open survey', resolved(sent), { score: 4 }, 'survey_answered'],
      ['a comment, trimmed', resolved({ ...sent, score: 4 }), { comment: '  Quick, thanks!  ' }, 'survey_commented'],
      ['the same score again', resolved({ ...sent, score: 4 }), { score: 4 }, 'nothing'],
      ['an empty comment', resolved(sent), { comment: '   ' }, 'nothing'],
      ['the same comment again', resolved({ ...sent, comment: 'Quick, thanks!' }), { comment: 'Quick, thanks!' }, 'nothing'],
      ['a survey never sent (skipped)', resolved({ skipped: 'cooldown', closeAt: at(83) }), { score: 5 }, 'INVALID_TRANSITION'],
      ['a claim with no survey yet', resolved(), { score: 5 }, 'INVALID_TRANSITION'],
      ['a survey whose window is over', resolved({ sentAt: at(11), closeAt: at(12) }), { score: 5 }, 'INVALID_TRANSITION'],
      ['a reopened claim', claim({ status: 'in_review', survey: sent }), { score: 5 }, 'INVALID_TRANSITION'],
      ['another customer\'s claim', resolved(sent, { customer: { channel: 'telegram', userId: '2002' } }), { score: 5 }, 'CLAIM_NOT_FOUND'],
    ];
    for (const [what, subject, answer, outcome] of answers) {
      it(`${what}: ${outcome}`, () => {
        const result = plan(subject, { type: 'answer_survey', customer, answer }, policy, at(20));
        if (outcome === 'nothing') expect(isEmptyChange(changed(result))).toBe(true);
        else if (outcome.startsWith('survey_')) expect(changed(result).events.map((event) => event.type)).toEqual([outcome]);
        else expect(refused(result)).toBe(outcome);
      });
    }

    it('a score is stored with its time; a comment is cut to the customer-information limit', () => {
      expect(changed(plan(resolved(sent), { type: 'answer_survey', customer, answer: { score: 2 } }, policy, at(20))).set.survey).toEqual({ ...sent, score: 2, answeredAt: at(20) });
      const long = changed(plan(resolved(sent), { type: 'answer_survey', customer, answer: { comment: 'x'.repeat(5000) } }, policy, at(20)));
      expect(long.set.survey?.comment).toHaveLength(4000);
      expect(long.events[0]).toMatchObject({ type: 'survey_commented', actor: { kind: 'customer' }, notifyCustomer: false });
    });
  });

  describe('the sweep\'s steps', () => {
    const steps: [string, Claim, boolean, number, string[], Record<string, Date | null>, Partial<SurveyRecord> | undefined][] = [
      // what, claim, surveyed recently, hours, events, schedule, survey record set
      ['sends the survey after the delay', resolved(), false, 11, ['survey_sent'], { surveyNextAt: at(35) }, { sentAt: at(11), closeAt: at(83) }],
      ['skips it within the customer\'s cooldown', resolved(), true, 11, ['survey_skipped'], { surveyNextAt: at(83) }, { skipped: 'cooldown', closeAt: at(83) }],
      ['skips it for spam', resolved(undefined, { decision: { outcome: 'rejected', reason: 'spam', responseText: 'Not a claim.' } }), false, 11, ['survey_skipped'], { surveyNextAt: at(83) }, { skipped: 'spam_or_duplicate', closeAt: at(83) }],
      ['reminds once, unanswered', resolved(sent), false, 36, ['survey_reminder'], { surveyNextAt: at(83) }, { ...sent, remindedAt: at(36) }],
      ['waits for the reminder: only the next look moves', resolved(sent), false, 20, [], { surveyNextAt: at(35) }, undefined],
      ['waits for the window once answered', resolved({ ...sent, score: 5 }), false, 40, [], { surveyNextAt: at(83) }, undefined],
      ['a claim no longer resolved: no next look', claim({ status: 'in_review' }), false, 40, [], { surveyNextAt: null }, undefined],
    ];
    for (const [what, subject, recently, hours, events, schedule, survey] of steps) {
      it(what, () => {
        const result = changed(plan(subject, { type: 'survey_step', surveyedRecently: recently }, policy, at(hours)));
        expect(result.events.map((event) => event.type)).toEqual(events);
        expect(result.schedule).toEqual(schedule);
        expect(result.set.survey).toEqual(survey);
        expect(isNewVersion(result)).toBe(events.length > 0);
      });
    }

    it('closes the claim when the window ends, answered or not, and stops looking', () => {
      const result = changed(plan(resolved(sent), { type: 'survey_step', surveyedRecently: false }, policy, at(83)));
      expect(result.set).toMatchObject({ status: 'closed', closedAt: at(83) });
      expect(result.events).toEqual([expect.objectContaining({ type: 'status_changed', action: 'close', actor: { kind: 'system', reason: 'survey window over' }, notifyCustomer: true })]);
      expect(result.schedule).toEqual({ surveyNextAt: null });
    });

    it('the survey message is for the customer; the skip is not', () => {
      expect(changed(plan(resolved(), { type: 'survey_step', surveyedRecently: false }, policy, at(11))).events[0]?.notifyCustomer).toBe(true);
      expect(changed(plan(resolved(), { type: 'survey_step', surveyedRecently: true }, policy, at(11))).events[0]).toMatchObject({ notifyCustomer: false, note: 'cooldown' });
    });

    it('asks about the cooldown only before the first step of a resolved claim', () => {
      expect(surveyCooldownSince(resolved(), policy, at(11))).toEqual(at(11 - 24));
      expect(surveyCooldownSince(resolved(sent), policy, at(11))).toBeUndefined();
      expect(surveyCooldownSince(claim({ status: 'in_review' }), policy, at(11))).toBeUndefined();
    });
  });
});

describe('the SLA checks', () => {
  const checks: [string, Partial<Claim>, number, string[], Date | null][] = [
    // what, claim, hours, events recorded, next check
    ['nothing due yet: only the next check is written', {}, 10, [], at(18)],
    ['the first-response warning at 75 % of its window', {}, 18, ['first_response:sla_warning'], at(24)],
    ['a breach past due, without the warning after the fact', {}, 30, ['first_response:sla_breach'], at(180)],
    ['staff answered: the first-response clock has stopped', { status: 'in_review', firstResponseAt: at(2) }, 30, [], at(180)],
    ['both deadlines passed', {}, 241, ['first_response:sla_breach', 'resolution:sla_breach'], null],
    ['a resolved claim: nothing left to check', { status: 'resolved' }, 241, [], null],
  ];
  for (const [what, extra, hours, events, next] of checks) {
    it(what, () => {
      const result = changed(plan(claim(extra), { type: 'sla_checks' }, policy, at(hours)));
      expect(result.events.map((event) => `${event.slaDeadline ?? ''}:${event.type}`)).toEqual(events);
      expect(result.events.every((event) => !event.notifyCustomer)).toBe(true);
      expect(result.schedule).toEqual({ slaNextCheckAt: next });
    });
  }

  it('records each warning and breach once per claim and deadline', () => {
    const first = changed(plan(claim(), { type: 'sla_checks' }, policy, at(18)));
    const again = changed(plan(changedClaim(claim(), first), { type: 'sla_checks' }, policy, at(19)));
    expect(again.events).toEqual([]);
    expect(again.schedule).toEqual({ slaNextCheckAt: at(24) });
  });
});

describe('delivery to the customer', () => {
  const notice: ClaimEvent = { id: 'ev-1', at: at(1), actor: ivan, type: 'status_changed', action: 'take', from: 'new', to: 'in_review', notifyCustomer: true };
  const withNotice = (marks: Partial<ClaimEvent> = {}, more: ClaimEvent[] = []) => claim({ status: 'in_review', history: [registrationEvent(created), { ...notice, ...marks }, ...more] });

  it('delivered: marked once, on the same version; the first time is kept; an unknown event changes nothing', () => {
    const result = changed(plan(withNotice(), { type: 'delivered', eventId: 'ev-1', at: at(2) }, policy, at(2)));
    expect(result.marks).toEqual([{ eventId: 'ev-1', deliveredAt: at(2) }]);
    expect(isNewVersion(result)).toBe(false);
    expect(isEmptyChange(changed(plan(withNotice({ deliveredAt: at(2) }), { type: 'delivered', eventId: 'ev-1', at: at(3) }, policy, at(3))))).toBe(true);
    expect(isEmptyChange(changed(plan(withNotice(), { type: 'delivered', eventId: 'ev-404', at: at(3) }, policy, at(3))))).toBe(true);
  });

  it('progress of a notice in several parts: marked forward only, on the same version, and no more once it is settled', () => {
    const result = changed(plan(withNotice(), { type: 'delivery_progress', eventId: 'ev-1', parts: 1 }, policy, at(2)));
    expect(result.marks).toEqual([{ eventId: 'ev-1', deliveredParts: 1 }]);
    expect(isNewVersion(result)).toBe(false);
    expect(changedClaim(withNotice(), result).history[1]?.deliveredParts).toBe(1);
    expect(changed(plan(withNotice({ deliveredParts: 1 }), { type: 'delivery_progress', eventId: 'ev-1', parts: 2 }, policy, at(3))).marks).toEqual([{ eventId: 'ev-1', deliveredParts: 2 }]);
    // never back, never again, not after the notice was delivered or given up, not on an unknown event
    expect(isEmptyChange(changed(plan(withNotice({ deliveredParts: 2 }), { type: 'delivery_progress', eventId: 'ev-1', parts: 1 }, policy, at(3))))).toBe(true);
    expect(isEmptyChange(changed(plan(withNotice({ deliveredParts: 2 }), { type: 'delivery_progress', eventId: 'ev-1', parts: 2 }, policy, at(3))))).toBe(true);
    expect(isEmptyChange(changed(plan(withNotice({ deliveredAt: at(2) }), { type: 'delivery_progress', eventId: 'ev-1', parts: 1 }, policy, at(3))))).toBe(true);
    expect(isEmptyChange(changed(plan(withNotice({ deliveryFailure: 'gave_up' }), { type: 'delivery_progress', eventId: 'ev-1', parts: 1 }, policy, at(3))))).toBe(true);
    expect(isEmptyChange(changed(plan(withNotice(), { type: 'delivery_progress', eventId: 'ev-404', parts: 1 }, policy, at(3))))).toBe(true);
  });

  it('failed for good: staff are told once by an event, and the failure is marked on the event', () => {
    const first = changed(plan(withNotice(), { type: 'delivery_failed', eventId: 'ev-1', failure: 'gave_up' }, policy, at(5)));
    expect(first.events).toEqual([expect.objectContaining({ type: 'delivery_failed', aboutEventId: 'ev-1', deliveryFailure: 'gave_up', notifyCustomer: false })]);
    expect(first.marks).toEqual([{ eventId: 'ev-1', deliveryFailure: 'gave_up' }]);
    const after = changedClaim(withNotice(), first);
    expect(isEmptyChange(changed(plan(after, { type: 'delivery_failed', eventId: 'ev-1', failure: 'gave_up' }, policy, at(6))))).toBe(true);
  });

  it('failed, told but not marked (a crash between the two writes): only the mark is left to do', () => {
    const told: ClaimEvent = { id: 'ev-2', at: at(5), actor: { kind: 'system', reason: 'delivery' }, type: 'delivery_failed', aboutEventId: 'ev-1', deliveryFailure: 'unreachable', notifyCustomer: false };
    const result = changed(plan(withNotice({}, [told]), { type: 'delivery_failed', eventId: 'ev-1', failure: 'unreachable' }, policy, at(6)));
    expect(result.events).toEqual([]);
    expect(result.marks).toEqual([{ eventId: 'ev-1', deliveryFailure: 'unreachable' }]);
  });
});

describe('the claim after a change', () => {
  it('a new version: fields set and removed, events appended, version and updatedAt moved on', () => {
    const asked = claim({ status: 'awaiting_customer', resumeStatus: 'in_review', version: 4 });
    const change = changed(plan(asked, { type: 'add_info', customer, info: { text: 'SN-42', attachments: [] }, eventId: 'info:1' }, policy, at(7)));
    const after = changedClaim(asked, change);
    expect(after).toMatchObject({ status: 'in_review', version: 5, updatedAt: at(7) });
    expect('resumeStatus' in after).toBe(false);
    expect(after.history.slice(1).map((event) => event.type)).toEqual(['customer_info', 'status_changed']);
  });

  it('bookkeeping (a mark, the schedule) keeps the version', () => {
    const subject = claim({ status: 'in_review', history: [registrationEvent(created), { id: 'ev-1', at: at(1), actor: ivan, type: 'status_changed', notifyCustomer: true }] });
    const after = changedClaim(subject, changed(plan(subject, { type: 'delivered', eventId: 'ev-1', at: at(2) }, policy, at(2))));
    expect(after.version).toBe(subject.version);
    expect(after.updatedAt).toEqual(subject.updatedAt);
    expect(after.history[1]?.deliveredAt).toEqual(at(2));
  });

  it('planning never touches the claim it plans on', () => {
    const subject = claim({ status: 'awaiting_customer', resumeStatus: 'investigating' });
    const before = structuredClone(subject);
    changed(plan(subject, { type: 'add_info', customer, info: { text: 'SN-42', attachments: [] }, eventId: 'info:1' }, policy, at(7)));
    changed(plan(subject, move({ action: 'resolve', decision: accepted }), policy, at(8)));
    expect(subject).toEqual(before);
  });
});
