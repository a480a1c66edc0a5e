import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DeskConfig, StaffMember } from './desk.js';
import { refusal, type Refusal } from './errors.js';
import { coversDepartment, hasRight, staffById, type StaffRight } from './staff.js';
import { formatIssues } from './zod-issues.js';
import { Day, periodBounds, type FilterParse } from './claim-filter.js';
import { productGroup, productKeysOf } from './products.js';

/**
 * Corrective and preventive actions (CAPA, DOMAIN.md "Analysis"): what the desk does so that a
 * problem does not happen again. An action is its own record, linked to one or more claims, with
 * an owner and a due date; it moves `open → done → verified`, or back to `open` when a
 * verification finds it did not work, or to `cancelled` with a reason. Pure: the store applies a
 * planned change by compare-and-swap on `version`, like a claim's.
 */

/** correction: fix this case; corrective: remove the cause; preventive: stop it happening elsewhere. */
export const ACTION_KINDS = ['correction', 'corrective', 'preventive'] as const;
export const ActionKind = z.enum(ACTION_KINDS);
export type ActionKind = z.infer<typeof ActionKind>;

export const ACTION_STATUSES = ['open', 'done', 'verified', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** What happened to an action: each staff change, and the reminder sweep's notices. */
export type ActionEventType = 'opened' | 'edited' | 'assigned' | 'linked' | 'done' | 'verified' | 'verification_failed' | 'cancelled' | 'due_soon' | 'overdue' | 'escalated';

export interface ActionEvent {
  readonly id: string;
  readonly at: Date;
  readonly type: ActionEventType;
  /** The staff member who did it (none for the sweep's notices). */
  readonly by?: string;
  /** The note, the reason or the verification's finding (staff-only text). */
  readonly note?: string;
  /** On `linked`: the claim. */
  readonly claimId?: string;
  /** On `assigned`: the new owner. */
  readonly ownerId?: string;
  /** On `due_soon`, `overdue`, `escalated`: the deadline it is about (once per deadline). */
  readonly dueAt?: Date;
}

/** A corrective or preventive action, as stored. */
export interface CorrectiveAction {
  readonly id: string;
  /** Human-readable: `A-2026-0007`. */
  readonly number: string;
  readonly kind: ActionKind;
  readonly description: string;
  readonly ownerId: string;
  readonly dueAt: Date;
  readonly status: ActionStatus;
  /** The claims it answers, the first being the one it was opened for. */
  readonly claimIds: readonly string[];
  /** The department of the claim it was opened for (who may work it). */
  readonly department: string;
  /** The category of that claim (the register's filter, the effectiveness report). */
  readonly category?: string;
  /** The product of that claim, as a grouping key ({@link productKey}). */
  readonly productKey?: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly doneAt?: Date;
  readonly verifiedAt?: Date;
  readonly cancelledAt?: Date;
  readonly version: number;
  readonly history: readonly ActionEvent[];
}

const Description = z.string().trim().min(1, 'expected what will be done').max(2000);
const Note = z.string().trim().min(1, 'expected a note').max(2000);
const StaffId = z.string().min(1).max(40);

/** What staff give to open an action (the claim it is opened for is given beside it). */
export const ActionInput = z
  .object({ kind: ActionKind, description: Description, ownerId: StaffId, dueAt: z.coerce.date() })
  .strict();
export type ActionInput = z.input<typeof ActionInput>;

const EditCommand = z.object({ type: z.literal('edit'), description: Description.optional(), ownerId: StaffId.optional(), dueAt: z.coerce.date().optional() }).strict();
const CompleteCommand = z.object({ type: z.literal('complete'), note: Note }).strict();
const VerifyCommand = z.object({ type: z.literal('verify'), effective: z.boolean(), note: Note }).strict();
const CancelCommand = z.object({ type: z.literal('cancel'), reason: Note }).strict();
const LinkCommand = z.object({ type: z.literal('link'), claimId: z.string().min(1).max(64), department: z.string().min(1).max(40) }).strict();

/** What staff send to change an action (a link names its claim by number and is resolved first). */
export const ActionWork = z.discriminatedUnion('type', [EditCommand, CompleteCommand, VerifyCommand, CancelCommand]);
export type ActionWork = z.infer<typeof ActionWork>;

/** Everything that can change an action, one member per command. */
export const ActionCommand = z.discriminatedUnion('type', [EditCommand, LinkCommand, CompleteCommand, VerifyCommand, CancelCommand]);
export type ActionCommand = z.infer<typeof ActionCommand>;
export type ActionCommandInput = z.input<typeof ActionCommand>;

/** When the reminder sweep speaks: before the due date, at it, and when it escalates. */
export interface ActionPolicy {
  /** The owner is reminded this long before the due date. */
  readonly remindBeforeHours: number;
  /** An action still open this long after its due date goes to the quality role. */
  readonly escalateAfterHours: number;
}

/** The default reminder policy: a day before, and escalation a day after the due date. */
export const DEFAULT_ACTION_POLICY: ActionPolicy = { remindBeforeHours: 24, escalateAfterHours: 24 };

/** What a command does to an action: fields to set, events to append, and when the sweep looks next. */
export interface ActionChange {
  readonly at: Date;
  readonly set: Partial<Pick<CorrectiveAction, 'description' | 'ownerId' | 'dueAt' | 'status' | 'claimIds' | 'doneAt' | 'verifiedAt' | 'cancelledAt'>>;
  readonly events: readonly ActionEvent[];
  /** The sweep's next look (null: never, until a change sets it). Undefined: unchanged. */
  readonly nextCheckAt?: Date | null;
}

export type ActionPlan = ActionChange | Refusal;

/** Whether an action plan was refused. */
export function isActionRefusal(result: ActionPlan | ActionOpening): result is Refusal {
  return 'refusal' in result;
}

/** Why a staff member may not do something with an action; the reason names the rule. */
export type ActionRefusalReason = 'not_staff' | 'missing_right' | 'other_department' | 'not_owner' | 'owner_cannot_own' | 'due_in_past';

const event = (type: ActionEventType, at: Date, extra: Omit<ActionEvent, 'id' | 'at' | 'type'> = {}): ActionEvent => ({ id: randomUUID(), at, type, ...extra });

const denied = (reason: ActionRefusalReason, right?: StaffRight): Refusal =>
  refusal('INVALID_TRANSITION', `action refused: ${reason}`, { reason, ...(right ? { right } : {}) });

/** Whether someone may own actions of a department: listed staff with `own_action` there. */
function ownerProblem(desk: DeskConfig, ownerId: string, department: string): Refusal | undefined {
  const owner = staffById(desk, ownerId);
  if (!owner || !hasRight(owner, 'own_action') || !coversDepartment(owner, department)) return denied('owner_cannot_own');
  return undefined;
}

/** The first time the sweep should look at an open action with this due date. */
export function firstCheckAt(dueAt: Date, policy: ActionPolicy): Date {
  return new Date(dueAt.getTime() - policy.remindBeforeHours * 3_600_000);
}

/** A new action, ready to be numbered and stored, with when the sweep first looks at it. */
export interface ActionOpening {
  readonly action: Omit<CorrectiveAction, 'id' | 'number'>;
  readonly nextCheckAt: Date;
}

/**
 * Opens an action for a claim of `department`: the opener needs `open_action` there, the owner
 * `own_action` there, and the due date must be in the future.
 * @example planOpening(desk, maria, { kind: 'corrective', description: 'Check every KT-200 thermostat', ownerId: 'ivan', dueAt }, { claimId, department: 'quality' }, policy, now)
 */
export function planOpening(
  desk: DeskConfig,
  opener: StaffMember | undefined,
  input: ActionInput,
  about: { readonly claimId: string; readonly department: string; readonly category?: string; readonly productKey?: string },
  policy: ActionPolicy,
  now: Date,
): ActionOpening | Refusal {
  const parsed = ActionInput.safeParse(input);
  if (!parsed.success) return refusal('INVALID_CLAIM', `invalid action: ${formatIssues(parsed.error).join('; ')}`);
  const allowed = mayManage(opener, about.department);
  if (allowed) return allowed;
  const { kind, description, ownerId, dueAt } = parsed.data;
  if (dueAt.getTime() <= now.getTime()) return denied('due_in_past');
  const ownerRefused = ownerProblem(desk, ownerId, about.department);
  if (ownerRefused) return ownerRefused;
  const by = (opener as StaffMember).id;
  return {
    action: {
      kind,
      description,
      ownerId,
      dueAt,
      status: 'open',
      claimIds: [about.claimId],
      department: about.department,
      ...(about.category !== undefined ? { category: about.category } : {}),
      ...(about.productKey !== undefined ? { productKey: about.productKey } : {}),
      createdBy: by,
      createdAt: now,
      updatedAt: now,
      version: 1,
      history: [event('opened', now, { by, claimId: about.claimId }), event('assigned', now, { by, ownerId })],
    },
    nextCheckAt: firstCheckAt(dueAt, policy),
  };
}

/** `open_action` in the action's department, or why not. */
function mayManage(member: StaffMember | undefined, department: string): Refusal | undefined {
  if (!member) return denied('not_staff');
  if (!hasRight(member, 'open_action')) return denied('missing_right', 'open_action');
  if (!coversDepartment(member, department)) return denied('other_department');
  return undefined;
}

/**
 * Plans a staff command on an action. Who may:
 * - edit, link, cancel: `open_action` in the action's department; edits and cancelling only while
 *   the action is open (or done, for cancelling); a new owner needs `own_action` there;
 * - complete: the owner, or anybody with `verify_action`; only an open action;
 * - verify: `verify_action` (quality, heads); only a done action. Not effective → open again,
 *   with the finding in the history, and the sweep looks again at the (unchanged) due date.
 * Linking a claim already linked, or an edit that changes nothing, is an empty change.
 */
export function planAction(desk: DeskConfig, action: CorrectiveAction, member: StaffMember | undefined, input: ActionCommandInput, policy: ActionPolicy, now: Date): ActionPlan {
  const parsed = ActionCommand.safeParse(input);
  if (!parsed.success) return refusal('INVALID_CLAIM', `invalid action command: ${formatIssues(parsed.error).join('; ')}`);
  const command = parsed.data;
  if (!member) return denied('not_staff');
  const wrongStatus = (allowed: readonly ActionStatus[]) =>
    allowed.includes(action.status) ? undefined : refusal('INVALID_TRANSITION', `the action is ${action.status}`, { number: action.number, from: action.status, action: command.type });
  switch (command.type) {
    case 'edit': {
      const refused = mayManage(member, action.department) ?? wrongStatus(['open']);
      if (refused) return refused;
      const set: { -readonly [K in keyof ActionChange['set']]: ActionChange['set'][K] } = {};
      const events: ActionEvent[] = [];
      if (command.description !== undefined && command.description !== action.description) set.description = command.description;
      if (command.dueAt !== undefined && command.dueAt.getTime() !== action.dueAt.getTime()) {
        if (command.dueAt.getTime() <= now.getTime()) return denied('due_in_past');
        set.dueAt = command.dueAt;
      }
      if (set.description !== undefined || set.dueAt !== undefined) events.push(event('edited', now, { by: member.id, ...(set.dueAt ? { dueAt: set.dueAt } : {}) }));
      if (command.ownerId !== undefined && command.ownerId !== action.ownerId) {
        const ownerRefused = ownerProblem(desk, command.ownerId, action.department);
        if (ownerRefused) return ownerRefused;
        set.ownerId = command.ownerId;
        events.push(event('assigned', now, { by: member.id, ownerId: command.ownerId }));
      }
      if (events.length === 0) return { at: now, set: {}, events: [] };
      return { at: now, set, events, ...(set.dueAt ? { nextCheckAt: firstCheckAt(set.dueAt, policy) } : {}) };
    }
    case 'link': {
      const refused = mayManage(member, command.department) ?? mayManage(member, action.department) ?? wrongStatus(['open', 'done', 'verified']);
      if (refused) return refused;
      if (action.claimIds.includes(command.claimId)) return { at: now, set: {}, events: [] };
      return { at: now, set: { claimIds: [...action.claimIds, command.claimId] }, events: [event('linked', now, { by: member.id, claimId: command.claimId })] };
    }
    case 'complete': {
      const isOwner = member.id === action.ownerId && hasRight(member, 'own_action');
      if (!isOwner && !hasRight(member, 'verify_action')) return denied('not_owner');
      const refused = wrongStatus(['open']);
      if (refused) return refused;
      return { at: now, set: { status: 'done', doneAt: now }, events: [event('done', now, { by: member.id, note: command.note })], nextCheckAt: null };
    }
    case 'verify': {
      if (!hasRight(member, 'verify_action')) return denied('missing_right', 'verify_action');
      const refused = wrongStatus(['done']);
      if (refused) return refused;
      if (command.effective) return { at: now, set: { status: 'verified', verifiedAt: now }, events: [event('verified', now, { by: member.id, note: command.note })], nextCheckAt: null };
      // not effective: the owner works on it again; the sweep looks at the due date again (its notices are once per deadline)
      return { at: now, set: { status: 'open' }, events: [event('verification_failed', now, { by: member.id, note: command.note })], nextCheckAt: now };
    }
    case 'cancel': {
      const refused = mayManage(member, action.department) ?? wrongStatus(['open', 'done']);
      if (refused) return refused;
      return { at: now, set: { status: 'cancelled', cancelledAt: now }, events: [event('cancelled', now, { by: member.id, note: command.reason })], nextCheckAt: null };
    }
  }
}

/**
 * The reminder sweep's step for one action: while it is open, the owner is reminded once before
 * the due date (`due_soon`), told once when it passes (`overdue`), and the quality role is told
 * once when it is still open after the escalation delay (`escalated`) — each once per due date (a
 * new due date starts again; the history says what was sent). Answers the events due now and the
 * next look (null: nothing more to say about this due date, or the action is not open).
 * @example planReminders(action, DEFAULT_ACTION_POLICY, now) // { events: [overdue], nextCheckAt: due + 24 h }
 */
export function planReminders(action: CorrectiveAction, policy: ActionPolicy, now: Date): ActionChange {
  if (action.status !== 'open') return { at: now, set: {}, events: [], nextCheckAt: null };
  const due = action.dueAt.getTime();
  const stages: readonly { readonly type: ActionEventType; readonly at: number }[] = [
    { type: 'due_soon', at: due - policy.remindBeforeHours * 3_600_000 },
    { type: 'overdue', at: due },
    { type: 'escalated', at: due + policy.escalateAfterHours * 3_600_000 },
  ];
  // a stage said for this due date settles it and every earlier one (a late sweep says only the latest due)
  const lastSaid = stages.reduce((last, stage, index) => (action.history.some((past) => past.type === stage.type && past.dueAt?.getTime() === due) ? index : last), -1);
  const pending = stages.slice(lastSaid + 1);
  const dueNow = pending.filter((stage) => stage.at <= now.getTime());
  const later = pending.filter((stage) => stage.at > now.getTime());
  const latest = dueNow[dueNow.length - 1];
  const events = latest ? [event(latest.type, now, { dueAt: action.dueAt })] : [];
  return { at: now, set: {}, events, nextCheckAt: later.length > 0 ? new Date((later[0] as (typeof later)[number]).at) : null };
}

/** Who is told about an action's event, as desk staff ids. */
export function actionRecipients(desk: DeskConfig, action: Pick<CorrectiveAction, 'ownerId' | 'department'>, type: ActionEventType): string[] {
  switch (type) {
    case 'assigned':
    case 'due_soon':
    case 'overdue':
    case 'verification_failed':
      return [action.ownerId];
    case 'escalated': {
      const quality = desk.staff.filter((member) => member.roles.includes('quality') && coversDepartment(member, action.department));
      const heads = desk.staff.filter((member) => member.roles.includes('head') && member.departments.includes(action.department));
      return (quality.length > 0 ? quality : heads).map((member) => member.id);
    }
    case 'done': {
      // someone must verify it: the quality role of the department (heads when there is none)
      return actionRecipients(desk, action, 'escalated');
    }
    default:
      return [];
  }
}

/** The action after a change, as the store keeps it (new version, events appended). Pure. */
export function changedAction(action: CorrectiveAction, change: ActionChange): CorrectiveAction {
  if (change.events.length === 0) return action;
  return { ...action, ...change.set, history: [...action.history, ...change.events], version: action.version + 1, updatedAt: change.at };
}

/** Whether an action is overdue: open and past its due date. */
export function isOverdue(action: Pick<CorrectiveAction, 'status' | 'dueAt'>, now: Date): boolean {
  return action.status === 'open' && action.dueAt.getTime() < now.getTime();
}

export { productKey } from './products.js';

/** Digits of the per-year sequence in an action number. */
const ACTION_SEQUENCE_DIGITS = 4;

/**
 * An action's number: `A-` + year + per-year sequence.
 * @example formatActionNumber(2026, 7) // 'A-2026-0007'
 */
export function formatActionNumber(year: number, sequence: number): string {
  return `A-${year}-${String(sequence).padStart(ACTION_SEQUENCE_DIGITS, '0')}`;
}

/**
 * What a person typed as an action number (`A-2026-7`, `a-2026-0007`), canonical, or undefined.
 * @example parseActionNumber(' a-2026-7 ') // 'A-2026-0007'
 */
export function parseActionNumber(input: string): string | undefined {
  const match = /^\s*a\s*-?\s*(\d{4})\s*[-/]\s*(\d{1,9})\s*$/i.exec(input);
  if (!match) return undefined;
  const year = Number(match[1]);
  const sequence = Number(match[2]);
  if (year < 2000 || sequence < 1) return undefined;
  return formatActionNumber(year, sequence);
}

/** Which actions the register shows (every field narrows it). */
export interface ActionFilter {
  readonly status?: ActionStatus;
  readonly ownerId?: string;
  /** Open and past the due date at this instant. */
  readonly overdueAt?: Date;
  readonly kind?: ActionKind;
  readonly category?: string;
  readonly productKey?: string;
  /** With `productKey`: every stored key of its group (a catalogue product's names), any of which matches. */
  readonly productKeys?: readonly string[];
  readonly department?: string;
  /** Opened in [from, to). */
  readonly from?: Date;
  readonly to?: Date;
  readonly claimId?: string;
}

/** The register's query parameters. */
export const ACTION_FILTER_PARAMS = ['status', 'owner', 'overdue', 'kind', 'category', 'product', 'department', 'from', 'to'] as const;

const ActionFilterParams = z.strictObject(
  {
    status: z.enum(ACTION_STATUSES, `expected one of ${ACTION_STATUSES.join(', ')}`).optional(),
    owner: z.string().max(40).optional(),
    overdue: z.literal('true', 'expected true (only overdue actions) or nothing').optional(),
    kind: z.enum(ACTION_KINDS, `expected one of ${ACTION_KINDS.join(', ')}`).optional(),
    category: z.string().max(40).optional(),
    product: z.string().max(200, 'expected a product name of at most 200 characters').optional(),
    department: z.string().max(40).optional(),
    from: Day.optional(),
    to: Day.optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}; expected some of ${ACTION_FILTER_PARAMS.join(', ')}` : undefined) },
);

/**
 * Parses the register's query parameters (empty values count as absent) against the desk: owner,
 * category and department must be the desk's; `product` is matched by its group (the catalogue's product, else its key: src/domain/products.ts);
 * `from`/`to` are opening dates, inclusive, in the desk's time zone.
 * @example parseActionFilter({ status: 'open', owner: 'ivan' }, desk, now) // { ok: true, filter: { status: 'open', ownerId: 'ivan' } }
 */
export function parseActionFilter(params: Readonly<Record<string, string>>, desk: DeskConfig, now: Date): FilterParse<ActionFilter> {
  const given = Object.fromEntries(Object.entries(params).flatMap(([key, value]) => (value.trim() === '' ? [] : [[key, value.trim()]])));
  const parsed = ActionFilterParams.safeParse(given);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)) };
  const { status, owner, overdue, kind, category, product, department, from, to } = parsed.data;
  const errors: string[] = [];
  const check = (field: string, value: string | undefined, known: readonly string[]) => {
    if (value !== undefined && !known.includes(value)) errors.push(`${field}: expected one of ${known.join(', ')}`);
  };
  check('owner', owner, desk.staff.map((member) => member.id));
  check('category', category, desk.categories.map((item) => item.id));
  check('department', department, desk.departments.map((item) => item.id));
  if (from !== undefined && to !== undefined && to < from) errors.push(`to: expected a date on or after from (${from})`);
  if (errors.length > 0) return { ok: false, errors };
  const { since, until } = periodBounds({ ...(from ? { from } : {}), ...(to ? { to } : {}) }, desk.desk.timezone);
  const key = productGroup(desk, product);
  return {
    ok: true,
    filter: {
      ...(status ? { status } : {}),
      ...(owner ? { ownerId: owner } : {}),
      ...(overdue ? { overdueAt: now } : {}),
      ...(kind ? { kind } : {}),
      ...(category ? { category } : {}),
      ...(key ? { productKey: key, productKeys: productKeysOf(desk, key) } : {}),
      ...(department ? { department } : {}),
      ...(since ? { from: since } : {}),
      ...(until ? { to: until } : {}),
    },
  };
}
