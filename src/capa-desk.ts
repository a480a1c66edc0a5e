import {
  actionRecipients,
  DEFAULT_ACTION_POLICY,
  isActionRefusal,
  planAction,
  planOpening,
  planReminders,
  type ActionChange,
  type ActionCommandInput,
  type ActionEvent,
  type ActionInput,
  type ActionPolicy,
  type ActionRefusalReason,
  type CorrectiveAction,
} from './domain/capa.js';
import type { ClaimReads } from './domain/claim-ports.js';
import type { DeskConfig, StaffMember } from './domain/desk.js';
import type { Refusal } from './domain/errors.js';
import type { Claim } from './domain/lifecycle.js';
import { yearIn } from './domain/numbering.js';
import { productGroup } from './domain/products.js';
import { staffById, type StaffRight } from './domain/staff.js';
import type { ActionFilter, ActionStore } from './store/corrective-actions.js';
import { originOf, type StaffAudit, type StaffIdentity } from './staff-desk.js';

/** Why a CAPA request did not happen. */
export type CapaFailure = ActionRefusalReason | 'not_found' | 'invalid_transition' | 'invalid_input' | 'conflict';

export type CapaResult =
  | { readonly ok: true; readonly action: CorrectiveAction; readonly member: StaffMember }
  | { readonly ok: false; readonly reason: CapaFailure; readonly right?: StaffRight; readonly action?: CorrectiveAction };

/** Tells one staff member about an action's event (a Slack DM; later the console's list). */
export type ActionAlertSender = (member: StaffMember, action: CorrectiveAction, event: ActionEvent) => Promise<void>;

export interface CapaDeskOptions {
  readonly desk: DeskConfig;
  readonly store: ActionStore;
  readonly claims: Pick<ClaimReads, 'findById' | 'findByNumber'>;
  /** The staff member behind a Slack user or a console session (StaffDesk.identify). */
  readonly identify: (who: StaffIdentity) => StaffMember | undefined;
  readonly audit: StaffAudit;
  readonly policy?: ActionPolicy;
  readonly now?: () => Date;
}

const ATTEMPTS = 5;
/** How long one worker holds an action's alerts while it sends them (longer than the slowest send). */
const ALERT_LEASE_MS = 2 * 60_000;

/** Whether a change holds an event somebody must be told about. */
function alerting(desk: DeskConfig, action: Pick<CorrectiveAction, 'ownerId' | 'department'>, events: readonly ActionEvent[]): boolean {
  return events.some((event) => recipientsOf(desk, action, event).length > 0);
}

/** Who is told about an event: by the domain's rule, without telling people what they did themselves. */
function recipientsOf(desk: DeskConfig, action: Pick<CorrectiveAction, 'ownerId' | 'department'>, event: ActionEvent): string[] {
  const owner = event.type === 'assigned' && event.ownerId ? { ...action, ownerId: event.ownerId } : action;
  return actionRecipients(desk, owner, event.type).filter((staffId) => staffId !== event.by);
}

/**
 * Corrective and preventive actions, whatever the console: identifies the member, has the domain
 * plan each change (src/domain/capa.ts holds every rule, the role table's included), applies it
 * by compare-and-swap (planning again when another change won), records every request in the
 * staff action log, and runs the reminder sweep and the alerts owed to staff.
 * @example const result = await capa.open({ staffId: 'maria' }, '2026-000123', { kind: 'corrective', description, ownerId: 'ivan', dueAt });
 */
export class CapaDesk {
  private readonly policy: ActionPolicy;
  private readonly now: () => Date;

  constructor(private readonly options: CapaDeskOptions) {
    this.policy = options.policy ?? DEFAULT_ACTION_POLICY;
    this.now = options.now ?? (() => new Date());
  }

  /** Opens an action for a claim (by its number). */
  async open(who: StaffIdentity, claimNumber: string, input: ActionInput): Promise<CapaResult> {
    const { desk, store } = this.options;
    const member = this.options.identify(who);
    const claim = await this.options.claims.findByNumber(claimNumber);
    if (!claim) return this.refused(who, 'capa.open', member, { reason: member ? 'not_found' : 'not_staff' });
    const now = this.now();
    const opening = planOpening(desk, member, input, aboutClaim(desk, claim), this.policy, now);
    if (isActionRefusal(opening)) return this.refused(who, 'capa.open', member, failureOf(opening), undefined, claim.id);
    const action = await store.open(opening, yearIn(now, desk.desk.timezone), alerting(desk, opening.action, opening.action.history));
    await this.record(who, 'capa.open', member, claim.id);
    return { ok: true, action, member: member as StaffMember };
  }

  /** A change to an action (by its number): edit, complete, verify, cancel. */
  async act(who: StaffIdentity, number: string, command: ActionCommandInput): Promise<CapaResult> {
    const member = this.options.identify(who);
    const kind = `capa.${command.type}`;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const action = await this.options.store.findByNumber(number);
      if (!action) return this.refused(who, kind, member, { reason: member ? 'not_found' : 'not_staff' });
      const planned = planAction(this.options.desk, action, member, command, this.policy, this.now());
      if (isActionRefusal(planned)) return this.refused(who, kind, member, failureOf(planned), action);
      const applied = await this.options.store.apply(action, planned, alerting(this.options.desk, { ...action, ...planned.set }, planned.events));
      if (applied) {
        await this.record(who, kind, member, action.claimIds[0]);
        return { ok: true, action: applied, member: member as StaffMember };
      }
    }
    return this.refused(who, kind, member, { reason: 'conflict' });
  }

  /** Links a claim (by its number) to an action: a later similar claim answered by the same action. */
  async link(who: StaffIdentity, number: string, claimNumber: string): Promise<CapaResult> {
    const claim = await this.options.claims.findByNumber(claimNumber);
    if (!claim) return this.refused(who, 'capa.link', this.options.identify(who), { reason: 'not_found' });
    return this.act(who, number, { type: 'link', claimId: claim.id, department: claim.department });
  }

  /** An action by number, for a listed member. */
  async view(who: StaffIdentity, number: string): Promise<CapaResult> {
    const member = this.options.identify(who);
    if (!member) return this.refused(who, 'capa.view', member, { reason: 'not_staff' });
    const action = await this.options.store.findByNumber(number);
    return action ? { ok: true, action, member } : { ok: false, reason: 'not_found' };
  }

  /** A member's actions still to do (open), soonest due first; undefined for somebody not on the staff. */
  async mine(who: StaffIdentity): Promise<{ readonly member: StaffMember; readonly actions: readonly CorrectiveAction[] } | undefined> {
    const member = this.options.identify(who);
    if (!member) return undefined;
    const { actions } = await this.options.store.list({ ownerId: member.id, status: 'open' }, { skip: 0, limit: 100 });
    return { member, actions: [...actions].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()) };
  }

  /** The register: actions by filter, newest first, with the total. */
  list(filter: ActionFilter, page: { readonly skip: number; readonly limit: number }): Promise<{ readonly actions: CorrectiveAction[]; readonly total: number }> {
    return this.options.store.list(filter, page);
  }

  /** The reminder sweep's step for one action: records what is due (once per due date) and when to look next. */
  async runReminders(actionId: string): Promise<readonly ActionEvent[]> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const action = await this.options.store.findById(actionId);
      if (!action) return [];
      const planned: ActionChange = planReminders(action, this.policy, this.now());
      const applied = await this.options.store.apply(action, planned, alerting(this.options.desk, action, planned.events));
      if (applied) return planned.events;
    }
    return [];
  }

  /**
   * Sends the alerts an action owes staff (each event × recipient once: recorded after it is
   * sent, so a crash in between sends it again rather than never), then clears the action's flag
   * for the version it read. A member who cannot be reached (no Slack) is skipped.
   */
  async deliverAlerts(actionId: string, send: ActionAlertSender): Promise<number> {
    const { desk, store } = this.options;
    // one worker at a time per action (two sweeps at once would both find the same alerts unsent)
    if (!(await store.leaseAlerts(actionId, this.now(), ALERT_LEASE_MS))) return 0;
    try {
      const action = await store.findById(actionId);
      if (!action) return 0;
      const done = new Set(await store.alertsDone(actionId));
      let sent = 0;
      for (const event of action.history) {
        for (const staffId of recipientsOf(desk, action, event)) {
          const key = `${event.id}:${staffId}`;
          const member = staffById(desk, staffId);
          if (done.has(key) || !member) continue;
          await send(member, action, event);
          await store.markAlerted(actionId, key);
          sent++;
        }
      }
      await store.clearAlertsPending(actionId, action.version);
      return sent;
    } finally {
      await store.releaseAlerts(actionId);
    }
  }

  private async record(who: StaffIdentity, kind: string, member: StaffMember | undefined, claimId: string | undefined): Promise<void> {
    await this.options.audit.record({ at: this.now(), action: kind, outcome: 'done', ...(claimId ? { claimId } : {}), ...(member ? { staffId: member.id } : {}), ...originOf(who) });
  }

  private async refused(
    who: StaffIdentity,
    kind: string,
    member: StaffMember | undefined,
    failure: { readonly reason: CapaFailure; readonly right?: StaffRight },
    action?: CorrectiveAction,
    claimId?: string,
  ): Promise<CapaResult> {
    const about = claimId ?? action?.claimIds[0];
    await this.options.audit.record({
      at: this.now(),
      action: kind,
      outcome: 'refused',
      reason: failure.right ? `${failure.reason}:${failure.right}` : failure.reason,
      ...(about ? { claimId: about } : {}),
      ...(member ? { staffId: member.id } : {}),
      ...originOf(who),
    });
    return { ok: false, reason: failure.reason, ...(failure.right ? { right: failure.right } : {}), ...(action ? { action } : {}) };
  }
}

/** What an action opened for a claim takes from it. */
function aboutClaim(desk: DeskConfig, claim: Claim): { claimId: string; department: string; category: string; productKey?: string } {
  const product = productGroup(desk, claim.concerns.product);
  return { claimId: claim.id, department: claim.department, category: claim.category, ...(product ? { productKey: product } : {}) };
}

function failureOf(refused: Refusal): { readonly reason: CapaFailure; readonly right?: StaffRight } {
  const reason = refused.details.reason;
  const right = refused.details.right;
  if (typeof reason === 'string') return { reason: reason as ActionRefusalReason, ...(typeof right === 'string' ? { right: right as StaffRight } : {}) };
  return { reason: refused.refusal === 'INVALID_CLAIM' ? 'invalid_input' : 'invalid_transition' };
}
