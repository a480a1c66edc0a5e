import { describe, expect, it } from 'vitest';
import {
  CLAIM_STATUSES,
  planTransition,
  type ClaimCommand,
  type ClaimLifecycleState,
  type ClaimStatus,
} from '../../src/domain/lifecycle.js';
import { isDomainError } from '../../src/domain/errors.js';

const created = new Date('2026-05-01T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * 3_600_000);
const staff = { kind: 'staff', staffId: 'anna' } as const;

function state(status: ClaimStatus, extra: Partial<ClaimLifecycleState> = {}): ClaimLifecycleState {
  return {
    number: '2026-000001',
    status,
    createdAt: created,
    reopenCount: 0,
    sla: { firstResponseDueAt: at(24), resolutionDueAt: at(240), firstResponseHours: 24, resolutionHours: 240 },
    ...extra,
  };
}

const commands: Record<ClaimCommand['action'], ClaimCommand> = {
  take: { action: 'take' },
  investigate: { action: 'investigate' },
  request_info: { action: 'request_info', question: 'Please send a photo of the label.' },
  customer_replied: { action: 'customer_replied' },
  resolve: { action: 'resolve', decision: { outcome: 'accepted', remedy: 'replacement', responseText: 'We will replace it.' } },
  close: { action: 'close' },
  reopen: { action: 'reopen', reason: 'The replacement is broken too.' },
  dispute: { action: 'dispute', reason: 'A refund was promised, not a repair.' },
};

/** The lifecycle as the issue and DESIGN.md state it, written independently of the table. */
const expected: Record<string, ClaimStatus> = {
  'new take': 'in_review',
  'new resolve': 'resolved',
  'in_review investigate': 'investigating',
  'in_review request_info': 'awaiting_customer',
  'in_review resolve': 'resolved',
  'investigating request_info': 'awaiting_customer',
  'investigating resolve': 'resolved',
  'awaiting_customer customer_replied': 'in_review', // resumes; resumeStatus unset in this fixture
  'awaiting_customer resolve': 'resolved',
  'resolved close': 'closed',
  'resolved reopen': 'in_review',
  'closed reopen': 'in_review',
  'resolved dispute': 'in_review',
};

describe('the claim lifecycle', () => {
  for (const status of CLAIM_STATUSES) {
    for (const [action, command] of Object.entries(commands)) {
      const key = `${status} ${action}`;
      const to = expected[key];
      if (to) {
        it(`allows ${key} → ${to}`, () => {
          const plan = planTransition(state(status), command, staff, at(1));
          expect(plan.to).toBe(to);
          expect(plan.event).toMatchObject({ type: 'status_changed', action, from: status, to });
        });
      } else {
        it(`refuses ${key} with INVALID_TRANSITION`, () => {
          let caught: unknown;
          try {
            planTransition(state(status), command, staff, at(1));
          } catch (error) {
            caught = error;
          }
          expect(isDomainError(caught, 'INVALID_TRANSITION')).toBe(true);
        });
      }
    }
  }

  it('returns from awaiting_customer to the status it was requested from', () => {
    const asked = planTransition(state('investigating'), commands.request_info, staff, at(2));
    expect(asked.set.resumeStatus).toBe('investigating');
    expect(asked.event.note).toBe('Please send a photo of the label.');
    const back = planTransition(state('awaiting_customer', { resumeStatus: 'investigating' }), commands.customer_replied, { kind: 'customer' }, at(3));
    expect(back.to).toBe('investigating');
    expect(back.unset).toContain('resumeStatus');
    expect(back.event.notifyCustomer).toBe(false);
  });

  it('records the first response once, from the first staff action, with its duration and SLA verdict', () => {
    const first = planTransition(state('new'), commands.take, staff, at(30));
    expect(first.set).toMatchObject({ firstResponseAt: at(30), firstResponseMs: 30 * 3_600_000, firstResponseWithinSla: false });
    const later = planTransition(state('in_review', { firstResponseAt: at(30) }), commands.investigate, staff, at(31));
    expect(later.set.firstResponseAt).toBeUndefined();
    const byCustomer = planTransition(state('awaiting_customer'), commands.customer_replied, { kind: 'customer' }, at(2));
    expect(byCustomer.set.firstResponseAt).toBeUndefined();
  });

  it('stores the decision, the resolution time and whether it was within the SLA', () => {
    const plan = planTransition(state('investigating', { firstResponseAt: at(1) }), commands.resolve, staff, at(100));
    expect(plan.set).toMatchObject({ decision: { outcome: 'accepted', remedy: 'replacement' }, resolvedAt: at(100), resolutionMs: 100 * 3_600_000, resolvedWithinSla: true });
    expect(plan.event.decision).toMatchObject({ outcome: 'accepted' });
    expect(plan.event.notifyCustomer).toBe(true);
  });

  it('refuses a resolution without a decision text, or a rejection without a reason', () => {
    const noText = { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: '  ' } } as ClaimCommand;
    const noReason = { action: 'resolve', decision: { outcome: 'rejected', responseText: 'No.' } } as unknown as ClaimCommand;
    for (const command of [noText, noReason]) {
      let caught: unknown;
      try {
        planTransition(state('in_review'), command, staff, at(1));
      } catch (error) {
        caught = error;
      }
      expect(isDomainError(caught, 'INVALID_CLAIM')).toBe(true);
    }
  });

  it('clears the decision on reopen and counts the reopening', () => {
    const plan = planTransition(state('closed', { reopenCount: 1 }), commands.reopen, { kind: 'staff', staffId: 'boss' }, at(300));
    expect(plan.set.reopenCount).toBe(2);
    expect(plan.unset).toEqual(expect.arrayContaining(['decision', 'resolvedAt', 'resolutionMs', 'closedAt']));
    expect(plan.event.note).toBe('The replacement is broken too.');
  });

  it('tells the customer about every stage change except their own reply and dispute (the dialog answers those)', () => {
    const told = Object.entries(expected).map(([key]) => {
      const [status, action] = key.split(' ') as [ClaimStatus, ClaimCommand['action']];
      return [action, planTransition(state(status), commands[action], staff, at(1)).event.notifyCustomer] as const;
    });
    for (const [action, notify] of told) expect(notify).toBe(action !== 'customer_replied' && action !== 'dispute');
  });
});
