import { alertsFor, type Alert } from './alerts.js';
import type { ActionEvent, CorrectiveAction } from './capa.js';
import type { DeskConfig } from './desk.js';
import type { Claim } from './lifecycle.js';
import { mayIn } from './staff.js';

/**
 * One entry of a staff member's notification list in the console (#25 "Alerts without Slack"):
 * ids, kinds and times only — its text is rendered from the catalogues when it is read, in the
 * reader's language, so nothing personal is stored with it.
 */
export interface StaffNotice {
  /** Unique per alert and recipient: delivered once however many workers work it out. */
  readonly key: string;
  readonly staffId: string;
  /** What it is about: a claim's alert (src/domain/alerts.ts) or a corrective action's. */
  readonly source: 'claim' | 'action';
  /** The alert's kind (`assignment`, `sla_breach`…) or, for an action, its event's type. */
  readonly kind: string;
  /** The claim's or the action's id, and its number (numbers are no personal data). */
  readonly subjectId: string;
  readonly subjectNumber: string;
  readonly eventId: string;
  /** When what it tells of happened. */
  readonly at: Date;
}

/**
 * The members an alert reaches in the console: a staff target is that member (when listed); a
 * department target is each member listed in that department who may view its claims.
 * @example alertRecipients(desk, { kind: 'department', departmentId: 'support' }) // ['olga', 'ivan']
 */
export function alertRecipients(desk: DeskConfig, to: Alert['to']): string[] {
  if (to.kind === 'staff') return desk.staff.some((member) => member.id === to.staffId) ? [to.staffId] : [];
  return desk.staff.filter((member) => member.departments.includes(to.departmentId) && mayIn(member, 'view', to.departmentId)).map((member) => member.id);
}

/**
 * Every notice a claim owes staff as it is now: each event's alerts (whoever `alertsFor` names,
 * whatever kinds it knows) for each recipient, keyed by the alert's key and the recipient — one
 * per event and reader (a head of two departments a new claim concerns hears of it once, by the
 * first alert that names them). The same claim gives the same keys every time, so delivering them
 * again changes nothing. Pure.
 * @example for (const notice of claimNotices(claim, desk)) await store.deliver(notice);
 */
export function claimNotices(claim: Claim, desk: DeskConfig): StaffNotice[] {
  return claim.history.flatMap((event) => {
    const told = new Set<string>();
    return alertsFor(event, claim, desk).flatMap((alert) =>
      alertRecipients(desk, alert.to)
        .filter((staffId) => !told.has(staffId) && told.add(staffId) !== undefined)
        .map((staffId) => ({
        key: `${alert.key}@${staffId}`,
        staffId,
        source: 'claim' as const,
        kind: alert.kind,
        subjectId: claim.id,
        subjectNumber: claim.number,
        eventId: event.id,
        at: event.at,
      })),
    );
  });
}

/**
 * The notice of a corrective action's event for one member (the CAPA alert sweep decides who),
 * keyed by the event and the member as the sweep records it.
 * @example actionNotice('ivan', action, overdueEvent).key // 'action:<event id>@ivan'
 */
export function actionNotice(staffId: string, action: Pick<CorrectiveAction, 'id' | 'number'>, event: Pick<ActionEvent, 'id' | 'type' | 'at'>): StaffNotice {
  return { key: `action:${event.id}@${staffId}`, staffId, source: 'action', kind: event.type, subjectId: action.id, subjectNumber: action.number, eventId: event.id, at: event.at };
}
