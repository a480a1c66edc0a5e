import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { dueForSeverity, type ClaimsWorkPolicy } from './assessment.js';
import { offersKind, type Category, type DeskConfig } from './desk.js';
import { refusal, type Refusal } from './errors.js';
import { OPEN_STATUSES, type Claim, type ClaimEvent } from './lifecycle.js';

/**
 * Moving a claim to another department or category (#25), with a reason. A new category brings
 * its own SLA targets: the due times are recomputed by the desk's policy from receipt and never
 * go later than already promised (the assessment's rule, `dueForSeverity` in assessment.ts; only a
 * head's extension, through the assessment, moves them later). A new department gets the claim
 * unassigned (its staff take it) and is alerted (alerts.ts). Pure.
 */

/** Why a claim is moved. */
export const RelocationReason = z.string().trim().min(1, 'expected the reason for the move').max(500, 'expected a reason of at most 500 characters');

/** The change command: a staff member moves a claim to a category (its department follows) and/or a department. */
export const RelocateCommand = z
  .object({
    type: z.literal('relocate'),
    staffId: z.string().min(1).max(128),
    category: z.string().min(1).max(64).optional(),
    department: z.string().min(1).max(64).optional(),
    reason: RelocationReason,
  })
  .strict();
export type RelocateCommand = z.infer<typeof RelocateCommand>;

/** The desk's routing the move reads: its departments and its categories (kinds, department). */
export interface RoutingPolicy {
  readonly departments: readonly string[];
  readonly categories: readonly Pick<Category, 'id' | 'department' | 'kinds'>[];
}

/** The routing policy of a desk configuration. */
export function routingPolicy(desk: Pick<DeskConfig, 'departments' | 'categories'>): RoutingPolicy {
  return { departments: desk.departments.map((department) => department.id), categories: desk.categories.map(({ id, department, kinds }) => ({ id, department, ...(kinds ? { kinds } : {}) })) };
}

/** What a move changes, planned (the claim-changes module wraps it into a change). */
export interface RelocationPlan {
  readonly set: Partial<Pick<Claim, 'department' | 'category' | 'sla'>>;
  readonly unset: readonly 'assigneeId'[];
  readonly events: readonly ClaimEvent[];
  /** Whether the due times moved (the SLA sweep's next look moves with them). */
  readonly slaChanged: boolean;
}

/**
 * Plans a move. Only an open claim moves. A category must exist and be offered for the claim's
 * kind; without a department named, the claim goes to the category's department. A department
 * must exist. Moving to where the claim is already plans nothing (`undefined`).
 * @example planRelocation(claim, { type: 'relocate', staffId: 'olga', category: 'delivery', reason: 'The courier broke it' }, routing, policy, now)
 */
export function planRelocation(claim: Claim, command: RelocateCommand, routing: RoutingPolicy, policy: ClaimsWorkPolicy, now: Date): RelocationPlan | Refusal | undefined {
  if (!OPEN_STATUSES.includes(claim.status)) {
    return refusal('INVALID_TRANSITION', `cannot move a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'move' });
  }
  if (command.category === undefined && command.department === undefined) return refusal('INVALID_CLAIM', 'category or department: expected where the claim goes');
  let toCategory = claim.category;
  let toDepartment = claim.department;
  if (command.category !== undefined) {
    const category = routing.categories.find((candidate) => candidate.id === command.category);
    if (!category) return refusal('UNKNOWN_CATEGORY', `category: unknown category "${command.category}"`, { category: command.category });
    if (!offersKind(category, claim.kind)) return refusal('UNKNOWN_CATEGORY', `category: "${category.id}" is not offered for ${claim.kind}`, { category: category.id, kind: claim.kind });
    toCategory = category.id;
    toDepartment = category.department;
  }
  if (command.department !== undefined) {
    if (!routing.departments.includes(command.department)) return refusal('INVALID_CLAIM', `department: unknown department "${command.department}"`, { department: command.department });
    toDepartment = command.department;
  }
  if (toCategory === claim.category && toDepartment === claim.department) return undefined;
  const actor = { kind: 'staff' as const, staffId: command.staffId };
  const events: ClaimEvent[] = [
    {
      id: randomUUID(),
      at: now,
      actor,
      type: 'moved',
      moved: { fromDepartment: claim.department, toDepartment, fromCategory: claim.category, toCategory },
      note: command.reason,
      notifyCustomer: false,
    },
  ];
  // the new category's targets, never later than promised (no extension here)
  const due = toCategory === claim.category ? undefined : dueForSeverity({ ...claim, category: toCategory }, claim.severity, policy, false);
  if (due) {
    events.push({ id: randomUUID(), at: now, actor, type: 'deadline_changed', due: { firstResponseDueAt: due.sla.firstResponseDueAt, resolutionDueAt: due.sla.resolutionDueAt }, notifyCustomer: false });
  }
  return {
    set: { department: toDepartment, category: toCategory, ...(due ? { sla: due.sla } : {}) },
    // another department's claim is theirs to take
    unset: toDepartment !== claim.department && claim.assigneeId !== undefined ? ['assigneeId'] : [],
    events,
    slaChanged: due !== undefined,
  };
}
