import { beforeAll, describe, expect, it } from 'vitest';
import { derivedWarranty, nextStep, warrantyEnd, type Assessment, type ClaimsWorkPolicy } from '../../src/domain/assessment.js';
import { changePolicy, plan, type ChangePolicy } from '../../src/domain/claim-changes.js';
import type { DeskConfig, Severity } from '../../src/domain/desk.js';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import { type Claim, type ClaimStatus } from '../../src/domain/lifecycle.js';
import { actionsOf, StaffRequest } from '../../src/domain/staff-request.js';
import { customerNotice } from '../../flows/notices.js';
import { exampleDesk } from '../support/fixtures.js';
import { claimFixture, changed, refused } from '../support/claims.js';

/**
 * The initial assessment (#24), without a database. The example desk: SLA 24 h / 240 h by
 * default, critical 2 h / 48 h, high 8 h first response; the `defect` category has a 12-month
 * warranty, the time zone is Europe/Moscow (UTC+3).
 */

const HOUR = 3_600_000;
const created = new Date('2026-05-01T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * HOUR);

let desk: DeskConfig;
let policy: ChangePolicy;
let work: ClaimsWorkPolicy;
beforeAll(async () => {
  desk = await exampleDesk();
  policy = changePolicy(desk);
  work = policy.claimsWork;
});

function claim(extra: Partial<Claim> = {}): Claim {
  return claimFixture({ concerns: { product: 'Kettle KT-200', purchaseDate: '2025-06-01' }, status: 'in_review', version: 2, assigneeId: 'olga', firstResponseAt: at(1), ...extra });
}

const olga = 'olga';
const base = { customer: 'yes', justified: 'needs_investigation', severity: 'normal' } as const;

describe('warranty from the purchase date and the category\'s period', () => {
  it.each([
    ['2025-06-01', 12, '2026-06-01'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-11-15', 2, '2026-01-15'],
    ['2025-05-01', 24, '2027-05-01'],
  ])('a purchase on %s with %i months ends on %s', (purchased, months, end) => {
    expect(warrantyEnd(purchased, months)).toBe(end);
  });

  // [category, purchase date, received at (UTC), expected]; received 2026-05-01 09:00 UTC unless said
  const table: readonly [string, string | undefined, Date, 'yes' | 'no' | 'unknown'][] = [
    ['defect', '2025-06-01', created, 'yes'],
    ['defect', '2025-05-01', created, 'yes'], // the last day of the warranty still counts
    ['defect', '2025-04-30', created, 'no'],
    ['defect', undefined, created, 'unknown'], // no purchase date
    ['delivery', '2025-06-01', created, 'unknown'], // no warranty period for the category
    ['defect', '2026-06-01', created, 'yes'], // bought "after" receipt: a typing error is not an expiry
    // 2026-04-30 22:30 UTC is already 1 May in Moscow: one day past a warranty that ended on 30 April
    ['defect', '2025-04-30', new Date('2026-04-30T22:30:00Z'), 'no'],
    ['defect', '2025-04-30', new Date('2026-04-30T20:30:00Z'), 'yes'],
  ];
  for (const [category, purchaseDate, createdAt, expected] of table) {
    it(`${category}, bought ${purchaseDate ?? 'when unknown'}, received ${createdAt.toISOString()}: ${expected}`, () => {
      expect(derivedWarranty({ category, createdAt, concerns: purchaseDate ? { purchaseDate } : {} }, work)).toBe(expected);
    });
  }
});

describe('assess: where a claim may be assessed', () => {
  const table: readonly [ClaimStatus, 'ok' | DomainErrorCode][] = [
    ['new', 'INVALID_TRANSITION'],
    ['in_review', 'ok'],
    ['investigating', 'ok'],
    ['awaiting_customer', 'INVALID_TRANSITION'],
    ['resolved', 'INVALID_TRANSITION'],
    ['closed', 'INVALID_TRANSITION'],
  ];
  for (const [status, want] of table) {
    it(`${want === 'ok' ? 'assesses' : 'refuses to assess'} a ${status} claim`, () => {
      const result = plan(claim({ status, ...(status === 'awaiting_customer' ? { resumeStatus: 'in_review' } : {}) }), { type: 'assess', staffId: olga, assessment: base }, policy, at(2));
      if (want === 'ok') expect(changed(result).events.map((event) => event.type)).toEqual(['assessed']);
      else expect(refused(result)).toBe(want);
    });
  }

  it('refuses a malformed assessment: an unknown answer, a severity not in the list, an override without a reason', () => {
    for (const assessment of [
      { ...base, customer: 'maybe' },
      { ...base, severity: 'urgent' },
      { ...base, warrantyOverride: { within: 'yes', reason: '  ' } },
      { ...base, extendReason: 'x'.repeat(501) },
    ]) {
      expect(refused(plan(claim(), { type: 'assess', staffId: olga, assessment } as never, policy, at(2)))).toBe('INVALID_CLAIM');
    }
  });
});

describe('assess: what is recorded', () => {
  it('records the values with the derived warranty, who and when, and a history event naming what changed', () => {
    const result = changed(plan(claim(), { type: 'assess', staffId: olga, assessment: base }, policy, at(2)));
    expect(result.set.assessment).toEqual({ customer: 'yes', warranty: 'yes', warrantyDerived: 'yes', justified: 'needs_investigation', severity: 'normal', at: at(2), by: olga });
    const [event] = result.events;
    expect(event).toMatchObject({ type: 'assessed', actor: { kind: 'staff', staffId: olga }, at: at(2), notifyCustomer: false, changed: ['customer', 'warranty', 'justified', 'severity'] });
    // the severity did not change: the due times stay, the sweep's clock too
    expect(result.set.sla).toBeUndefined();
    expect(result.schedule).toEqual({});
  });

  it('keeps the derived warranty beside a staff override and its reason', () => {
    const result = changed(plan(claim(), { type: 'assess', staffId: olga, assessment: { ...base, warrantyOverride: { within: 'no', reason: 'The seal was broken by the customer' } } }, policy, at(2)));
    expect(result.set.assessment).toMatchObject({ warranty: 'no', warrantyDerived: 'yes', warrantyReason: 'The seal was broken by the customer' });
  });

  it('names only what changed when the assessment is changed, and plans nothing for the same values', () => {
    const first: Assessment = { customer: 'yes', warranty: 'yes', warrantyDerived: 'yes', justified: 'needs_investigation', severity: 'normal', at: at(2), by: olga };
    const assessed = claim({ assessment: first });
    const again = changed(plan(assessed, { type: 'assess', staffId: 'ivan', assessment: base }, policy, at(3)));
    expect(again.events).toEqual([]);
    expect(again.set).toEqual({});
    const later = changed(plan(assessed, { type: 'assess', staffId: 'ivan', assessment: { ...base, justified: 'no' } }, policy, at(3)));
    expect(later.events[0]).toMatchObject({ type: 'assessed', changed: ['justified'], actor: { kind: 'staff', staffId: 'ivan' } });
    expect(later.set.assessment).toMatchObject({ justified: 'no', by: 'ivan', at: at(3) });
  });
});

describe('assess: severity and the due times', () => {
  // [severity before, due times before (first response h, resolution h), severity after, extend?, expected: due times after | 'same' | refusal]
  const table: readonly [Severity, [number, number], Severity, boolean, [number, number] | 'same' | DomainErrorCode][] = [
    ['normal', [24, 240], 'critical', false, [2, 48]], // earlier: always
    ['normal', [24, 240], 'high', false, [8, 240]],
    ['normal', [24, 240], 'low', false, 'same'], // the policy's times are the same
    ['critical', [2, 48], 'normal', false, 'same'], // later than promised: never without an extension
    ['critical', [2, 48], 'high', false, 'same'],
    ['critical', [2, 48], 'normal', true, [24, 240]], // a head extends, with a reason
    ['critical', [2, 48], 'critical', true, 'INVALID_CLAIM'], // nothing to extend
    ['normal', [24, 240], 'critical', true, 'INVALID_CLAIM'], // earlier is no extension
    ['high', [8, 100], 'normal', false, 'same'], // promised earlier than the policy's: kept
    ['high', [8, 300], 'normal', false, [8, 240]], // a due time later than the policy's comes down to it
  ];
  for (const [before, [first, resolution], after, extend, want] of table) {
    it(`${before} (${String(first)} h / ${String(resolution)} h) → ${after}${extend ? ' with an extension' : ''}: ${Array.isArray(want) ? want.join(' h / ') + ' h' : want}`, () => {
      const subject = claim({ severity: before, sla: { firstResponseDueAt: at(first), resolutionDueAt: at(resolution), firstResponseHours: first, resolutionHours: resolution } });
      const result = plan(subject, { type: 'assess', staffId: 'sergey', assessment: { ...base, severity: after, ...(extend ? { extendReason: 'The laboratory test takes two weeks' } : {}) } }, policy, at(3));
      if (typeof want === 'string' && want !== 'same') {
        expect(refused(result)).toBe(want);
        return;
      }
      const planned = changed(result);
      expect(planned.set.severity).toBe(after);
      if (want === 'same') {
        expect(planned.set.sla).toBeUndefined();
        expect(planned.events.map((event) => event.type)).toEqual(['assessed']);
        expect(planned.schedule).toEqual({});
        return;
      }
      expect(planned.set.sla).toEqual({ firstResponseDueAt: at(want[0]), resolutionDueAt: at(want[1]), firstResponseHours: want[0], resolutionHours: want[1] });
      const deadline = planned.events.find((event) => event.type === 'deadline_changed');
      expect(deadline?.due).toEqual({ firstResponseDueAt: at(want[0]), resolutionDueAt: at(want[1]) });
      // the customer is told only of a later time than promised, with the reason
      expect(deadline?.notifyCustomer).toBe(extend);
      expect(deadline?.note).toBe(extend ? 'The laboratory test takes two weeks' : undefined);
      // the SLA sweep looks again by the new due times (first response done: the resolution warning at 75 %)
      expect(planned.schedule).toEqual({ slaNextCheckAt: new Date(created.getTime() + want[1] * HOUR * 0.75) });
    });
  }

  it('tells the customer of an extension in their language', () => {
    const subject = claim({ severity: 'critical', sla: { firstResponseDueAt: at(2), resolutionDueAt: at(48), firstResponseHours: 2, resolutionHours: 48 } });
    const planned = changed(plan(subject, { type: 'assess', staffId: 'sergey', assessment: { ...base, extendReason: 'The laboratory test takes two weeks' } }, policy, at(3)));
    const event = planned.events.find((candidate) => candidate.type === 'deadline_changed');
    if (!event) throw new Error('expected a deadline_changed event');
    for (const locale of ['en', 'ru'] as const) {
      const notice = customerNotice(desk, { ...subject, locale }, event);
      if (notice === undefined || notice === 'in_dialog') throw new Error('expected a notice');
      expect(notice.text).toContain('2026-000001');
      expect(notice.text).toContain('The laboratory test takes two weeks');
      // 240 h after 1 May 12:00 Moscow time: 11 May
      expect(notice.text).toMatch(/11/);
    }
    expect((customerNotice(desk, { ...subject, locale: 'ru' }, event) as { text: string }).text).toMatch(/нужно больше времени/);
  });
});

describe('the next step an assessment points to', () => {
  const assessed = (justified: Assessment['justified']): Assessment => ({ customer: 'yes', warranty: 'yes', warrantyDerived: 'yes', justified, severity: 'normal', at: at(2), by: olga });
  const table: readonly [ClaimStatus, Assessment['justified'] | undefined, string | undefined][] = [
    ['in_review', undefined, 'assess'],
    ['investigating', undefined, undefined],
    ['new', undefined, undefined],
    ['in_review', 'no', 'reject'],
    ['investigating', 'no', 'reject'],
    ['in_review', 'needs_investigation', 'investigate'],
    ['investigating', 'needs_investigation', undefined], // already investigating
    ['in_review', 'yes', undefined],
    ['resolved', 'no', undefined],
  ];
  for (const [status, justified, want] of table) {
    it(`${status}, ${justified ?? 'not assessed'}: ${want ?? 'nothing'}`, () => {
      expect(nextStep({ status, ...(justified ? { assessment: assessed(justified) } : {}) })).toBe(want);
    });
  }
});

describe('the staff request of an assessment', () => {
  it('needs extend_deadline beside assess only when it extends', () => {
    expect(actionsOf(StaffRequest.parse({ action: 'assess', ...base }))).toEqual(['assess']);
    expect(actionsOf(StaffRequest.parse({ action: 'assess', ...base, extendReason: 'Lab test' }))).toEqual(['assess', 'extend_deadline']);
    expect(actionsOf(StaffRequest.parse({ action: 'investigate' }))).toEqual(['investigate']);
  });
});
