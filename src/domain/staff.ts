import type { Claim } from './lifecycle.js';
import { STAFF_ROLES, type DeskConfig, type StaffMember, type StaffRole } from './desk.js';

/**
 * The rights a staff member may hold (ISO 10002's division of the work, DOMAIN.md "Roles"). Each
 * has a name in the catalogues (`staff.right.<right>`), so a refusal can say which one is missing.
 */
export const STAFF_RIGHTS = [
  /** see a claim (its personal data: `view_personal_data`) */
  'view',
  /** register a claim received by phone, e-mail, letter or in person */
  'register',
  /** take a new claim into review */
  'take',
  /** give a claim an assignee */
  'assign',
  /** ask the customer a question */
  'ask_customer',
  /** write to the customer without changing the status */
  'reply',
  /** leave an internal note for colleagues */
  'note',
  /** record the initial assessment (justified, warranty, severity) */
  'assess',
  /** move a claim to another department or category */
  'move_department',
  /** link a duplicate to its original */
  'link_duplicate',
  /** start an investigation and record its findings, the root cause */
  'investigate',
  /** decide a claim: accept, partially accept or reject it */
  'decide',
  /** close a resolved claim */
  'close',
  /** reopen a resolved claim */
  'reopen',
  /** reopen a closed claim */
  'reopen_closed',
  /** approve decisions over the desk's amount and rejections of high or critical claims */
  'approve_decision',
  /** extend a deadline already promised to the customer */
  'extend_deadline',
  /** open and edit corrective and preventive actions */
  'open_action',
  /** own an action (be its owner) */
  'own_action',
  /** verify that an action was done and works */
  'verify_action',
  /** see names, contacts and files of the claims one may act on */
  'view_personal_data',
  /** export registers with personal data */
  'export_personal_data',
  /** export or erase everything the desk holds about one customer */
  'customer_data',
  /** force an action the rules would refuse (erase an open claim) */
  'force',
  /** read the audit trail */
  'view_audit',
  /** see every department's reports */
  'all_reports',
] as const;
export type StaffRight = (typeof STAFF_RIGHTS)[number];

const OPERATOR: readonly StaffRight[] = ['view', 'register', 'take', 'assign', 'ask_customer', 'reply', 'note', 'assess', 'move_department', 'link_duplicate', 'view_personal_data'];
const SPECIALIST: readonly StaffRight[] = [...OPERATOR, 'investigate', 'decide', 'close', 'reopen', 'open_action', 'own_action'];
const QUALITY: readonly StaffRight[] = [...SPECIALIST, 'verify_action', 'export_personal_data', 'customer_data', 'all_reports'];

/**
 * The role table: what each role may do. Operator — registers, assesses, asks the customer;
 * specialist — also investigates, decides, owns actions; quality — a specialist in every
 * department who also verifies actions, sees every report and handles customers' data requests;
 * head — everything. A member holds the union of their roles' rights.
 */
export const ROLE_RIGHTS: Readonly<Record<StaffRole, readonly StaffRight[]>> = {
  operator: OPERATOR,
  specialist: SPECIALIST,
  quality: QUALITY,
  head: STAFF_RIGHTS,
};

/** Roles that act in every department; the others only in the departments they are listed in. */
export const EVERY_DEPARTMENT_ROLES: readonly StaffRole[] = ['quality', 'head'];

/** Why a staff action was refused; each has a text in the catalogues (`staff.refused.<reason>`). */
export type StaffRefusal = 'not_staff' | 'missing_right' | 'other_department' | 'taken_by_other' | 'not_assignee' | 'head_only_reassign' | 'assignee_unknown';

export type StaffPermission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: StaffRefusal; /** with `missing_right`: which one */ readonly right?: StaffRight };

const ALLOWED: StaffPermission = { allowed: true };
const refuse = (reason: StaffRefusal): StaffPermission => ({ allowed: false, reason });
const missing = (right: StaffRight): StaffPermission => ({ allowed: false, reason: 'missing_right', right });

/** Whether a member's roles grant a right. */
export function hasRight(member: Pick<StaffMember, 'roles'>, right: StaffRight): boolean {
  return member.roles.some((role) => ROLE_RIGHTS[role].includes(right));
}

/** The roles that grant a right, in the table's order (for a refusal's text). */
export function rolesWith(right: StaffRight): StaffRole[] {
  return STAFF_ROLES.filter((role) => ROLE_RIGHTS[role].includes(right));
}

/** Whether a member acts in a department: listed in it, or holding a role that acts in every one. */
export function coversDepartment(member: Pick<StaffMember, 'roles' | 'departments'>, department: string): boolean {
  return member.departments.includes(department) || member.roles.some((role) => EVERY_DEPARTMENT_ROLES.includes(role));
}

/** Whether a member may use a right in a department (e.g. see its claims' personal data). */
export function mayIn(member: StaffMember | undefined, right: StaffRight, department: string): boolean {
  return member !== undefined && hasRight(member, right) && coversDepartment(member, department);
}

/** A right that is not about one claim (registering, the audit trail, every report): the role alone decides. */
export function canDo(member: StaffMember | undefined, right: StaffRight): StaffPermission {
  if (!member) return refuse('not_staff');
  return hasRight(member, right) ? ALLOWED : missing(right);
}

/** A staff member by Slack workspace and user id, or undefined for anybody not listed. */
export function staffBySlack(desk: DeskConfig, teamId: string, userId: string): StaffMember | undefined {
  return desk.staff.find((member) => member.slack?.teamId === teamId && member.slack.userId === userId);
}

/** A staff member by desk-config id. */
export function staffById(desk: DeskConfig, id: string): StaffMember | undefined {
  return desk.staff.find((member) => member.id === id);
}

/** The staff who may be assigned a claim of a department (one the desk has), in configuration order. */
export function assignableStaff(desk: DeskConfig, department: string): StaffMember[] {
  if (!desk.departments.some((known) => known.id === department)) return [];
  return desk.staff.filter((member) => coversDepartment(member, department));
}

/** The heads of a department (its escalation target): heads listed in it. */
export function headsOf(desk: DeskConfig, department: string): StaffMember[] {
  return desk.staff.filter((member) => member.roles.includes('head') && member.departments.includes(department));
}

/** What staff can do with one claim (Slack and the web console alike). */
export type StaffAction =
  | 'view'
  | 'take'
  | 'assign'
  | 'request_info'
  | 'resolve'
  | 'reopen'
  | 'assess'
  | 'investigate'
  | 'record_investigation'
  | 'extend_deadline'
  | 'reply'
  | 'note'
  | 'approve_decision'
  | 'return_decision'
  | 'fulfil'
  | 'close'
  | 'move'
  | 'link_duplicate'
  | 'tell_customer';

/**
 * How a claim's ownership limits an action, beyond the role:
 * - `none`: anybody with the right, in the claim's department;
 * - `take`: the claim is unassigned or one's own (a head may take anyone's);
 * - `assign`: an unassigned or one's own claim to anyone there; someone else's only by a head;
 * - `assignee`: the assignee, a head, or anybody with the right while the claim is unassigned.
 */
type Ownership = 'none' | 'take' | 'assign' | 'assignee';

const ACTIONS: Readonly<Record<StaffAction, { readonly right: StaffRight; readonly ownership: Ownership }>> = {
  view: { right: 'view', ownership: 'none' },
  take: { right: 'take', ownership: 'take' },
  assign: { right: 'assign', ownership: 'assign' },
  request_info: { right: 'ask_customer', ownership: 'assignee' },
  resolve: { right: 'decide', ownership: 'assignee' },
  reopen: { right: 'reopen', ownership: 'assignee' },
  assess: { right: 'assess', ownership: 'assignee' },
  investigate: { right: 'investigate', ownership: 'assignee' },
  record_investigation: { right: 'investigate', ownership: 'assignee' },
  extend_deadline: { right: 'extend_deadline', ownership: 'none' },
  // #25: whoever works the claim talks to the customer (like asking); any colleague in the department may note
  reply: { right: 'reply', ownership: 'assignee' },
  note: { right: 'note', ownership: 'none' },
  // #25: any head of the department reviews a draft; whoever works the claim marks the remedy done or closes it
  approve_decision: { right: 'approve_decision', ownership: 'none' },
  return_decision: { right: 'approve_decision', ownership: 'none' },
  fulfil: { right: 'decide', ownership: 'assignee' },
  close: { right: 'close', ownership: 'assignee' },
  // #25: whoever works the claim sends it elsewhere or closes it as a duplicate
  move: { right: 'move_department', ownership: 'assignee' },
  link_duplicate: { right: 'link_duplicate', ownership: 'assignee' },
  // #25: telling a customer without messenger or e-mail is talking to them, like a reply
  tell_customer: { right: 'reply', ownership: 'assignee' },
};

/** The right an action on a claim needs (reopening a closed claim needs its own). */
export function rightFor(action: StaffAction, claim: Pick<Claim, 'status'>): StaffRight {
  return action === 'reopen' && claim.status === 'closed' ? 'reopen_closed' : ACTIONS[action].right;
}

const isHead = (member: StaffMember) => member.roles.includes('head');

/**
 * Whether a staff member may do something with a claim. In order: anybody not listed may do
 * nothing; every listed member may view any claim (what of it they see is `view_personal_data`);
 * acting needs the claim's department ({@link coversDepartment}), then the action's right from the
 * role table, then the claim's ownership rule (see {@link Ownership}). With `assign`, the new
 * assignee must be staff of the claim's department. The transition table (lifecycle.ts) still
 * decides whether the claim's status allows the move.
 * @example canStaff(desk, olga, claim, 'resolve') // { allowed: false, reason: 'missing_right', right: 'decide' }
 */
export function canStaff(
  desk: DeskConfig,
  member: StaffMember | undefined,
  claim: Pick<Claim, 'department' | 'assigneeId' | 'status'>,
  action: StaffAction,
  assigneeId?: string,
): StaffPermission {
  if (!member) return refuse('not_staff');
  if (action === 'view') return ALLOWED;
  if (!coversDepartment(member, claim.department)) return refuse('other_department');
  const right = rightFor(action, claim);
  if (!hasRight(member, right)) return missing(right);
  const own = claim.assigneeId === undefined || claim.assigneeId === member.id;
  switch (ACTIONS[action].ownership) {
    case 'none':
      return ALLOWED;
    case 'take':
      return own || isHead(member) ? ALLOWED : refuse('taken_by_other');
    case 'assign': {
      // without a target this checks whether the member may open the picker at all
      if (assigneeId !== undefined) {
        const target = staffById(desk, assigneeId);
        if (!target || !coversDepartment(target, claim.department)) return refuse('assignee_unknown');
      }
      return own || isHead(member) ? ALLOWED : refuse('head_only_reassign');
    }
    case 'assignee':
      return own || isHead(member) ? ALLOWED : refuse('not_assignee');
  }
}
