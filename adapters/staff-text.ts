import type { Attachment, Channel, Remedy } from '../src/domain/claim.js';
import { ASSESSABLE_STATUSES, nextStep, type AssessmentValues } from '../src/domain/assessment.js';
import type { InvestigationField } from '../src/domain/investigation.js';
import type { DeskConfig, StaffMember } from '../src/domain/desk.js';
import { formatAmount, type Decision } from '../src/domain/decision.js';
import { fieldRequirement, formatDay } from '../src/domain/intake-fields.js';
import { canApply, OPEN_STATUSES, type Actor, type Claim, type ClaimEvent } from '../src/domain/lifecycle.js';
import { templateDraft } from '../src/decision-text.js';
import type { Locale } from '../src/domain/locale.js';
import { rolesWith, staffById, type StaffAction, type StaffRight } from '../src/domain/staff.js';
import { formatDateTime, t } from '../src/i18n/index.js';
import { noticeRoute } from '../src/domain/staff-intake.js';
import type { StaffFailure } from '../src/staff-desk.js';

/**
 * How claims read for staff, whatever the console (Slack or the web console): names, history
 * lines, template replies, the actions a claim's status offers. Each console passes its own
 * `TextStyle` for text people typed (Slack escapes and quotes it; the web shows it as it is).
 */

/** What the renderer needs to know besides the claim. */
export interface RenderContext {
  readonly desk: DeskConfig;
  readonly locale: Locale;
  /** The web console's address (PUBLIC_URL + `/console`), when known: Slack cards link a claim's files to it (#25). */
  readonly consoleUrl?: string;
}

/** How a console shows text a person typed (a customer's note, a question, a reply). */
export interface TextStyle {
  /** Makes a short value (a name, a file name) safe for the console's format. */
  escape(text: string): string;
  /** A longer text people typed, set apart from the line that introduces it (and isolated: see `isolate`). */
  quote(text: string): string;
}

/**
 * Wraps each line of text people typed in Unicode isolates (FSI … PDI), so a right-to-left
 * override or a run of Arabic in it cannot reorder the words around it on a staff screen. (The
 * dialogs remove the bidi controls from what customers type; this also covers what was kept
 * before, and names from the channels.)
 * @example isolate('abc') // '\u2068abc\u2069'
 */
export function isolate(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `\u2068${line}\u2069`))
    .join('\n');
}

/** Plain text: the web console puts it in the page with textContent, so nothing needs escaping; typed text is isolated. */
export const PLAIN: TextStyle = { escape: (text) => text, quote: (text) => `\n${isolate(text)}` };

/** Names of things in a language, shared by the consoles. */
export const labels = {
  when: (ctx: RenderContext, at: Date) => formatDateTime(at, ctx.locale, ctx.desk.desk.timezone),
  kindLabel: (locale: Locale, claim: Pick<Claim, 'kind'>) => t(locale, `detail.kind.${claim.kind}`),
  categoryLabel: (ctx: RenderContext, id: string) => ctx.desk.categories.find((category) => category.id === id)?.label[ctx.locale] ?? id,
  departmentName: (ctx: RenderContext, id: string) => ctx.desk.departments.find((department) => department.id === id)?.name[ctx.locale] ?? id,
  staffName: (desk: DeskConfig, id: string) => staffById(desk, id)?.name ?? id,
  channelLabel: (locale: Locale, channel: Channel) => t(locale, `staff.channel.${channel}`),
  remedyLabel: (locale: Locale, remedy: Remedy) => t(locale, `remedy.${remedy}`),
};

/** A refusal as the staff desk or the role table gives it. */
export interface RefusalInfo {
  readonly reason: StaffFailure;
  readonly right?: StaffRight;
  readonly claim?: Pick<Claim, 'status'>;
}

/**
 * Why something was refused, in the member's language, whatever the console: a missing right is
 * named with the roles that hold it; a move the status forbids names the status.
 * @example refusalText('en', { reason: 'missing_right', right: 'decide' }) // 'Your role does not allow you to decide a claim. That takes: specialist, …'
 */
export function refusalText(locale: Locale, refusal: RefusalInfo): string {
  if (refusal.reason === 'missing_right' && refusal.right) return missingRightText(locale, refusal.right);
  return t(locale, `staff.refused.${refusal.reason}`, { status: refusal.claim ? t(locale, `staff.status.${refusal.claim.status}`) : '' });
}

/**
 * A refusal for a right the member's roles lack, naming it and the roles that hold it.
 * @example missingRightText('en', 'verify_action') // 'Your role does not allow you to verify corrective actions. That takes: quality manager, head of department.'
 */
export function missingRightText(locale: Locale, right: StaffRight): string {
  const roles = rolesWith(right).map((role) => t(locale, `staff.role.${role}`));
  return t(locale, 'staff.refused.missing_right', { right: t(locale, `staff.right.${right}`), roles: roles.join(', ') });
}

/** Who did something, as staff read it. */
export function actorName(ctx: RenderContext, actor: Actor): string {
  if (actor.kind === 'staff') return labels.staffName(ctx.desk, actor.staffId);
  return t(ctx.locale, actor.kind === 'customer' ? 'staff.who.customer' : 'staff.who.system');
}

/** An action a claim offers as a button or a form (not `view`, nor `extend_deadline`, part of the assessment). */
export type OfferedAction = Exclude<StaffAction, 'view' | 'extend_deadline' | 'return_decision' | 'tell_customer'>;

/**
 * The staff actions a claim's status offers (the transition table decides; roles are checked when
 * acting). A draft decision waiting for approval offers its review (approve or return) instead of
 * another decision; a remedy to carry out, marking it done (#25).
 */
export function offeredActions(claim: Pick<Claim, 'status' | 'pendingDecision' | 'fulfilment'>): OfferedAction[] {
  const actions: OfferedAction[] = [];
  if (claim.pendingDecision) actions.push('approve_decision');
  if (canApply(claim.status, 'take')) actions.push('take');
  if (claim.status !== 'closed' && claim.status !== 'resolved') actions.push('assign');
  if (ASSESSABLE_STATUSES.includes(claim.status)) actions.push('assess');
  if (canApply(claim.status, 'investigate')) actions.push('investigate');
  if (claim.status === 'investigating') actions.push('record_investigation');
  if (canApply(claim.status, 'request_info')) actions.push('request_info');
  if (canApply(claim.status, 'resolve') && !claim.pendingDecision) actions.push('resolve');
  if (claim.fulfilment && !claim.fulfilment.doneAt && (claim.status === 'resolved' || claim.status === 'closed')) actions.push('fulfil');
  if (canApply(claim.status, 'close')) actions.push('close');
  if (canApply(claim.status, 'reopen')) actions.push('reopen');
  if (OPEN_STATUSES.includes(claim.status)) actions.push('reply');
  // #25: send it elsewhere, or close it as a duplicate
  if (OPEN_STATUSES.includes(claim.status)) actions.push('move', 'link_duplicate');
  actions.push('note');
  return actions;
}

function filesText(locale: Locale, files: readonly Attachment[], style: TextStyle): string {
  const shown = files.slice(0, 5).map((file) => isolate(style.escape(file.fileName ?? t(locale, `staff.file.${file.kind}`))));
  if (files.length > 5) shown.push(t(locale, 'staff.card.more_files', { count: files.length - 5 }));
  return shown.join(', ');
}

/** An SLA warning or breach in words: which claim, which deadline, when it is (was) due. */
export function slaText(ctx: RenderContext, claim: Claim, event: ClaimEvent): string {
  const deadline = event.slaDeadline ?? 'resolution';
  const due = labels.when(ctx, deadline === 'first_response' ? claim.sla.firstResponseDueAt : claim.sla.resolutionDueAt);
  return t(ctx.locale, `staff.sla.${event.type === 'sla_breach' ? 'breach' : 'warning'}.${deadline}`, { number: claim.number, due });
}

/**
 * A history event in words for staff, or undefined for events that need no line (the
 * registration, which the card shows; survey reminders and skips).
 */
export function historyText(ctx: RenderContext, claim: Claim, event: ClaimEvent, style: TextStyle): string | undefined {
  const { locale } = ctx;
  const who = style.escape(actorName(ctx, event.actor));
  switch (event.type) {
    case 'registered':
      // #25: a claim staff registered says who and how it came; the dialog's own is the card's
      return event.actor.kind === 'staff' ? t(locale, 'staff.history.registered_by', { who, channel: labels.channelLabel(locale, claim.conversation.channel) }) : undefined;
    case 'moved':
      return t(locale, 'staff.history.moved', {
        who,
        from: style.escape(moveLabel(ctx, event.moved?.fromDepartment, event.moved?.fromCategory)),
        to: style.escape(moveLabel(ctx, event.moved?.toDepartment, event.moved?.toCategory)),
        reason: style.quote(event.note ?? ''),
      });
    case 'duplicate_linked':
      return t(locale, 'staff.history.duplicate_linked', { who, number: event.linkedNumber ?? '', note: event.note !== undefined ? style.quote(event.note) : '' });
    case 'duplicate_added':
      return t(locale, 'staff.history.duplicate_added', { who, number: event.linkedNumber ?? '' });
    case 'customer_told':
      return customerToldText(ctx, claim, event, who, style);
    case 'assigned':
      return t(locale, 'staff.history.assigned', { who, assignee: style.escape(labels.staffName(ctx.desk, event.assigneeId ?? '')) });
    case 'customer_info': {
      const parts: string[] = [];
      if (event.note) parts.push(t(locale, 'staff.history.customer_info', { text: style.quote(event.note) }));
      if (event.attachments && event.attachments.length > 0) parts.push(t(locale, 'staff.history.customer_files', { files: filesText(locale, event.attachments, style) }));
      return parts.join('\n');
    }
    case 'sla_warning':
    case 'sla_breach':
      return slaText(ctx, claim, event);
    case 'survey_sent':
      return t(locale, 'staff.history.survey_sent');
    case 'survey_answered':
      return t(locale, 'staff.history.survey_answered', { score: event.score ?? 0 });
    case 'survey_commented':
      return t(locale, 'staff.history.survey_commented', { text: style.quote(event.note ?? '') });
    case 'survey_reminder':
    case 'survey_skipped':
      return undefined;
    case 'delivery_failed':
      // #25: nobody could be written to: staff tell the customer themselves
      if (event.deliveryFailure === 'no_channel' && noticeRoute(claim).via === 'staff') return t(locale, 'staff.history.tell_customer');
      return t(locale, 'staff.history.delivery_failed', {
        channel: labels.channelLabel(locale, claim.conversation.channel),
        reason: t(locale, `staff.delivery.${event.deliveryFailure ?? 'gave_up'}`),
      });
    case 'assessed':
      return event.assessment ? t(locale, 'staff.history.assessed', { who, changes: assessmentChanges(ctx, event.assessment, event.changed ?? [], style) }) : undefined;
    case 'deadline_changed': {
      const due = event.due ?? claim.sla;
      if (event.notifyCustomer) return t(locale, 'staff.history.deadline_extended', { who, due: labels.when(ctx, due.resolutionDueAt), reason: style.quote(event.note ?? '') });
      return t(locale, 'staff.history.deadline_changed', { first: labels.when(ctx, due.firstResponseDueAt), due: labels.when(ctx, due.resolutionDueAt) });
    }
    case 'investigation_recorded':
      return t(locale, 'staff.history.investigation_recorded', { who, changes: investigationChanges(ctx, event, style) });
    case 'investigation_file_added':
      return t(locale, 'staff.history.investigation_file_added', { who, file: isolate(style.escape(event.investigationFile?.fileName ?? t(locale, `staff.file.${event.investigationFile?.kind ?? 'document'}`))) });
    case 'staff_reply': {
      // the files sent with it (#25), by name
      const files = (event.replyFiles ?? []).map((file) => isolate(style.escape(file.fileName ?? t(locale, `staff.file.${file.kind}`))));
      const named = files.length > 0 ? `\n${t(locale, 'staff.history.reply_files', { files: files.join(', ') })}` : '';
      return t(locale, 'staff.history.staff_reply', { who, text: style.quote(event.note ?? '') }) + named;
    }
    case 'staff_note':
      return t(locale, `staff.history.${event.type}`, { who, text: style.quote(event.note ?? '') });
    case 'decision_drafted':
    case 'decision_approved':
    case 'decision_returned':
    case 'fulfilled':
    case 'fulfilment_overdue':
    case 'fulfilment_escalated':
      return decisionHistoryText(ctx, event, who, style);
    case 'status_changed':
      break;
  }
  const note = event.note !== undefined ? style.quote(event.note) : '';
  switch (event.action) {
    case 'take':
    case 'investigate':
    case 'close':
      return t(locale, `staff.history.${event.action}`, { who }) + note;
    case 'request_info':
      return t(locale, 'staff.history.request_info', { who, question: note });
    case 'customer_replied':
      return t(locale, 'staff.history.customer_replied', { status: t(locale, `staff.status.${event.to ?? claim.status}`) });
    case 'reopen':
      return t(locale, 'staff.history.reopen', { who, reason: note });
    case 'dispute':
      return t(locale, 'staff.history.dispute', { text: note });
    case 'resolve': {
      const decision = event.decision;
      if (!decision) return undefined;
      const text = style.quote(decision.responseText);
      return decision.outcome === 'rejected'
        ? t(locale, 'staff.history.rejected', { who, reason: t(locale, `staff.reason.${decision.reason}`), text })
        : t(locale, `staff.history.${decision.outcome}`, { who, remedy: remedyText(locale, decision), text });
    }
    case undefined:
      return undefined;
  }
}

/** Staff told a customer without messenger or e-mail some notices themselves (#25): how, the notices' times, the note. */
function customerToldText(ctx: RenderContext, claim: Claim, event: ClaimEvent, who: string, style: TextStyle): string {
  const times = (event.toldEventIds ?? []).flatMap((id) => {
    const notice = claim.history.find((candidate) => candidate.id === id);
    return notice ? [labels.when(ctx, notice.at)] : [];
  });
  return t(ctx.locale, 'staff.history.customer_told', {
    who,
    means: t(ctx.locale, `staff.told_means.${event.toldMeans ?? 'phone'}`),
    when: times.join(', '),
    note: event.note !== undefined ? style.quote(event.note) : '',
  });
}

/** The history lines of a decision's approval and fulfilment (#25). */
function decisionHistoryText(ctx: RenderContext, event: ClaimEvent, who: string, style: TextStyle): string | undefined {
  const { locale } = ctx;
  const due = event.fulfilmentDueAt ? labels.when(ctx, event.fulfilmentDueAt) : '';
  switch (event.type) {
    case 'decision_drafted':
      return event.decision ? t(locale, 'staff.history.decision_drafted', { who, decision: style.escape(decisionSummary(ctx, event.decision)), text: style.quote(event.decision.responseText) }) : undefined;
    case 'decision_approved':
      return t(locale, 'staff.history.decision_approved', { who });
    case 'decision_returned':
      return t(locale, 'staff.history.decision_returned', { who, note: style.quote(event.note ?? '') });
    case 'fulfilled':
      return t(locale, 'staff.history.fulfilled', { who }) + (event.note ? style.quote(event.note) : '');
    case 'fulfilment_overdue':
      return t(locale, 'staff.history.fulfilment_overdue', { due });
    case 'fulfilment_escalated':
      return t(locale, 'staff.history.fulfilment_escalated', { due });
    default:
      return undefined;
  }
}

/**
 * What a decision's approval and fulfilment stand at, for the claim's card (#25): the draft waiting
 * for a head, the remedy's due date or when it was done; empty when neither.
 */
export function decisionStateLines(ctx: RenderContext, claim: Pick<Claim, 'pendingDecision' | 'fulfilment'>, style: TextStyle): string[] {
  const { locale } = ctx;
  const lines: string[] = [];
  const pending = claim.pendingDecision;
  if (pending) {
    const reasons = pending.reasons.map((reason) => t(locale, `staff.approval.reason.${reason}`)).join(', ');
    lines.push(t(locale, 'staff.card.pending_decision', { decision: style.escape(decisionSummary(ctx, pending.decision)), reasons }));
  }
  const fulfilment = claim.fulfilment;
  if (fulfilment) {
    lines.push(
      fulfilment.doneAt
        ? t(locale, 'staff.card.fulfilment_done', { at: labels.when(ctx, fulfilment.doneAt) })
        : t(locale, 'staff.card.fulfilment_due', { due: labels.when(ctx, fulfilment.dueAt) }),
    );
  }
  return lines;
}

/** The remedy a decision grants, with its amount when it has one: "refund, 1 299,90 ₽". */
export function remedyText(locale: Locale, decision: Exclude<Decision, { outcome: 'rejected' }>): string {
  const remedy = labels.remedyLabel(locale, decision.remedy);
  return decision.amount ? `${remedy}, ${formatAmount(decision.amount, locale)}` : remedy;
}

/** A decision in a few words for staff: "partially accepted: refund, 1 299,90 ₽ — Ivan Petrov". */
export function decisionSummary(ctx: RenderContext, decision: Decision): string {
  const { locale } = ctx;
  const detail = decision.outcome === 'rejected' ? t(locale, `staff.reason.${decision.reason}`) : remedyText(locale, decision);
  const by = decision.decidedBy ? ` — ${labels.staffName(ctx.desk, decision.decidedBy)}` : '';
  return `${t(locale, `decision.outcome.${decision.outcome}`)}: ${detail}${by}`;
}

/**
 * A template's reply for this claim, in the customer's language, as the resolve form starts it: the
 * claim's placeholders and the signer (the member deciding) filled in; the decision's own
 * placeholders are filled in from the choices when it is sent (src/decision-text.ts).
 */
export function templateReply(ctx: RenderContext, claim: Claim, templateId: string, signer: StaffMember | undefined): { outcome: Decision['outcome']; text: string } | undefined {
  const template = ctx.desk.templates.find((candidate) => candidate.id === templateId);
  if (!template) return undefined;
  return { outcome: template.outcome, text: templateDraft(ctx.desk, claim, template, signer) };
}

/** A yes / no / unknown answer, a justification and a severity in words (#24). */
export const assessmentLabels = {
  answer: (locale: Locale, value: AssessmentValues['customer']) => t(locale, `staff.answer.${value}`),
  justified: (locale: Locale, value: AssessmentValues['justified']) => t(locale, `staff.justified.${value}`),
  severity: (locale: Locale, value: AssessmentValues['severity']) => t(locale, `staff.severity.${value}`),
  cause: (ctx: RenderContext, id: string) => ctx.desk.causeCategories.find((cause) => cause.id === id)?.label[ctx.locale] ?? id,
};

/** The changed parts of an assessment, in words (an override of the warranty with its reason). */
function assessmentChanges(ctx: RenderContext, values: AssessmentValues, changed: readonly string[], style: TextStyle): string {
  const { locale } = ctx;
  const parts = changed.map((key) => {
    switch (key) {
      case 'customer':
        return t(locale, 'staff.history.assessed.customer', { value: assessmentLabels.answer(locale, values.customer) });
      case 'warranty':
        return values.warrantyReason !== undefined
          ? t(locale, 'staff.history.assessed.warranty_reason', { value: assessmentLabels.answer(locale, values.warranty), reason: isolate(style.escape(values.warrantyReason)) })
          : t(locale, 'staff.history.assessed.warranty', { value: assessmentLabels.answer(locale, values.warranty) });
      case 'justified':
        return t(locale, 'staff.history.assessed.justified', { value: assessmentLabels.justified(locale, values.justified) });
      default:
        return t(locale, 'staff.history.assessed.severity', { value: assessmentLabels.severity(locale, values.severity) });
    }
  });
  return parts.join('; ');
}

/** The changed parts of an investigation, in words: the cause category and summary by value, the rest by name. */
function investigationChanges(ctx: RenderContext, event: ClaimEvent, style: TextStyle): string {
  const { locale } = ctx;
  return ((event.changed ?? []) as readonly InvestigationField[])
    .map((field) => {
      switch (field) {
        case 'causeCategory':
          return t(locale, 'staff.history.investigation.causeCategory', { value: event.causeCategory ? style.escape(assessmentLabels.cause(ctx, event.causeCategory)) : t(locale, 'staff.not_recorded') });
        case 'rootCause':
          return t(locale, 'staff.history.investigation.rootCause', { value: event.note !== undefined ? isolate(style.escape(event.note)) : t(locale, 'staff.not_recorded') });
        default:
          return t(locale, `staff.history.investigation.${field}`);
      }
    })
    .join('; ');
}

/** A claim's assessment in one line, or "not recorded" (#24). */
export function assessmentText(ctx: RenderContext, claim: Pick<Claim, 'assessment'>): string {
  const { locale } = ctx;
  const assessment = claim.assessment;
  if (!assessment) return t(locale, 'staff.not_recorded');
  const warranty = assessmentLabels.answer(locale, assessment.warranty);
  return t(locale, 'staff.assessment.summary', {
    customer: assessmentLabels.answer(locale, assessment.customer),
    warranty: assessment.warrantyReason !== undefined ? t(locale, 'staff.assessment.warranty_set', { value: warranty }) : warranty,
    justified: assessmentLabels.justified(locale, assessment.justified),
  });
}

/** A claim's root cause as "category: summary" (typed text escaped by the style), or "not recorded". */
export function rootCauseText(ctx: RenderContext, claim: Pick<Claim, 'investigation'>, style: TextStyle): string {
  const investigation = claim.investigation;
  const parts = [
    investigation?.causeCategory !== undefined ? style.escape(assessmentLabels.cause(ctx, investigation.causeCategory)) : undefined,
    investigation?.rootCause !== undefined ? isolate(style.escape(investigation.rootCause)) : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(': ') : t(ctx.locale, 'staff.not_recorded');
}

/** The next step a claim's assessment points to, in words, or undefined (src/domain/assessment.ts). */
export function nextStepText(locale: Locale, claim: Pick<Claim, 'status' | 'assessment'>): string | undefined {
  const step = nextStep(claim);
  return step ? t(locale, `staff.next.${step}`) : undefined;
}

/**
 * The amount and the purchase date of a claim as staff read them (#25): formatted in the staff
 * member's language; "not recorded" when the claim's category asks the field and the customer
 * skipped it; left out (undefined) when the category does not ask it and none was recorded.
 * @example claimFieldTexts(ctx, claim) // { amount: '1 299,90 ₽', purchaseDate: 'not recorded' }
 */
export function claimFieldTexts(ctx: RenderContext, claim: Pick<Claim, 'category' | 'concerns'>): { readonly amount?: string; readonly purchaseDate?: string } {
  const category = ctx.desk.categories.find((candidate) => candidate.id === claim.category);
  const missing = t(ctx.locale, 'staff.field.not_recorded');
  const { amount, purchaseDate } = claim.concerns;
  const amountText = amount ? formatAmount(amount, ctx.locale) : fieldRequirement(category, 'amount') ? missing : undefined;
  const dateText = purchaseDate ? formatDay(purchaseDate, ctx.locale) : fieldRequirement(category, 'purchaseDate') ? missing : undefined;
  return { ...(amountText !== undefined ? { amount: amountText } : {}), ...(dateText !== undefined ? { purchaseDate: dateText } : {}) };
}

/** Where a moved claim was or went: its department and category, in words. */
function moveLabel(ctx: RenderContext, department: string | undefined, category: string | undefined): string {
  return `${labels.departmentName(ctx, department ?? '')} / ${labels.categoryLabel(ctx, category ?? '')}`;
}
