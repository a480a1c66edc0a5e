import type { DeskConfig } from './desk.js';
import type { Claim, ClaimEvent } from './lifecycle.js';
import { headsOf } from './staff.js';
import { LOW_SCORE_MAX } from './survey.js';

/**
 * Who an alert is for, as the desk knows them: a staff member (by id), or a department (its
 * channel: in Slack the department's channel, elsewhere whoever reads that department's list).
 */
export type AlertTarget = { readonly kind: 'staff'; readonly staffId: string } | { readonly kind: 'department'; readonly departmentId: string };

/**
 * What an alert is about:
 * - `new_claim`: a claim was registered; its own department is told (in Slack, by the claim's card).
 * - `department_notice`: a claim of a category whose notify list names another department.
 * - `assignment`: the claim was assigned to the staff member.
 * - `low_score`: the customer gave a low satisfaction score (1–{@link LOW_SCORE_MAX}).
 * - `sla_warning` / `sla_breach`: a deadline is near / passed.
 * - `approval_requested`: a decision waits for a head's approval (#25).
 * - `decision_returned`: a head returned a draft decision to its author, with a note.
 * - `decision_disputed`: the customer disputed the decision; the claim is back in review.
 * - `fulfilment_overdue` / `fulfilment_escalated`: a decision's remedy is not carried out by its due date.
 * - `moved_in`: a claim was moved to the department from another (#25).
 */
export type AlertKind =
  | 'new_claim'
  | 'department_notice'
  | 'assignment'
  | 'low_score'
  | 'sla_warning'
  | 'sla_breach'
  | 'approval_requested'
  | 'decision_returned'
  | 'decision_disputed'
  | 'fulfilment_overdue'
  | 'fulfilment_escalated'
  | 'moved_in';

/** One alert about a claim event for one recipient, channel-neutral: Slack, the console or e-mail render and deliver it. */
export interface Alert {
  readonly kind: AlertKind;
  readonly to: AlertTarget;
  /** The event it is about (its type, actor, score or deadline are what the message tells). */
  readonly event: ClaimEvent;
  /**
   * The same alert to the same recipient has the same key, whenever it is worked out: a deliverer
   * records it once done and never delivers it twice (a low score changed from 1 to 2 is one alert).
   */
  readonly key: string;
}

const staff = (staffId: string): AlertTarget => ({ kind: 'staff', staffId });
const department = (departmentId: string): AlertTarget => ({ kind: 'department', departmentId });

/**
 * Who is alerted about one event of a claim, given the claim as it is now (its history, assignee
 * and department) and the desk configuration. The rules:
 * - registered → the claim's department (`new_claim`), and each department on its category's
 *   notify list other than its own (`department_notice`);
 * - assigned → the assignee, only for the claim's latest assignment while that person still holds
 *   it, and never when they assigned it to themselves;
 * - a survey answered with a low score → the claim's department and its assignee, once per survey;
 * - SLA warning → the claim's assignee (nobody when unassigned); SLA breach → the department's heads;
 * - a decision drafted for approval → the department's heads (but its author); returned → its author;
 * - the customer's dispute → the assignee and the department's heads (each once);
 * - a fulfilment overdue → the assignee (the heads when unassigned); escalated → the heads;
 * - moved to another department → that department (`moved_in`); a move within the department alerts nobody.
 * Every other event alerts nobody. Pure: no I/O, no channel.
 * @example for (const event of claim.history) for (const alert of alertsFor(event, claim, desk)) deliver(alert);
 */
export function alertsFor(event: ClaimEvent, claim: Claim, desk: DeskConfig): Alert[] {
  const alert = (kind: AlertKind, to: AlertTarget, key: string): Alert => ({ kind, to, event, key });
  switch (event.type) {
    case 'registered': {
      const notify = desk.categories.find((category) => category.id === claim.category)?.notify ?? [];
      return [
        alert('new_claim', department(claim.department), `${event.id}:new:${claim.department}`),
        ...notify.filter((id) => id !== claim.department).map((id) => alert('department_notice', department(id), `${event.id}:notify:${id}`)),
      ];
    }
    case 'assigned':
      return isLiveAssignment(claim, event) && event.assigneeId ? [alert('assignment', staff(event.assigneeId), `${event.id}:ping`)] : [];
    case 'survey_answered': {
      if (event.score === undefined || event.score > LOW_SCORE_MAX) return [];
      // keyed by the survey, not the answer: a customer changing 1 to 2 does not alert twice
      const survey = [...claim.history].reverse().find((candidate) => candidate.type === 'survey_sent' && candidate.at <= event.at)?.id ?? event.id;
      return [alert('low_score', department(claim.department), `${survey}:low:channel`), ...(claim.assigneeId ? [alert('low_score', staff(claim.assigneeId), `${survey}:low:${claim.assigneeId}`)] : [])];
    }
    case 'sla_warning':
      return claim.assigneeId ? [alert('sla_warning', staff(claim.assigneeId), `${event.id}:sla:${claim.assigneeId}`)] : [];
    case 'sla_breach':
      return headsOf(desk, claim.department).map((head) => alert('sla_breach', staff(head.id), `${event.id}:sla:${head.id}`));
    case 'decision_drafted': {
      const author = event.actor.kind === 'staff' ? event.actor.staffId : undefined;
      return headsOf(desk, claim.department)
        .filter((head) => head.id !== author)
        .map((head) => alert('approval_requested', staff(head.id), `${event.id}:approve:${head.id}`));
    }
    case 'decision_returned': {
      const author = event.decision?.decidedBy;
      return author ? [alert('decision_returned', staff(author), `${event.id}:returned:${author}`)] : [];
    }
    case 'fulfilment_overdue': {
      const to = claim.assigneeId ? [claim.assigneeId] : headsOf(desk, claim.department).map((head) => head.id);
      return to.map((id) => alert('fulfilment_overdue', staff(id), `${event.id}:overdue:${id}`));
    }
    case 'fulfilment_escalated':
      return headsOf(desk, claim.department).map((head) => alert('fulfilment_escalated', staff(head.id), `${event.id}:escalated:${head.id}`));
    case 'status_changed': {
      if (event.action !== 'dispute') return [];
      const to = [...new Set([...(claim.assigneeId ? [claim.assigneeId] : []), ...headsOf(desk, claim.department).map((head) => head.id)])];
      return to.map((id) => alert('decision_disputed', staff(id), `${event.id}:disputed:${id}`));
    }
    case 'moved': {
      const to = event.moved?.toDepartment;
      return to !== undefined && to !== event.moved?.fromDepartment ? [alert('moved_in', department(to), `${event.id}:moved:${to}`)] : [];
    }
    default:
      return [];
  }
}

/** Only the latest assignment alerts, while its assignee still holds the claim, and nobody is told of assigning themselves. */
function isLiveAssignment(claim: Claim, event: ClaimEvent): boolean {
  if (!event.assigneeId || claim.assigneeId !== event.assigneeId) return false;
  const latest = [...claim.history].reverse().find((candidate) => candidate.type === 'assigned');
  if (latest?.id !== event.id) return false;
  return !(event.actor.kind === 'staff' && event.actor.staffId === event.assigneeId);
}
