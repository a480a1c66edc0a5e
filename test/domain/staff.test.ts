import { beforeAll, describe, expect, it } from 'vitest';
import {
  assignableStaff,
  canDo,
  canStaff,
  coversDepartment,
  hasRight,
  headsOf,
  mayIn,
  rightFor,
  rolesWith,
  staffById,
  staffBySlack,
  STAFF_RIGHTS,
  type StaffAction,
  type StaffRight,
} from '../../src/domain/staff.js';
import { STAFF_ROLES, type StaffRole } from '../../src/domain/desk.js';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import { fillTemplate } from '../../src/domain/decision.js';
import type { Claim, ClaimStatus } from '../../src/domain/lifecycle.js';
import { exampleDesk } from '../support/fixtures.js';

type ClaimLike = Pick<Claim, 'department' | 'assigneeId' | 'status'>;

const claim = (department: string, status: ClaimStatus, assigneeId?: string): ClaimLike => ({
  department,
  status,
  ...(assigneeId !== undefined ? { assigneeId } : {}),
});

/** The right an operator lacks for an action on a claim, if any. */
const specialistRight: Partial<Record<StaffAction, StaffRight>> = { resolve: 'decide', investigate: 'investigate', record_investigation: 'investigate' };

const ACTIONS: readonly StaffAction[] = [
  'view',
  'take',
  'assign',
  'request_info',
  'resolve',
  'reopen',
  'assess',
  'investigate',
  'record_investigation',
  'extend_deadline',
  'reply',
  'note',
  'approve_decision',
  'return_decision',
  'fulfil',
  'close',
  'move',
  'link_duplicate',
  'tell_customer',
];

describe('staff permissions (example desk)', () => {
  let desk: DeskConfig;
  let olga: StaffMember;
  let ivan: StaffMember;
  let maria: StaffMember;
  let sergey: StaffMember;

  const member = (id: string): StaffMember => {
    const found = staffById(desk, id);
    if (!found) throw new Error(`no staff member ${id} in the example desk`);
    return found;
  };

  beforeAll(async () => {
    desk = await exampleDesk();
    olga = member('olga');
    ivan = member('ivan');
    maria = member('maria');
    sergey = member('sergey');
  });

  describe('who may act at all', () => {
    for (const action of ACTIONS) {
      it(`refuses ${action} to somebody not on the staff list`, () => {
        expect(canStaff(desk, undefined, claim('quality', 'new'), action)).toEqual({ allowed: false, reason: 'not_staff' });
      });
    }

    it('lets any listed member view a claim, even of another department', () => {
      expect(canStaff(desk, olga, claim('quality', 'in_review', 'ivan'), 'view')).toEqual({ allowed: true });
      expect(canStaff(desk, ivan, claim('support', 'closed', 'olga'), 'view')).toEqual({ allowed: true });
    });

    for (const action of ACTIONS.filter((candidate) => candidate !== 'view')) {
      it(`refuses ${action} on a claim of another department`, () => {
        expect(canStaff(desk, olga, claim('quality', 'new'), action)).toEqual({ allowed: false, reason: 'other_department' });
        expect(canStaff(desk, ivan, claim('logistics', 'resolved'), action)).toEqual({ allowed: false, reason: 'other_department' });
      });
    }
  });

  describe('take', () => {
    it('allows taking an unassigned claim of one\'s department', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new'), 'take')).toEqual({ allowed: true });
      expect(canStaff(desk, maria, claim('logistics', 'new'), 'take')).toEqual({ allowed: true });
    });

    it('allows taking one\'s own claim', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new', 'ivan'), 'take')).toEqual({ allowed: true });
    });

    it('refuses taking someone else\'s claim', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new', 'maria'), 'take')).toEqual({ allowed: false, reason: 'taken_by_other' });
      expect(canStaff(desk, maria, claim('quality', 'new', 'ivan'), 'take')).toEqual({ allowed: false, reason: 'taken_by_other' });
    });

    it('lets a head take anyone\'s claim', () => {
      expect(canStaff(desk, sergey, claim('quality', 'new', 'ivan'), 'take')).toEqual({ allowed: true });
      expect(canStaff(desk, sergey, claim('support', 'new', 'olga'), 'take')).toEqual({ allowed: true });
    });
  });

  describe('assign', () => {
    it('allows handing an unassigned claim to a member of its department', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new'), 'assign', 'maria')).toEqual({ allowed: true });
      expect(canStaff(desk, olga, claim('support', 'new'), 'assign', 'maria')).toEqual({ allowed: true });
    });

    it('allows handing one\'s own claim to a member of its department', () => {
      expect(canStaff(desk, ivan, claim('quality', 'in_review', 'ivan'), 'assign', 'maria')).toEqual({ allowed: true });
      expect(canStaff(desk, ivan, claim('quality', 'in_review', 'ivan'), 'assign', 'sergey')).toEqual({ allowed: true });
    });

    it('refuses an assignee outside the claim\'s department', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new'), 'assign', 'olga')).toEqual({ allowed: false, reason: 'assignee_unknown' });
      // even a head cannot hand a claim to somebody outside its department
      expect(canStaff(desk, sergey, claim('quality', 'new'), 'assign', 'olga')).toEqual({ allowed: false, reason: 'assignee_unknown' });
    });

    it('refuses an assignee who is not on the staff list', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new'), 'assign', 'nobody')).toEqual({ allowed: false, reason: 'assignee_unknown' });
      expect(canStaff(desk, sergey, claim('quality', 'new'), 'assign', '')).toEqual({ allowed: false, reason: 'assignee_unknown' });
    });

    it('refuses reassigning someone else\'s claim to a member who is not a head', () => {
      expect(canStaff(desk, maria, claim('quality', 'in_review', 'ivan'), 'assign', 'maria')).toEqual({ allowed: false, reason: 'head_only_reassign' });
      expect(canStaff(desk, ivan, claim('quality', 'in_review', 'maria'), 'assign', 'ivan')).toEqual({ allowed: false, reason: 'head_only_reassign' });
    });

    it('lets a head reassign someone else\'s claim', () => {
      expect(canStaff(desk, sergey, claim('quality', 'in_review', 'ivan'), 'assign', 'maria')).toEqual({ allowed: true });
    });

    it('allows the pre-check without a target to a department member', () => {
      expect(canStaff(desk, ivan, claim('quality', 'new'), 'assign')).toEqual({ allowed: true });
      expect(canStaff(desk, ivan, claim('quality', 'in_review', 'ivan'), 'assign')).toEqual({ allowed: true });
      expect(canStaff(desk, sergey, claim('quality', 'in_review', 'ivan'), 'assign')).toEqual({ allowed: true });
    });

    it('refuses the pre-check on someone else\'s claim to a member who is not a head', () => {
      expect(canStaff(desk, maria, claim('quality', 'in_review', 'ivan'), 'assign')).toEqual({ allowed: false, reason: 'head_only_reassign' });
    });
  });

  // a reply to the customer (#25) follows the same ownership rule as asking them
  for (const action of ['request_info', 'resolve', 'assess', 'investigate', 'record_investigation', 'reply'] as const) {
    describe(action, () => {
      it('allows the assignee', () => {
        expect(canStaff(desk, ivan, claim('quality', 'in_review', 'ivan'), action)).toEqual({ allowed: true });
      });

      it('allows a head on anyone\'s claim', () => {
        expect(canStaff(desk, sergey, claim('quality', 'in_review', 'ivan'), action)).toEqual({ allowed: true });
      });

      it('allows anybody in the department while the claim is unassigned', () => {
        expect(canStaff(desk, ivan, claim('quality', 'in_review'), action)).toEqual({ allowed: true });
        expect(canStaff(desk, maria, claim('quality', 'in_review'), action)).toEqual({ allowed: true });
        // an operator may ask the customer and assess, but deciding and investigating take a specialist
        expect(canStaff(desk, olga, claim('support', 'new'), action)).toEqual(specialistRight[action] ? { allowed: false, reason: 'missing_right', right: specialistRight[action] } : { allowed: true });
      });

      it('refuses another member\'s claim', () => {
        expect(canStaff(desk, maria, claim('quality', 'in_review', 'ivan'), action)).toEqual({ allowed: false, reason: 'not_assignee' });
        expect(canStaff(desk, olga, claim('support', 'in_review', 'maria'), action)).toEqual(specialistRight[action] ? { allowed: false, reason: 'missing_right', right: specialistRight[action] } : { allowed: false, reason: 'not_assignee' });
      });
    });
  }

  describe('note (#25)', () => {
    it('lets anybody in the department note on any claim of it, someone else\'s included', () => {
      expect(canStaff(desk, maria, claim('quality', 'in_review', 'ivan'), 'note')).toEqual({ allowed: true });
      expect(canStaff(desk, olga, claim('support', 'closed', 'maria'), 'note')).toEqual({ allowed: true });
      expect(canStaff(desk, ivan, claim('quality', 'resolved', 'sergey'), 'note')).toEqual({ allowed: true });
    });

    it('refuses a note on another department\'s claim and to somebody not on the staff list', () => {
      expect(canStaff(desk, olga, claim('quality', 'in_review'), 'note')).toEqual({ allowed: false, reason: 'other_department' });
      expect(canStaff(desk, undefined, claim('quality', 'in_review'), 'note')).toEqual({ allowed: false, reason: 'not_staff' });
    });

    it('needs the note right; a reply needs the reply right', () => {
      expect(rightFor('note', { status: 'in_review' })).toBe('note');
      expect(rightFor('reply', { status: 'in_review' })).toBe('reply');
    });
  });

  describe('reopen', () => {
    it('refuses reopening a closed claim to anybody but a head, the assignee included', () => {
      expect(canStaff(desk, ivan, claim('quality', 'closed', 'ivan'), 'reopen')).toEqual({ allowed: false, reason: 'missing_right', right: 'reopen_closed' });
      expect(canStaff(desk, maria, claim('quality', 'closed', 'ivan'), 'reopen')).toEqual({ allowed: false, reason: 'missing_right', right: 'reopen_closed' });
      expect(canStaff(desk, olga, claim('support', 'closed'), 'reopen')).toEqual({ allowed: false, reason: 'missing_right', right: 'reopen_closed' });
    });

    it('lets a head reopen a closed claim', () => {
      expect(canStaff(desk, sergey, claim('quality', 'closed', 'ivan'), 'reopen')).toEqual({ allowed: true });
    });

    it('lets the assignee reopen a resolved claim', () => {
      expect(canStaff(desk, ivan, claim('quality', 'resolved', 'ivan'), 'reopen')).toEqual({ allowed: true });
    });

    it('lets a head reopen someone else\'s resolved claim', () => {
      expect(canStaff(desk, sergey, claim('quality', 'resolved', 'ivan'), 'reopen')).toEqual({ allowed: true });
    });

    it('refuses reopening another member\'s resolved claim to a member who is not a head', () => {
      expect(canStaff(desk, maria, claim('quality', 'resolved', 'ivan'), 'reopen')).toEqual({ allowed: false, reason: 'not_assignee' });
    });
  });

  describe('looking staff up', () => {
    it('finds a member by Slack workspace and user', () => {
      expect(staffBySlack(desk, 'T0EXAMPLE1', 'U0IVAN0001')?.id).toBe('ivan');
      expect(staffBySlack(desk, 'T0EXAMPLE1', 'U0SERGEY01')?.id).toBe('sergey');
    });

    it('does not find a member by user id in another workspace', () => {
      expect(staffBySlack(desk, 'T0OTHER001', 'U0IVAN0001')).toBeUndefined();
    });

    it('does not find an unknown user', () => {
      expect(staffBySlack(desk, 'T0EXAMPLE1', 'U0NOBODY01')).toBeUndefined();
    });

    it('lists the assignable staff of a department in configuration order', () => {
      expect(assignableStaff(desk, 'quality').map((m) => m.id)).toEqual(['ivan', 'maria', 'sergey']);
      expect(assignableStaff(desk, 'support').map((m) => m.id)).toEqual(['olga', 'maria', 'sergey']);
      expect(assignableStaff(desk, 'nowhere')).toEqual([]);
    });

    it('lists the heads of a department', () => {
      expect(headsOf(desk, 'quality').map((m) => m.id)).toEqual(['sergey']);
      expect(headsOf(desk, 'logistics').map((m) => m.id)).toEqual(['sergey']);
      expect(headsOf(desk, 'nowhere')).toEqual([]);
    });
  });
});

describe('fillTemplate', () => {
  const values = { number: '2026-000123', date: '1 Dec 2026', remedy: 'a refund' } as const;

  it('fills {number}, {date} and {remedy}, every occurrence', () => {
    expect(fillTemplate('No. {number} of {date}: {remedy}. Again: {number}.', values)).toBe(
      'No. 2026-000123 of 1 Dec 2026: a refund. Again: 2026-000123.',
    );
  });

  it('leaves other braces as they are', () => {
    expect(fillTemplate('{foo} {number} {Number} { date } {remedy', values)).toBe('{foo} 2026-000123 {Number} { date } {remedy');
  });

  it('does not re-read placeholders inside the filled values', () => {
    expect(fillTemplate('{number} / {date}', { number: '{date}', date: 'today', remedy: '' })).toBe('{date} / today');
  });
});

/**
 * The role table as DOMAIN.md and ISO 10002 divide the work, written out by hand: one row per
 * right, one column per role (operator, specialist, quality, head); `x` allowed, `-` refused.
 */
const TABLE = `
  view                  x x x x
  register              x x x x
  take                  x x x x
  assign                x x x x
  ask_customer          x x x x
  reply                 x x x x
  note                  x x x x
  assess                x x x x
  move_department       x x x x
  link_duplicate        x x x x
  view_personal_data    x x x x
  investigate           - x x x
  decide                - x x x
  close                 - x x x
  reopen                - x x x
  open_action           - x x x
  own_action            - x x x
  verify_action         - - x x
  export_personal_data  - - x x
  customer_data         - - x x
  all_reports           - - x x
  reopen_closed         - - - x
  approve_decision      - - - x
  extend_deadline       - - - x
  force                 - - - x
  view_audit            - - - x
`;

const rows = TABLE.trim()
  .split('\n')
  .map((line) => line.trim().split(/\s+/))
  .map(([right, ...marks]) => ({ right: right as StaffRight, allowed: marks.map((mark) => mark === 'x') }));

const memberWith = (role: StaffRole, departments: string[] = ['quality']) =>
  ({ id: `${role}-1`, name: role, roles: [role], departments, locale: 'en' }) as unknown as StaffMember;

describe('the role table, as a whole', () => {
  it('covers every right exactly once', () => {
    expect(rows.map((row) => row.right).sort()).toEqual([...STAFF_RIGHTS].sort());
  });

  for (const { right, allowed } of rows) {
    STAFF_ROLES.forEach((role, column) => {
      it(`${allowed[column] ? 'grants' : 'refuses'} ${right} to a ${role}`, () => {
        expect(hasRight(memberWith(role), right)).toBe(allowed[column]);
        expect(canDo(memberWith(role), right)).toEqual(allowed[column] ? { allowed: true } : { allowed: false, reason: 'missing_right', right });
      });
    });
    it(`names the roles that hold ${right}`, () => {
      expect(rolesWith(right)).toEqual(STAFF_ROLES.filter((_, column) => allowed[column]));
    });
  }

  it('gives a member the union of their roles\' rights', () => {
    const both = { ...memberWith('operator'), roles: ['operator', 'quality'] } as unknown as StaffMember;
    expect(hasRight(both, 'verify_action')).toBe(true);
    expect(hasRight(both, 'view_audit')).toBe(false);
  });

  it('refuses everything to somebody not on the staff list', () => {
    expect(canDo(undefined, 'view')).toEqual({ allowed: false, reason: 'not_staff' });
    expect(mayIn(undefined, 'view_personal_data', 'quality')).toBe(false);
  });

  it('keeps operators and specialists to their departments; quality and heads act in every one', () => {
    expect(STAFF_ROLES.map((role) => coversDepartment(memberWith(role), 'logistics'))).toEqual([false, false, true, true]);
    expect(STAFF_ROLES.map((role) => coversDepartment(memberWith(role), 'quality'))).toEqual([true, true, true, true]);
    expect(STAFF_ROLES.map((role) => mayIn(memberWith(role), 'view_personal_data', 'logistics'))).toEqual([false, false, true, true]);
  });
});

describe('every role × every action on a claim of the member\'s department', () => {
  let desk: DeskConfig;
  beforeAll(async () => {
    const example = await exampleDesk();
    desk = { ...example, staff: STAFF_ROLES.map((role) => memberWith(role)) };
  });

  // [action, claim status, expected per role: operator, specialist, quality, head]; the claim is unassigned
  const cases: readonly [StaffAction, ClaimStatus, readonly string[]][] = [
    ['view', 'closed', ['ok', 'ok', 'ok', 'ok']],
    ['take', 'new', ['ok', 'ok', 'ok', 'ok']],
    ['assign', 'in_review', ['ok', 'ok', 'ok', 'ok']],
    ['request_info', 'in_review', ['ok', 'ok', 'ok', 'ok']],
    ['resolve', 'investigating', ['decide', 'ok', 'ok', 'ok']],
    ['reopen', 'resolved', ['reopen', 'ok', 'ok', 'ok']],
    ['reopen', 'closed', ['reopen_closed', 'reopen_closed', 'reopen_closed', 'ok']],
    // #24: operators assess, specialists investigate, heads extend promised deadlines
    ['assess', 'in_review', ['ok', 'ok', 'ok', 'ok']],
    ['assess', 'investigating', ['ok', 'ok', 'ok', 'ok']],
    ['investigate', 'in_review', ['investigate', 'ok', 'ok', 'ok']],
    ['record_investigation', 'investigating', ['investigate', 'ok', 'ok', 'ok']],
    ['extend_deadline', 'in_review', ['extend_deadline', 'extend_deadline', 'extend_deadline', 'ok']],
    ['reply', 'awaiting_customer', ['ok', 'ok', 'ok', 'ok']],
    ['note', 'closed', ['ok', 'ok', 'ok', 'ok']],
    // #25: heads review drafts; whoever decides marks the remedy done; specialists close; anyone moves or links a duplicate
    ['approve_decision', 'investigating', ['approve_decision', 'approve_decision', 'approve_decision', 'ok']],
    ['return_decision', 'investigating', ['approve_decision', 'approve_decision', 'approve_decision', 'ok']],
    ['fulfil', 'resolved', ['decide', 'ok', 'ok', 'ok']],
    ['close', 'resolved', ['close', 'ok', 'ok', 'ok']],
    ['move', 'in_review', ['ok', 'ok', 'ok', 'ok']],
    ['link_duplicate', 'new', ['ok', 'ok', 'ok', 'ok']],
    // #25: telling a customer without messenger or e-mail takes what a reply takes, at any status
    ['tell_customer', 'closed', ['ok', 'ok', 'ok', 'ok']],
  ];
  for (const [action, status, expected] of cases) {
    STAFF_ROLES.forEach((role, column) => {
      const want = expected[column];
      it(`${want === 'ok' ? 'allows' : 'refuses'} ${action} on a ${status} claim to a ${role}`, () => {
        const permission = canStaff(desk, memberWith(role), claim('quality', status), action);
        expect(permission).toEqual(want === 'ok' ? { allowed: true } : { allowed: false, reason: 'missing_right', right: want });
      });
    });
  }

  it('refuses acting on another department\'s claim to operators and specialists, not to quality and heads', () => {
    const results = STAFF_ROLES.map((role) => canStaff(desk, memberWith(role, ['support']), claim('logistics', 'new'), 'take'));
    expect(results).toEqual([
      { allowed: false, reason: 'other_department' },
      { allowed: false, reason: 'other_department' },
      { allowed: true },
      { allowed: true },
    ]);
  });
});
