import type { ActionKind } from './domain/capa.js';
import { noticeVersion, type DeskConfig, type StaffMember } from './domain/desk.js';
import { DomainError, isDomainError } from './domain/errors.js';
import type { Claim } from './domain/lifecycle.js';
import type { Attachment } from './domain/claim.js';
import { canDo, canStaff, staffById, staffBySlack, type StaffAction, type StaffPermission, type StaffRefusal, type StaffRight } from './domain/staff.js';
import { actionsOf, type StaffRequest } from './domain/staff-request.js';
import { decisionOf } from './decision-text.js';
import { staffDraft, type StaffRegistration } from './domain/staff-intake.js';
import { dayIn } from './domain/assessment.js';
import type { ClaimReads } from './domain/claim-ports.js';
import type { ClaimChanges } from './registry.js';
import type { StaffActionRecord } from './store/staff-actions.js';

/** A person in Slack: workspace and user id. */
export interface SlackIdentity {
  readonly teamId: string;
  readonly userId: string;
}

/** A staff member signed in to the web console: their desk-config id (the session vouches for it). */
export interface ConsoleIdentity {
  readonly staffId: string;
}

/** Who asks: a Slack user (who may or may not be staff) or a signed-in console user. */
export type StaffIdentity = SlackIdentity | ConsoleIdentity;

/** Where an action came from, for the audit trail. */
export function originOf(who: StaffIdentity): Pick<StaffActionRecord, 'slack' | 'via'> {
  return 'staffId' in who ? { via: 'console' } : { via: 'slack', slack: { teamId: who.teamId, userId: who.userId } };
}

export type { StaffRequest } from './domain/staff-request.js';

/** Why an action did not happen, beyond the permission rules. */
export type StaffFailure = StaffRefusal | 'not_found' | 'invalid_transition' | 'invalid_input' | 'conflict' | 'nothing_to_tell';

export type StaffResult =
  | { readonly ok: true; readonly claim: Claim; readonly member: StaffMember }
  | {
      readonly ok: false;
      readonly reason: StaffFailure;
      /** With `missing_right`: the right the member's roles lack. */
      readonly right?: StaffRight;
      readonly claim?: Claim;
      readonly member?: StaffMember;
      /** With `invalid_input` from the claim's rules: which fields and why (a registration, #25). */
      readonly detail?: string;
    };

/** Where staff actions are recorded (the StaffActionLog). */
export interface StaffAudit {
  record(entry: StaffActionRecord): Promise<void>;
}

/** The claim reads and changes staff actions need (the registry's changes, the store's reads). */
export type StaffClaimsPort = Pick<ClaimReads, 'findById' | 'findByNumber' | 'listOpenForAssignee'> & Pick<ClaimChanges, 'take' | 'assign' | 'apply' | 'assess' | 'recordInvestigation' | 'staffMessage' | 'decide' | 'reviewDecision' | 'fulfil' | 'relocate' | 'linkDuplicate' | 'recordCustomerTold'> & Partial<Pick<ClaimChanges, 'submit'>>;

const ATTEMPTS = 3;

/**
 * What staff do with claims, whatever the console (Slack or the web console): identifies the
 * person from the desk config, checks the role rules (src/domain/staff.ts), has the registry plan
 * and apply the change with compare-and-swap (a concurrent change re-checks the rules on the fresh
 * claim), and records every action, done or refused.
 * @example
 * const result = await staff.act({ teamId: 'T1', userId: 'U1' }, claim.id, { action: 'take' });
 * if (!result.ok) reply(t(locale, `staff.refused.${result.reason}`));
 */
export class StaffDesk {
  constructor(
    private readonly desk: DeskConfig,
    private readonly claims: StaffClaimsPort,
    private readonly audit: StaffAudit,
    private readonly now: () => Date = () => new Date(),
    /** The kinds of the corrective actions a claim is linked to (not cancelled): the decision's `{measures}`. */
    private readonly measures?: (claimId: string) => Promise<readonly ActionKind[]>,
  ) {}

  /** The staff member behind a Slack user or a console session, or undefined (not, or no longer, listed). */
  identify(who: StaffIdentity): StaffMember | undefined {
    return 'staffId' in who ? staffById(this.desk, who.staffId) : staffBySlack(this.desk, who.teamId, who.userId);
  }

  /** Finds a claim for a staff member by number; refused (and recorded) for people not on the staff. */
  async view(who: StaffIdentity, number: string): Promise<StaffResult> {
    const member = this.identify(who);
    if (!member) return this.refused(who, 'view', 'not_staff', undefined, undefined);
    const claim = await this.claims.findByNumber(number);
    return claim ? { ok: true, claim, member } : { ok: false, reason: 'not_found', member };
  }

  /** Checks whether a member may start an action (before a modal opens); records a refusal. */
  async check(who: StaffIdentity, claimId: string, action: StaffAction): Promise<StaffResult> {
    const member = this.identify(who);
    const claim = await this.claims.findById(claimId);
    if (!claim) return member ? { ok: false, reason: 'not_found', member } : this.refused(who, action, 'not_staff', undefined, undefined);
    const permission = canStaff(this.desk, member, claim, action);
    if (!permission.allowed || !member) return this.refused(who, action, refusalOf(permission), claim, member);
    return { ok: true, claim, member };
  }

  /**
   * Registers a claim received by phone, e-mail, letter or in person (#25): the `register` right,
   * then the same path as the dialogs' claims (ClaimRegistry.submit: the claim's rules, numbering,
   * SLA, the department's alerts). Bad content is `invalid_input` with the fields named in
   * `detail`, and nothing is stored. A form sent twice (its request id) is one claim.
   */
  async register(who: StaffIdentity, form: StaffRegistration): Promise<StaffResult> {
    const member = this.identify(who);
    const permission = canDo(member, 'register');
    if (!permission.allowed || !member) return this.refused(who, 'register', refusalOf(permission), undefined, member);
    if (!this.claims.submit) throw new Error('registering needs the registry');
    const now = this.now();
    const made = staffDraft(form, member.id, { desk: this.desk, today: dayIn(now, this.desk.desk.timezone), consent: { version: noticeVersion(this.desk), at: now } });
    if (!made.ok) {
      const refused = await this.refused(who, 'register', 'invalid_input', undefined, member);
      return refused.ok ? refused : { ...refused, detail: made.problems.join('; ') };
    }
    const { draft, key } = made;
    try {
      const { claim } = await this.claims.submit(draft, key);
      await this.audit.record({ at: this.now(), action: 'register', outcome: 'done', claimId: claim.id, staffId: member.id, ...originOf(who) });
      return { ok: true, claim, member };
    } catch (error) {
      if (!isDomainError(error, 'INVALID_CLAIM') && !isDomainError(error, 'UNKNOWN_CATEGORY')) throw error;
      const refused = await this.refused(who, 'register', 'invalid_input', undefined, member);
      return refused.ok ? refused : { ...refused, detail: error.message };
    }
  }

  /** A staff member's open claims, newest first. */
  async mine(who: StaffIdentity): Promise<{ readonly member: StaffMember; readonly claims: readonly Claim[] } | undefined> {
    const member = this.identify(who);
    if (!member) {
      await this.refused(who, 'view', 'not_staff', undefined, undefined);
      return undefined;
    }
    return { member, claims: await this.claims.listOpenForAssignee(member.id) };
  }

  /**
   * Carries out a staff request on a claim. Never throws for a refusal; faults propagate. `origin`:
   * a reply or note written as a Slack thread message (its event id makes it idempotent).
   */
  async act(who: StaffIdentity, claimId: string, request: StaffRequest, origin: MessageOrigin = {}): Promise<StaffResult> {
    const member = this.identify(who);
    for (let attempt = 0; ; attempt++) {
      const claim = await this.claims.findById(claimId);
      if (!claim) return member ? this.refused(who, request.action, 'not_found', undefined, member) : this.refused(who, request.action, 'not_staff', undefined, undefined);
      // every action the request needs (an assessment that extends a promise also needs extend_deadline)
      const permission = firstRefusal(actionsOf(request).map((action) => canStaff(this.desk, member, claim, action, request.action === 'assign' ? request.assigneeId : undefined)));
      if (!permission.allowed || !member) return this.refused(who, request.action, refusalOf(permission), claim, member);
      try {
        const changed = await this.perform(claim, member, request, origin);
        await this.audit.record({ at: this.now(), action: request.action, outcome: 'done', claimId, staffId: member.id, ...originOf(who) });
        return { ok: true, claim: changed, member };
      } catch (error) {
        if (isDomainError(error, 'CONCURRENT_UPDATE') && attempt + 1 < ATTEMPTS) continue;
        const reason = failureOf(error);
        if (!reason) throw error;
        const fresh = (await this.claims.findById(claimId)) ?? claim;
        return this.refused(who, request.action, reason, fresh, member);
      }
    }
  }

  private async perform(claim: Claim, member: StaffMember, request: StaffRequest, origin: MessageOrigin): Promise<Claim> {
    const actor = { kind: 'staff' as const, staffId: member.id };
    const expectedVersion = claim.version;
    switch (request.action) {
      case 'take':
        // from new only (the transition table): the review starts and the taker is the assignee
        return this.claims.take(claim.id, member.id, { expectedVersion });
      case 'assign':
        // the current assignee again changes nothing (src/domain/claim-changes.ts)
        return this.claims.assign(claim.id, request.assigneeId, actor, { expectedVersion });
      case 'request_info':
        return this.claims.apply(claim.id, { action: 'request_info', question: request.question }, actor, { expectedVersion });
      case 'resolve': {
        // the reply's placeholders filled in, the amount in the desk's currency (src/decision-text.ts);
        // resolved at once or kept for a head's approval (src/domain/decision-workflow.ts)
        const decision = decisionOf(this.desk, claim, member, request.decision, (await this.measures?.(claim.id)) ?? []);
        const days = request.decision.outcome === 'rejected' ? undefined : request.decision.fulfilmentDays;
        return this.claims.decide(claim.id, member.id, decision, days, { expectedVersion });
      }
      case 'approve_decision':
        return this.claims.reviewDecision(claim.id, member.id, { draftId: request.draftId, approve: true }, { expectedVersion });
      case 'return_decision':
        return this.claims.reviewDecision(claim.id, member.id, { draftId: request.draftId, approve: false, note: request.note }, { expectedVersion });
      case 'fulfil':
        return this.claims.fulfil(claim.id, member.id, request.note, { expectedVersion });
      case 'close':
        return this.claims.apply(claim.id, { action: 'close', note: request.note }, actor, { expectedVersion });
      case 'reopen':
        return this.claims.apply(claim.id, { action: 'reopen', reason: request.reason }, actor, { expectedVersion });
      case 'investigate':
        return this.claims.apply(claim.id, { action: 'investigate' }, actor, { expectedVersion });
      case 'assess': {
        const { action: _action, ...assessment } = request;
        return this.claims.assess(claim.id, member.id, assessment, { expectedVersion });
      }
      case 'record_investigation': {
        const { action: _action, ...investigation } = request;
        return this.claims.recordInvestigation(claim.id, member.id, investigation, { expectedVersion });
      }
      case 'reply':
      case 'note':
        return this.claims.staffMessage(claim.id, { kind: request.action, staffId: member.id, text: request.text, ...(origin.eventId !== undefined ? { eventId: origin.eventId } : {}), ...(origin.source ? { source: origin.source } : {}), ...(origin.files ? { files: [...origin.files] } : {}) }, { expectedVersion });
      case 'move':
        // where to, by the desk's routing; the due times by the new category (src/domain/relocation.ts)
        return this.claims.relocate(claim.id, member.id, { ...(request.category !== undefined ? { category: request.category } : {}), ...(request.department !== undefined ? { department: request.department } : {}) }, request.reason, { expectedVersion });
      case 'link_duplicate': {
        const original = await this.claims.findByNumber(request.original);
        if (!original) throw new DomainError('INVALID_CLAIM', `original: no claim ${request.original}`, { original: request.original });
        return this.claims.linkDuplicate(claim.id, member.id, original, request.note === '' ? undefined : request.note, { expectedVersion });
      }
      case 'tell_customer':
        // notices staff told a customer without messenger or e-mail (src/domain/customer-told.ts)
        return this.claims.recordCustomerTold(claim.id, { staffId: member.id, eventIds: request.eventIds, means: request.means, ...(request.note !== undefined ? { note: request.note } : {}) }, { expectedVersion });
    }
  }

  private async refused(who: StaffIdentity, action: string, refusal: StaffFailure | Refused, claim: Claim | undefined, member: StaffMember | undefined): Promise<StaffResult> {
    const { reason, right } = typeof refusal === 'string' ? { reason: refusal, right: undefined } : refusal;
    await this.audit.record({
      at: this.now(),
      action,
      outcome: 'refused',
      reason: right ? `${reason}:${right}` : reason,
      ...originOf(who),
      ...(claim ? { claimId: claim.id } : {}),
      ...(member ? { staffId: member.id } : {}),
    });
    return { ok: false, reason, ...(right ? { right } : {}), ...(claim ? { claim } : {}), ...(member ? { member } : {}) };
  }
}

/** Where a reply or a note came from: a Slack thread message, once per event id; the files a console reply carries (#25, stored by the desk before the reply is recorded). */
export interface MessageOrigin {
  readonly eventId?: string;
  readonly source?: 'slack_thread';
  readonly files?: readonly Attachment[];
}

/** A refusal of the role rules, with the missing right when that is the reason. */
interface Refused {
  readonly reason: StaffRefusal;
  readonly right: StaffRight | undefined;
}

/** The first refusal among permissions, or the allowance when none refuses. */
function firstRefusal(permissions: readonly StaffPermission[]): StaffPermission {
  return permissions.find((permission) => !permission.allowed) ?? permissions[0] ?? { allowed: false, reason: 'not_staff' };
}

/** The refusal in a permission (a member not found is `not_staff`, whatever the permission says). */
function refusalOf(permission: StaffPermission): Refused {
  return permission.allowed ? { reason: 'not_staff', right: undefined } : { reason: permission.reason, right: permission.right };
}

function failureOf(error: unknown): StaffFailure | undefined {
  if (isDomainError(error, 'INVALID_TRANSITION') || isDomainError(error, 'DECISION_REQUIRED')) return 'invalid_transition';
  if (isDomainError(error, 'INVALID_CLAIM') || isDomainError(error, 'UNKNOWN_CATEGORY')) return 'invalid_input';
  if (isDomainError(error, 'CLAIM_NOT_FOUND')) return 'not_found';
  if (isDomainError(error, 'CONCURRENT_UPDATE')) return 'conflict';
  if (isDomainError(error, 'NOTHING_TO_TELL')) return 'nothing_to_tell';
  return undefined;
}
