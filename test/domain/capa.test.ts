import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionRecipients,
  changedAction,
  DEFAULT_ACTION_POLICY,
  isActionRefusal,
  isOverdue,
  planAction,
  planOpening,
  planReminders,
  type ActionChange,
  type ActionCommandInput,
  type ActionOpening,
  type CorrectiveAction,
} from '../../src/domain/capa.js';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import type { Refusal } from '../../src/domain/errors.js';
import { staffById } from '../../src/domain/staff.js';
import { exampleDesk } from '../support/fixtures.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-12-01T10:00:00Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR);

describe('corrective and preventive actions', () => {
  let desk: DeskConfig;
  const member = (id: string): StaffMember => {
    const found = staffById(desk, id);
    if (!found) throw new Error(`no ${id}`);
    return found;
  };

  beforeAll(async () => {
    desk = await exampleDesk();
  });

  const open = (overrides: Partial<{ ownerId: string; dueAt: Date; opener: string; department: string }> = {}): CorrectiveAction => {
    const opening = planOpening(
      desk,
      member(overrides.opener ?? 'maria'),
      { kind: 'corrective', description: 'Check the thermostat of every KT-200 in stock', ownerId: overrides.ownerId ?? 'ivan', dueAt: overrides.dueAt ?? at(72) },
      { claimId: 'c1', department: overrides.department ?? 'quality' },
      DEFAULT_ACTION_POLICY,
      NOW,
    );
    if (isActionRefusal(opening)) throw new Error(`refused: ${opening.message}`);
    return { id: 'a1', number: 'A-2026-0001', ...(opening).action };
  };

  const apply = (action: CorrectiveAction, by: string | undefined, command: ActionCommandInput, now = at(1)): CorrectiveAction => {
    const planned = planAction(desk, action, by ? member(by) : undefined, command, DEFAULT_ACTION_POLICY, now);
    if (isActionRefusal(planned)) throw new Error(`refused: ${planned.message}`);
    return changedAction(action, planned);
  };

  const reason = (result: ActionChange | Refusal | ActionOpening) => (isActionRefusal(result) ? (result.details.reason ?? result.refusal) : 'ok');

  describe('opening', () => {
    it('opens an action with an owner, a due date and the claim, and asks the sweep to look a day before it is due', () => {
      const opening = planOpening(desk, member('ivan'), { kind: 'preventive', description: ' Train the packers ', ownerId: 'ivan', dueAt: at(48) }, { claimId: 'c9', department: 'quality' }, DEFAULT_ACTION_POLICY, NOW);
      expect(isActionRefusal(opening)).toBe(false);
      const { action, nextCheckAt } = opening as ActionOpening;
      expect(action).toMatchObject({ kind: 'preventive', description: 'Train the packers', ownerId: 'ivan', status: 'open', claimIds: ['c9'], department: 'quality', createdBy: 'ivan', version: 1 });
      expect(action.history.map((event) => event.type)).toEqual(['opened', 'assigned']);
      expect(nextCheckAt).toEqual(at(24));
    });

    it.each([
      ['an operator (no open_action)', 'olga', 'ivan', 'support', 'missing_right'],
      ['a specialist of another department', 'ivan', 'ivan', 'logistics', 'other_department'],
      ['an owner who may not own actions (an operator)', 'maria', 'olga', 'support', 'owner_cannot_own'],
      ['an owner not on the staff', 'maria', 'nobody', 'quality', 'owner_cannot_own'],
    ])('refuses %s', (_, opener, ownerId, department, expected) => {
      const result = planOpening(desk, member(opener), { kind: 'corrective', description: 'x', ownerId, dueAt: at(10) }, { claimId: 'c1', department }, DEFAULT_ACTION_POLICY, NOW);
      expect(reason(result)).toBe(expected);
    });

    it('refuses somebody not on the staff, a due date in the past and an empty description', () => {
      expect(reason(planOpening(desk, undefined, { kind: 'corrective', description: 'x', ownerId: 'ivan', dueAt: at(10) }, { claimId: 'c1', department: 'quality' }, DEFAULT_ACTION_POLICY, NOW))).toBe('not_staff');
      expect(reason(planOpening(desk, member('maria'), { kind: 'corrective', description: 'x', ownerId: 'ivan', dueAt: at(-1) }, { claimId: 'c1', department: 'quality' }, DEFAULT_ACTION_POLICY, NOW))).toBe('due_in_past');
      expect(reason(planOpening(desk, member('maria'), { kind: 'corrective', description: '  ', ownerId: 'ivan', dueAt: at(10) }, { claimId: 'c1', department: 'quality' }, DEFAULT_ACTION_POLICY, NOW))).toBe('INVALID_CLAIM');
    });
  });

  describe('the lifecycle: open → done → verified, or back, or cancelled', () => {
    it('lets the owner complete it and quality verify it', () => {
      const done = apply(open(), 'ivan', { type: 'complete', note: 'All 40 checked, 3 replaced' });
      expect([done.status, done.doneAt, done.version]).toEqual(['done', at(1), 2]);
      const verified = apply(done, 'maria', { type: 'verify', effective: true, note: 'No new claims for KT-200 thermostats' }, at(2));
      expect([verified.status, verified.verifiedAt]).toEqual(['verified', at(2)]);
      expect(verified.history.slice(-2).map((event) => [event.type, event.by, event.note])).toEqual([
        ['done', 'ivan', 'All 40 checked, 3 replaced'],
        ['verified', 'maria', 'No new claims for KT-200 thermostats'],
      ]);
    });

    it('sends an action that did not work back to its owner', () => {
      const failed = apply(apply(open(), 'ivan', { type: 'complete', note: 'done' }), 'sergey', { type: 'verify', effective: false, note: 'Two more claims this week' });
      expect(failed.status).toBe('open');
      expect(failed.history.at(-1)?.type).toBe('verification_failed');
    });

    it.each<[string, string, ActionCommandInput, string]>([
      ['a specialist verifying', 'ivan', { type: 'verify', effective: true, note: 'ok' }, 'missing_right'],
      ['someone not the owner completing', 'sergey', { type: 'complete', note: 'ok' }, 'ok'],
      ['an operator completing', 'olga', { type: 'complete', note: 'ok' }, 'not_owner'],
      ['an operator editing', 'olga', { type: 'edit', description: 'y' }, 'missing_right'],
      ['verifying an open action', 'maria', { type: 'verify', effective: true, note: 'ok' }, 'INVALID_TRANSITION'],
    ])('%s', (_, by, command, expected) => {
      expect(reason(planAction(desk, open(), member(by), command, DEFAULT_ACTION_POLICY, at(1)))).toBe(expected);
    });

    it('refuses completing twice and cancelling a verified action', () => {
      const done = apply(open(), 'ivan', { type: 'complete', note: 'done' });
      expect(reason(planAction(desk, done, member('ivan'), { type: 'complete', note: 'again' }, DEFAULT_ACTION_POLICY, at(2)))).toBe('INVALID_TRANSITION');
      const verified = apply(done, 'maria', { type: 'verify', effective: true, note: 'ok' });
      expect(reason(planAction(desk, verified, member('maria'), { type: 'cancel', reason: 'no' }, DEFAULT_ACTION_POLICY, at(2)))).toBe('INVALID_TRANSITION');
    });

    it('cancels with a reason, and the sweep stops looking', () => {
      const planned = planAction(desk, open(), member('ivan'), { type: 'cancel', reason: 'Supplier changed, not needed' }, DEFAULT_ACTION_POLICY, at(1));
      expect(isActionRefusal(planned)).toBe(false);
      expect((planned as ActionChange).nextCheckAt).toBeNull();
      expect(changedAction(open(), planned as ActionChange).status).toBe('cancelled');
    });
  });

  describe('edits and links', () => {
    it('records a new owner (who is pinged) and a new due date (the sweep starts again from it)', () => {
      const planned = planAction(desk, open(), member('maria'), { type: 'edit', ownerId: 'maria', dueAt: at(100) }, DEFAULT_ACTION_POLICY, at(1)) as ActionChange;
      expect(planned.events.map((event) => event.type)).toEqual(['edited', 'assigned']);
      expect(planned.nextCheckAt).toEqual(at(76));
      expect(actionRecipients(desk, changedAction(open(), planned), 'assigned')).toEqual(['maria']);
    });

    it('changes nothing for an edit to the same values or a claim already linked', () => {
      const action = open();
      expect(planAction(desk, action, member('maria'), { type: 'edit', description: action.description, ownerId: 'ivan' }, DEFAULT_ACTION_POLICY, at(1))).toMatchObject({ events: [] });
      expect(planAction(desk, action, member('maria'), { type: 'link', claimId: 'c1', department: 'quality' }, DEFAULT_ACTION_POLICY, at(1))).toMatchObject({ events: [] });
    });

    it('links a later similar claim, also to a verified action', () => {
      const verified = apply(apply(open(), 'ivan', { type: 'complete', note: 'done' }), 'maria', { type: 'verify', effective: true, note: 'ok' });
      const linked = apply(verified, 'maria', { type: 'link', claimId: 'c2', department: 'support' });
      expect(linked.claimIds).toEqual(['c1', 'c2']);
    });

    it('refuses linking a claim of a department the member does not work in', () => {
      expect(reason(planAction(desk, open(), member('ivan'), { type: 'link', claimId: 'c3', department: 'logistics' }, DEFAULT_ACTION_POLICY, at(1)))).toBe('other_department');
    });
  });

  describe('reminders: once per due date each, latest only when the sweep is late', () => {
    const sweep = (action: CorrectiveAction, hours: number) => planReminders(action, DEFAULT_ACTION_POLICY, at(hours));
    const types = (change: ActionChange) => change.events.map((event) => event.type);

    it('says nothing before the reminder time, and names when to look', () => {
      const change = sweep(open({ dueAt: at(72) }), 10);
      expect([types(change), change.nextCheckAt]).toEqual([[], at(48)]);
    });

    it('reminds the owner a day before, tells them when overdue, escalates a day later, then stops', () => {
      let action = open({ dueAt: at(72) });
      const steps: [number, string[], Date | null][] = [
        [48, ['due_soon'], at(72)],
        [50, [], at(72)],
        [72, ['overdue'], at(96)],
        [96, ['escalated'], null],
        [200, [], null],
      ];
      for (const [hours, expected, next] of steps) {
        const change = sweep(action, hours);
        expect([hours, types(change), change.nextCheckAt]).toEqual([hours, expected, next]);
        action = changedAction(action, change);
      }
      expect(isOverdue(action, at(200))).toBe(true);
    });

    it('a late sweep says only the latest notice, never a stale reminder', () => {
      const change = sweep(open({ dueAt: at(72) }), 100);
      expect(types(change)).toEqual(['escalated']);
      expect(sweep(changedAction(open({ dueAt: at(72) }), change), 101).events).toEqual([]);
    });

    it('starts again for a new due date', () => {
      let action = open({ dueAt: at(30) });
      action = changedAction(action, sweep(action, 31));
      expect(action.history.filter((event) => event.type === 'overdue')).toHaveLength(1);
      action = apply(action, 'maria', { type: 'edit', dueAt: at(80) }, at(32));
      expect(types(sweep(action, 56))).toEqual(['due_soon']);
    });

    it('stops for an action that is not open', () => {
      const done = apply(open({ dueAt: at(30) }), 'ivan', { type: 'complete', note: 'done' });
      expect(sweep(done, 40)).toMatchObject({ events: [], nextCheckAt: null });
      expect(isOverdue(done, at(40))).toBe(false);
    });
  });

  describe('who is told', () => {
    it('tells the owner of reminders and the quality role of escalations and of work to verify', () => {
      const action = open({ department: 'support', ownerId: 'maria' });
      expect(actionRecipients(desk, action, 'due_soon')).toEqual(['maria']);
      expect(actionRecipients(desk, action, 'escalated')).toEqual(['maria']);
      expect(actionRecipients(desk, action, 'done')).toEqual(['maria']);
      expect(actionRecipients(desk, action, 'linked')).toEqual([]);
    });

    it('falls back to the department\'s heads when no quality member covers it', () => {
      const noQuality = { ...desk, staff: desk.staff.filter((staff) => !staff.roles.includes('quality')) };
      expect(actionRecipients(noQuality, open(), 'escalated')).toEqual(['sergey']);
    });
  });
});
