import type { Claim } from './lifecycle.js';
import type { DeskConfig, StaffMember } from './desk.js';

/** What staff can do with a claim from Slack (or, later, the web console). */
export type StaffAction = 'view' | 'take' | 'assign' | 'request_info' | 'resolve' | 'reopen';

/** Why a staff action was refused; each has a text in the catalogues (`staff.refused.<reason>`). */
export type StaffRefusal =
  | 'not_staff'
  | 'other_department'
  | 'taken_by_other'
  | 'not_assignee'
  | 'head_only_reassign'
  | 'head_only_reopen_closed'
  | 'assignee_unknown';

export type StaffPermission = { readonly allowed: true } | { readonly allowed: false; readonly reason: StaffRefusal };

const ALLOWED: StaffPermission = { allowed: true };
const refuse = (reason: StaffRefusal): StaffPermission => ({ allowed: false, reason });

/** A staff member by Slack workspace and user id, or undefined for anybody not listed. */
export function staffBySlack(desk: DeskConfig, teamId: string, userId: string): StaffMember | undefined {
  return desk.staff.find((member) => member.slack?.teamId === teamId && member.slack.userId === userId);
}

/** A staff member by desk-config id. */
export function staffById(desk: DeskConfig, id: string): StaffMember | undefined {
  return desk.staff.find((member) => member.id === id);
}

/** The staff who may be assigned a claim of a department, in configuration order. */
export function assignableStaff(desk: DeskConfig, department: string): StaffMember[] {
  return desk.staff.filter((member) => member.departments.includes(department));
}

/** The heads of a department (its escalation target). */
export function headsOf(desk: DeskConfig, department: string): StaffMember[] {
  return desk.staff.filter((member) => member.roles.includes('head') && member.departments.includes(department));
}

const isHead = (member: StaffMember) => member.roles.includes('head');

/**
 * Whether a staff member may do something with a claim. The rules:
 * - anybody not listed in the desk config may do nothing; every listed member may view any claim;
 * - acting needs membership of the claim's department;
 * - take: the claim is unassigned or the member's own (a head may take anyone's);
 * - assign: to a member of the claim's department; an unassigned or one's own claim may be handed
 *   to anyone there, someone else's claim only by a head;
 * - request information, resolve, reopen a resolved claim: the assignee, a head, or anybody in the
 *   department while the claim is unassigned;
 * - reopen a closed claim: a head only.
 * The transition table (lifecycle.ts) still decides whether the claim's status allows the move.
 * @example canStaff(desk, member, claim, 'reopen') // { allowed: false, reason: 'head_only_reopen_closed' }
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
  if (!member.departments.includes(claim.department)) return refuse('other_department');
  const own = claim.assigneeId === undefined || claim.assigneeId === member.id;
  switch (action) {
    case 'take':
      return own || isHead(member) ? ALLOWED : refuse('taken_by_other');
    case 'assign': {
      // without a target this checks whether the member may open the picker at all
      if (assigneeId !== undefined && !staffById(desk, assigneeId)?.departments.includes(claim.department)) return refuse('assignee_unknown');
      return own || isHead(member) ? ALLOWED : refuse('head_only_reassign');
    }
    case 'reopen':
      if (claim.status === 'closed' && !isHead(member)) return refuse('head_only_reopen_closed');
      return own || isHead(member) ? ALLOWED : refuse('not_assignee');
    case 'request_info':
    case 'resolve':
      return own || isHead(member) ? ALLOWED : refuse('not_assignee');
  }
}
