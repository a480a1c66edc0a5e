import type { Block, KnownBlock, View, PlainTextOption, ActionsBlock, Button } from '@slack/types';
import type { Attachment } from '../../src/domain/claim.js';
import type { StaffMember } from '../../src/domain/desk.js';
import { REJECTION_REASONS, type Actor, type Claim, type ClaimEvent, type Decision } from '../../src/domain/lifecycle.js';
import { REMEDIES } from '../../src/domain/claim.js';
import type { Locale } from '../../src/domain/locale.js';
import type { DepartmentStats } from '../../src/domain/stats.js';
import type { ClaimForViewer } from '../../src/domain/personal-data.js';
import { t, type MessageKey } from '../../src/i18n/index.js';
import { decisionStateLines, decisionSummary, actorName, claimFieldTexts, assessmentLabels, assessmentText, historyText, isolate, labels, nextStepText, offeredActions, remedyText, rootCauseText, slaText, type OfferedAction, type RenderContext, type TextStyle } from '../staff-text.js';
import { derivedWarranty, JUSTIFIED, nextStep, YES_NO_UNKNOWN, type ClaimsWorkPolicy } from '../../src/domain/assessment.js';
import { FACTS_MAX, ROOT_CAUSE_MAX, WHY_MAX, WHYS_MAX } from '../../src/domain/investigation.js';
import { SEVERITIES } from '../../src/domain/desk.js';
import { DECISION_OUTCOMES } from '../../src/domain/decision.js';

export { actorName, slaText, templateReply, type RenderContext } from '../staff-text.js';
import type { Outbound } from '../../flows/types.js';
import { COMMANDS } from '../../flows/engine.js';
import { CUSTOMER_COMMAND } from './inbound.js';

/** One Slack message: the notification text (mrkdwn, escaped) and its blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: (KnownBlock | Block)[];
}

/** Action and view ids the console listens to. */
export const ACTIONS = {
  take: 'claim.take',
  assign: 'claim.assign',
  requestInfo: 'claim.request_info',
  resolve: 'claim.resolve',
  reopen: 'claim.reopen',
  assess: 'claim.assess',
  investigate: 'claim.investigate',
  recordInvestigation: 'claim.record_investigation',
  reply: 'claim.reply',
  reviewDecision: 'claim.review_decision',
  fulfil: 'claim.fulfil',
  close: 'claim.close',
  move: 'claim.move',
  linkDuplicate: 'claim.link_duplicate',
  openPost: 'claim.open_post',
  resolveTemplate: 'resolve.template',
  /** A customer's button in a dialog: `flow.choice:<n>`, the choice id as value. */
  choice: 'flow.choice',
} as const;

export const VIEWS = {
  assign: 'claim.assign',
  requestInfo: 'claim.request_info',
  resolve: 'claim.resolve',
  reopen: 'claim.reopen',
  assess: 'claim.assess',
  recordInvestigation: 'claim.record_investigation',
  reply: 'claim.reply',
  reviewDecision: 'claim.review_decision',
  fulfil: 'claim.fulfil',
  close: 'claim.close',
  move: 'claim.move',
  linkDuplicate: 'claim.link_duplicate',
} as const;

/** Slack's limits (https://api.slack.com/reference/block-kit). */
const SECTION_MAX = 3000;
const BUTTON_TEXT_MAX = 75;
const OPTION_TEXT_MAX = 75;
const BUTTONS_PER_ROW = 5;
/** Slack's plain_text_input takes at most 3000 characters. */
export const INPUT_MAX = 3000;

/**
 * Escapes text for Slack's mrkdwn: `&`, `<` and `>` become entities, so `<!channel>`,
 * `<@U123>` or `<https://x|y>` written by a customer show as typed and never ping or link.
 * @example escapeMrkdwn('<!channel> & co') // '&lt;!channel&gt; &amp; co'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` characters (an ellipsis marks the cut), never inside a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

const plain = (text: string, max = 150) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });
/** A mrkdwn section; a cut never leaves half an entity (`&am…`) behind. */
const section = (markdown: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(markdown, SECTION_MAX).replace(/&[a-z]{0,4}…$/, '…') } });
/** A quote of user text, escaped; each line marked as a quote and isolated (an override cannot run past it). */
const quote = (text: string) => isolate(escapeMrkdwn(text)).split('\n').map((line) => `>${line}`).join('\n');
/** A short value a person typed (a product, a file name, a name), escaped and isolated. */
const said = (text: string) => isolate(escapeMrkdwn(text));

const { when, kindLabel, categoryLabel, departmentName, staffName, channelLabel, remedyLabel } = labels;

function filesLine(locale: Locale, files: readonly Attachment[]): string {
  const shown = files.slice(0, 5).map((file) => said(file.fileName ?? t(locale, `staff.file.${file.kind}`)));
  if (files.length > 5) shown.push(t(locale, 'staff.card.more_files', { count: files.length - 5 }));
  return shown.join(', ');
}

function concernsLine(ctx: RenderContext, claim: Claim): string | undefined {
  const { locale } = ctx;
  const parts: string[] = [];
  const { product, orderOrBatch } = claim.concerns;
  const { amount, purchaseDate } = claimFieldTexts(ctx, claim);
  if (product) parts.push(t(locale, 'staff.card.product', { value: said(product) }));
  if (orderOrBatch) parts.push(t(locale, 'staff.card.order', { value: said(orderOrBatch) }));
  if (amount !== undefined) parts.push(t(locale, 'staff.card.amount', { value: amount }));
  if (purchaseDate !== undefined) parts.push(t(locale, 'staff.card.purchased', { value: purchaseDate }));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function decisionLine(ctx: RenderContext, decision: Decision): string {
  const { locale } = ctx;
  const line =
    decision.outcome === 'rejected'
      ? t(locale, 'staff.card.rejected', { reason: t(locale, `staff.reason.${decision.reason}`) })
      : t(locale, `staff.card.${decision.outcome}`, { remedy: remedyText(locale, decision) });
  return decision.decidedBy ? `${line}\n${t(locale, 'staff.card.decided_by', { who: escapeMrkdwn(staffName(ctx.desk, decision.decidedBy)) })}` : line;
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text, BUTTON_TEXT_MAX), action_id: actionId, value, ...(style ? { style } : {}) };
}

/** The buttons a claim offers in its status (the transition table decides). */
function claimButtons(locale: Locale, claim: Claim): Button[] {
  const ids: Readonly<Record<Exclude<OfferedAction, 'note'>, string>> = {
    take: ACTIONS.take,
    assign: ACTIONS.assign,
    request_info: ACTIONS.requestInfo,
    resolve: ACTIONS.resolve,
    reopen: ACTIONS.reopen,
    assess: ACTIONS.assess,
    investigate: ACTIONS.investigate,
    record_investigation: ACTIONS.recordInvestigation,
    reply: ACTIONS.reply,
    approve_decision: ACTIONS.reviewDecision,
    fulfil: ACTIONS.fulfil,
    close: ACTIONS.close,
    move: ACTIONS.move,
    link_duplicate: ACTIONS.linkDuplicate,
  };
  // the assessment's next step stands out (src/domain/assessment.ts)
  const step = nextStep(claim);
  const next: OfferedAction | undefined = step === 'reject' ? 'resolve' : step;
  // a note is a message written in the claim's thread: no button
  return offeredActions(claim)
    .flatMap((action) => (action === 'note' ? [] : [action]))
    .map((action) => button(t(locale, `staff.button.${action}`), ids[action], claim.id, action === 'take' || action === next || action === 'approve_decision' ? 'primary' : undefined));
}

/**
 * The claim as staff see it: number, kind, category, what it concerns, description, remedy asked,
 * files, the customer's channel, assignee, due times, decision, and the buttons its status allows.
 * With `personal` it also shows the customer's name and contact (pass the claim as
 * `claimForViewer` gave it: masked, its files hidden, for a viewer without the right);
 * without it, no contact. Every piece of customer text is escaped.
 */
export function claimCard(ctx: RenderContext, claim: Claim, options: { readonly buttons?: boolean; readonly personal?: Pick<ClaimForViewer, 'masked' | 'hiddenFiles'> } = {}): SlackMessage {
  const { locale } = ctx;
  const title = t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number });
  const lines = [
    t(locale, 'staff.card.status', { status: t(locale, `staff.status.${claim.status}`) }),
    t(locale, 'staff.card.category', { value: escapeMrkdwn(categoryLabel(ctx, claim.category)) }),
  ];
  const concerns = concernsLine(ctx, claim);
  if (concerns) lines.push(t(locale, 'staff.card.concerns', { value: concerns }));
  lines.push(t(locale, 'staff.card.remedy', { value: remedyLabel(locale, claim.desiredRemedy) }));
  // the contact only where `personal` is given (the department's channel, /claim), masked for a viewer without the right (#26)
  if (options.personal) lines.push(t(locale, 'staff.card.contact', { value: escapeMrkdwn([claim.contact.name, claim.contact.phone, claim.contact.email].filter(Boolean).join(', ')) }));
  const files = options.personal?.masked
    ? options.personal.hiddenFiles > 0
      ? t(locale, 'staff.card.files_hidden', { count: options.personal.hiddenFiles })
      : t(locale, 'staff.card.none')
    : claim.attachments.length > 0
      ? filesLine(locale, claim.attachments) + (ctx.consoleUrl ? ` · <${ctx.consoleUrl}#/claim/${claim.number}|${escapeMrkdwn(t(locale, 'staff.card.files_in_console'))}>` : '')
      : t(locale, 'staff.card.none');
  lines.push(t(locale, 'staff.card.files', { value: files }));
  lines.push(t(locale, 'staff.card.channel', { value: channelLabel(locale, claim.customer.channel) }));
  lines.push(t(locale, 'staff.card.assignee', { value: claim.assigneeId ? escapeMrkdwn(staffName(ctx.desk, claim.assigneeId)) : t(locale, 'staff.card.unassigned') }));
  lines.push(t(locale, 'staff.card.registered', { at: when(ctx, claim.createdAt) }));
  lines.push(
    claim.firstResponseAt
      ? t(locale, 'staff.card.first_response_done', { at: when(ctx, claim.firstResponseAt) })
      : t(locale, 'staff.card.first_response_due', { due: when(ctx, claim.sla.firstResponseDueAt) }),
  );
  if (claim.decision) lines.push(decisionLine(ctx, claim.decision));
  else lines.push(t(locale, 'staff.card.resolution_due', { due: when(ctx, claim.sla.resolutionDueAt) }));
  // #25: a draft waiting for a head, the remedy's due date
  lines.push(...decisionStateLines(ctx, claim, MRKDWN));
  // #24: severity, assessment, root cause and the next step they point to
  lines.push(t(locale, 'staff.card.severity', { value: assessmentLabels.severity(locale, claim.severity) }));
  lines.push(t(locale, 'staff.card.assessment', { value: assessmentText(ctx, claim) }));
  if (claim.investigation || claim.status === 'investigating') lines.push(t(locale, 'staff.card.root_cause', { value: rootCauseText(ctx, claim, MRKDWN) }));
  const next = nextStepText(locale, claim);
  if (next) lines.push(t(locale, 'staff.card.next_step', { value: next }));
  // #25: where a moved claim went (the card stays in the channel it was posted to), its links
  if (claim.history.some((event) => event.type === 'moved')) lines.push(t(locale, 'staff.card.moved', { department: escapeMrkdwn(departmentName(ctx, claim.department)), category: escapeMrkdwn(categoryLabel(ctx, claim.category)) }));
  if (claim.duplicateOf) lines.push(t(locale, 'staff.card.duplicate_of', { number: claim.duplicateOf }));
  if (claim.duplicates && claim.duplicates.length > 0) lines.push(t(locale, 'staff.card.duplicates', { numbers: claim.duplicates.join(', ') }));

  if (options.personal?.masked) lines.push(t(locale, 'staff.card.masked'));
  const blocks: (KnownBlock | Block)[] = [
    { type: 'header', text: plain(title) },
    section(lines.join('\n')),
    section(`${t(locale, 'staff.card.description')}\n${quote(claim.description)}`),
  ];
  const buttons = options.buttons === false ? [] : claimButtons(locale, claim);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'claim.actions', elements: buttons });
  const text = `${escapeMrkdwn(title)}: ${t(locale, `staff.status.${claim.status}`)}`;
  return { text, blocks };
}

/**
 * A history event as one line of the claim's thread (mrkdwn: text a person typed is escaped and
 * quoted), or undefined for events the card itself shows (registration).
 */
export function historyLine(ctx: RenderContext, claim: Claim, event: ClaimEvent): string | undefined {
  return historyText(ctx, claim, event, MRKDWN);
}

/** Slack's way of showing text people typed: escaped, each line quoted. */
const MRKDWN: TextStyle = { escape: escapeMrkdwn, quote: (text) => `\n${quote(text)}` };

/** The direct message about an SLA warning (to the assignee) or breach (to the heads): the text, the claim, a link. */
export function slaAlert(ctx: RenderContext, claim: Claim, event: ClaimEvent, permalink: string | undefined): SlackMessage {
  const line = slaText(ctx, claim, event);
  const card = claimCard(ctx, claim, { buttons: false });
  return { text: line, blocks: [section(line), ...card.blocks.slice(1), ...openButton(ctx.locale, permalink)] };
}

/** The alert to a department a claim was moved to (#25): the claim, where it came from, why, and a link. */
export function movedInNotice(ctx: RenderContext, claim: Claim, event: ClaimEvent, permalink: string | undefined): SlackMessage {
  const line = t(ctx.locale, 'staff.notify.moved_in', {
    number: claim.number,
    department: escapeMrkdwn(departmentName(ctx, event.moved?.toDepartment ?? claim.department)),
    from: escapeMrkdwn(departmentName(ctx, event.moved?.fromDepartment ?? claim.department)),
    reason: `\n${quote(event.note ?? '')}`,
  });
  const card = claimCard(ctx, claim, { buttons: false });
  return { text: line, blocks: [section(line), ...card.blocks.slice(1), ...openButton(ctx.locale, permalink)] };
}

/** The alert about a low survey score, for the department's channel and the assignee. */
export function lowScoreAlert(ctx: RenderContext, claim: Claim, score: number, permalink: string | undefined): SlackMessage {
  const line = t(ctx.locale, 'staff.survey.low', { number: claim.number, score });
  return { text: line, blocks: [section(line), ...openButton(ctx.locale, permalink)] };
}

/** The periodic summary of a department for its channel. */
export function digestMessage(ctx: RenderContext, department: string, numbers: DepartmentStats, since: Date): SlackMessage {
  const { locale } = ctx;
  const title = t(locale, 'staff.digest.title', { department: departmentName(ctx, department), since: when(ctx, since) });
  const lines = [
    t(locale, 'staff.digest.numbers', { received: numbers.received, open: numbers.open, overdue: numbers.overdue, resolved: numbers.resolved }),
    numbers.csat !== undefined ? t(locale, 'staff.digest.csat', { csat: numbers.csat.toFixed(1), answers: numbers.answers }) : t(locale, 'staff.digest.no_csat'),
  ];
  return { text: escapeMrkdwn(title), blocks: [{ type: 'header', text: plain(title) }, section(lines.join('\n'))] };
}

const openButton = (locale: Locale, url: string | undefined): ActionsBlock[] =>
  url ? [{ type: 'actions', elements: [{ type: 'button', text: plain(t(locale, 'staff.button.open_post'), BUTTON_TEXT_MAX), url, action_id: ACTIONS.openPost }] }] : [];

/** The direct message to a new assignee: who assigned it, the claim with its due times, a link to the post. */
export function assignmentPing(ctx: RenderContext, claim: Claim, assignedBy: Actor, permalink: string | undefined): SlackMessage {
  const line = t(ctx.locale, 'staff.ping.assigned', { who: escapeMrkdwn(actorName(ctx, assignedBy)), kind: kindLabel(ctx.locale, claim).toLowerCase(), number: claim.number });
  const card = claimCard(ctx, claim, { buttons: false });
  return { text: line, blocks: [section(line), ...card.blocks.slice(1), ...openButton(ctx.locale, permalink)] };
}

/** The short notice to a department on the category's notify list. */
export function departmentNotice(ctx: RenderContext, claim: Claim, department: string, permalink: string | undefined): SlackMessage {
  const line = t(ctx.locale, 'staff.notify.new', {
    kind: kindLabel(ctx.locale, claim).toLowerCase(),
    number: claim.number,
    department: escapeMrkdwn(departmentName(ctx, department)),
    category: escapeMrkdwn(categoryLabel(ctx, claim.category)),
  });
  return { text: line, blocks: [section(line), ...openButton(ctx.locale, permalink)] };
}

/** `/claims mine`: the caller's open claims. */
export function claimList(ctx: RenderContext, claims: readonly Claim[]): SlackMessage {
  if (claims.length === 0) return { text: t(ctx.locale, 'staff.mine.none'), blocks: [section(t(ctx.locale, 'staff.mine.none'))] };
  const lines = claims.map((claim) =>
    t(ctx.locale, 'staff.mine.line', {
      number: claim.number,
      status: t(ctx.locale, `staff.status.${claim.status}`),
      category: escapeMrkdwn(categoryLabel(ctx, claim.category)),
      due: when(ctx, claim.sla.resolutionDueAt),
    }),
  );
  const title = t(ctx.locale, 'staff.mine.title', { count: claims.length });
  const blocks: (KnownBlock | Block)[] = [section(`*${title}*`)];
  // one section holds at most 3000 characters: group the lines
  let chunk: string[] = [];
  for (const line of lines) {
    if ([...chunk, line].join('\n').length > SECTION_MAX) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
    }
    chunk.push(line);
  }
  if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
  return { text: title, blocks: blocks.slice(0, 50) };
}

/** A short answer to one person (a refusal, a usage hint). */
export function notice(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

// ---- modals ----

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text, OPTION_TEXT_MAX), value });

function modal(locale: Locale, callbackId: string, title: string, submit: 'staff.modal.save' | 'staff.modal.send', metadata: object, blocks: (KnownBlock | Block)[]): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain(title, 24),
    submit: plain(t(locale, submit), 24),
    close: plain(t(locale, 'staff.modal.cancel'), 24),
    blocks,
  };
}

/** Metadata every claim modal carries: the claim and the message the button was on. */
export interface ModalMetadata {
  readonly claimId: string;
  /** Counts template picks, so the reply field is re-created with the new text. */
  readonly round?: number;
  /** The draft decision a review modal shows (#25): approving or returning names it. */
  readonly draftId?: string;
}

/** Assign…: a picker limited to the staff of the claim's department. */
export function assignModal(ctx: RenderContext, claim: Claim, staff: readonly StaffMember[]): View {
  const { locale } = ctx;
  const title = t(locale, 'staff.modal.assign.title');
  if (staff.length === 0) return { ...modal(locale, VIEWS.assign, title, 'staff.modal.save', { claimId: claim.id }, [section(t(locale, 'staff.modal.assign.none'))]), submit: undefined } as View;
  const options = staff.slice(0, 100).map((member) => option(member.name, member.id));
  const initial = options.find((candidate) => candidate.value === claim.assigneeId);
  return modal(locale, VIEWS.assign, title, 'staff.modal.save', { claimId: claim.id }, [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
    {
      type: 'input',
      block_id: 'assignee',
      label: plain(t(locale, 'staff.modal.assign.label')),
      element: { type: 'static_select', action_id: 'assignee', options, ...(initial ? { initial_option: initial } : {}) },
    },
  ]);
}

/** A modal asking one text about a claim (the field's block and action id are both `field`). */
function textModal(
  ctx: RenderContext,
  claim: Claim,
  form: { readonly callbackId: string; readonly title: MessageKey; readonly submit: 'staff.modal.save' | 'staff.modal.send'; readonly field: string; readonly label: MessageKey; readonly hint?: MessageKey },
): View {
  const { locale } = ctx;
  return modal(locale, form.callbackId, t(locale, form.title), form.submit, { claimId: claim.id }, [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
    {
      type: 'input',
      block_id: form.field,
      label: plain(t(locale, form.label)),
      ...(form.hint ? { hint: plain(t(locale, form.hint), 2000) } : {}),
      element: { type: 'plain_text_input', action_id: form.field, multiline: true, max_length: 2000 },
    },
  ]);
}

/** Request information: the question the customer will receive. */
export function requestInfoModal(ctx: RenderContext, claim: Claim): View {
  return textModal(ctx, claim, { callbackId: VIEWS.requestInfo, title: 'staff.modal.request_info.title', submit: 'staff.modal.send', field: 'question', label: 'staff.modal.request_info.label', hint: 'staff.modal.request_info.hint' });
}

/** Reply to the customer: free text they receive in their channel; the status does not change. */
export function replyModal(ctx: RenderContext, claim: Claim): View {
  return textModal(ctx, claim, { callbackId: VIEWS.reply, title: 'staff.modal.reply.title', submit: 'staff.modal.send', field: 'text', label: 'staff.modal.reply.label', hint: 'staff.modal.reply.hint' });
}

/** Remedy carried out (#25): an optional note; the customer is told. */
export function fulfilModal(ctx: RenderContext, claim: Claim): View {
  const view = textModal(ctx, claim, { callbackId: VIEWS.fulfil, title: 'staff.modal.fulfil.title', submit: 'staff.modal.save', field: 'note', label: 'staff.modal.fulfil.label', hint: 'staff.modal.fulfil.hint' });
  return { ...view, blocks: view.blocks.map((block) => (block.type === 'input' ? { ...block, optional: true } : block)) };
}

/** Close a resolved claim (#25): why (e.g. the customer confirmed by phone). */
export function closeModal(ctx: RenderContext, claim: Claim): View {
  return textModal(ctx, claim, { callbackId: VIEWS.close, title: 'staff.modal.close.title', submit: 'staff.modal.save', field: 'note', label: 'staff.modal.close.label' });
}

/**
 * A head's review of a draft decision (#25): the draft as the customer will read it, approve (it is
 * sent) or return it to its author with a note. Without a draft: nothing to review.
 */
export function reviewDecisionModal(ctx: RenderContext, claim: Claim): View {
  const { locale } = ctx;
  const pending = claim.pendingDecision;
  const title = t(locale, 'staff.modal.review.title');
  const heading = section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number }));
  if (!pending) return { ...modal(locale, VIEWS.reviewDecision, title, 'staff.modal.save', { claimId: claim.id }, [heading, section(t(locale, 'staff.refused.invalid_transition', { status: t(locale, `staff.status.${claim.status}`) }))]), submit: undefined } as View;
  const reasons = pending.reasons.map((reason) => t(locale, `staff.approval.reason.${reason}`)).join(', ');
  const metadata: ModalMetadata = { claimId: claim.id, draftId: pending.id };
  return modal(locale, VIEWS.reviewDecision, title, 'staff.modal.save', metadata, [
    heading,
    section(`${t(locale, 'staff.modal.review.draft', { who: escapeMrkdwn(staffName(ctx.desk, pending.by)), reasons, decision: escapeMrkdwn(decisionSummary(ctx, pending.decision)) })}\n${quote(pending.decision.responseText)}`),
    {
      type: 'input',
      block_id: 'verdict',
      label: plain(t(locale, 'staff.modal.review.verdict')),
      element: { type: 'radio_buttons', action_id: 'verdict', options: [option(t(locale, 'staff.modal.review.approve'), 'approve'), option(t(locale, 'staff.modal.review.return'), 'return')] },
    },
    {
      type: 'input',
      block_id: 'note',
      optional: true,
      label: plain(t(locale, 'staff.modal.review.note')),
      element: { type: 'plain_text_input', action_id: 'note', multiline: true, max_length: 2000 },
    },
  ]);
}

/** The direct message of a decision's alert (#25): a draft to approve, a draft returned, a dispute, a remedy overdue. */
export function decisionAlert(ctx: RenderContext, claim: Claim, kind: 'approval_requested' | 'decision_returned' | 'decision_disputed' | 'fulfilment_overdue' | 'fulfilment_escalated', event: ClaimEvent, permalink: string | undefined): SlackMessage {
  const { locale } = ctx;
  const number = claim.number;
  const due = event.fulfilmentDueAt ? when(ctx, event.fulfilmentDueAt) : '';
  const line =
    kind === 'decision_returned'
      ? t(locale, 'staff.alert.decision_returned', { number, note: escapeMrkdwn(event.note ?? '') })
      : kind === 'fulfilment_overdue' || kind === 'fulfilment_escalated'
        ? t(locale, `staff.alert.${kind}`, { number, due })
        : t(locale, `staff.alert.${kind}`, { number });
  const card = claimCard(ctx, claim, { buttons: false });
  return { text: line, blocks: [section(line), ...card.blocks.slice(1), ...openButton(locale, permalink)] };
}

/** Reopen: why. */
export function reopenModal(ctx: RenderContext, claim: Claim): View {
  return textModal(ctx, claim, { callbackId: VIEWS.reopen, title: 'staff.modal.reopen.title', submit: 'staff.modal.save', field: 'reason', label: 'staff.modal.reopen.label' });
}

/** Move (#25): a category offered for the claim's kind (its department follows), or only a department, and why. */
export function moveModal(ctx: RenderContext, claim: Claim): View {
  const { locale, desk } = ctx;
  const categories = desk.categories.filter((category) => category.id !== claim.category && (!category.kinds || category.kinds.includes(claim.kind))).map((category) => option(category.label[locale], category.id));
  const departments = desk.departments.filter((department) => department.id !== claim.department).map((department) => option(department.name[locale], department.id));
  const select = (block: string, label: MessageKey, options: PlainTextOption[]) =>
    options.length === 0 ? [] : [{ type: 'input' as const, block_id: block, optional: true, label: plain(t(locale, label)), element: { type: 'static_select' as const, action_id: block, options: options.slice(0, 100) } }];
  return modal(locale, VIEWS.move, t(locale, 'staff.modal.move.title'), 'staff.modal.save', { claimId: claim.id }, [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
    ...select('category', 'staff.modal.move.category', categories),
    ...select('department', 'staff.modal.move.department', departments),
    { type: 'input', block_id: 'reason', label: plain(t(locale, 'staff.modal.move.reason')), element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 500 } },
  ]);
}

/** Duplicate of… (#25): the original's number and a note; this claim is closed. */
export function linkDuplicateModal(ctx: RenderContext, claim: Claim): View {
  const { locale } = ctx;
  return modal(locale, VIEWS.linkDuplicate, t(locale, 'staff.modal.link_duplicate.title'), 'staff.modal.save', { claimId: claim.id }, [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
    { type: 'input', block_id: 'original', label: plain(t(locale, 'staff.modal.link_duplicate.original')), hint: plain(t(locale, 'staff.modal.link_duplicate.hint'), 2000), element: { type: 'plain_text_input', action_id: 'original', max_length: 40 } },
    { type: 'input', block_id: 'note', optional: true, label: plain(t(locale, 'staff.modal.link_duplicate.note')), element: { type: 'plain_text_input', action_id: 'note', multiline: true, max_length: 500 } },
  ]);
}

/** What the resolve modal starts with (after a template was picked: its outcome and text). */
export interface ResolveDraft {
  readonly outcome?: Decision['outcome'];
  readonly templateId?: string;
  readonly text?: string;
  readonly round: number;
}

/** The block id of the reply field in a round (a new id makes Slack show the new initial text). */
export const replyBlockId = (round: number) => `reply.${String(round)}`;

/**
 * Resolve: accept with a remedy or reject with a reason; a template fills the reply (in the
 * customer's language), which staff edit; the final text is what the customer receives.
 */
export function resolveModal(ctx: RenderContext, claim: Claim, draft: ResolveDraft): View {
  const { locale, desk } = ctx;
  const outcomeLabels = { accepted: 'staff.modal.resolve.accept', partially_accepted: 'staff.modal.resolve.partial', rejected: 'staff.modal.resolve.reject' } as const;
  const outcomes = DECISION_OUTCOMES.map((outcome) => option(t(locale, outcomeLabels[outcome]), outcome));
  const initialOutcome = outcomes.find((candidate) => candidate.value === draft.outcome);
  const remedies = REMEDIES.map((remedy) => option(remedyLabel(locale, remedy), remedy));
  const initialRemedy = remedies.find((candidate) => candidate.value === claim.desiredRemedy);
  const reasons = REJECTION_REASONS.map((reason) => option(t(locale, `staff.reason.${reason}`), reason));
  // a select takes at most 100 options
  const templates = desk.templates.slice(0, 100).map((template) => option(template.title[locale], template.id));
  const initialTemplate = templates.find((candidate) => candidate.value === draft.templateId);
  const blocks: (KnownBlock | Block)[] = [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
  ];
  if (templates.length > 0) {
    blocks.push({
      type: 'section',
      block_id: 'template',
      text: { type: 'mrkdwn', text: t(locale, 'staff.modal.resolve.template') },
      accessory: { type: 'static_select', action_id: ACTIONS.resolveTemplate, options: templates, ...(initialTemplate ? { initial_option: initialTemplate } : {}) },
    });
  }
  blocks.push(
    {
      type: 'input',
      block_id: 'outcome',
      label: plain(t(locale, 'staff.modal.resolve.outcome')),
      element: { type: 'radio_buttons', action_id: 'outcome', options: outcomes, ...(initialOutcome ? { initial_option: initialOutcome } : {}) },
    },
    {
      type: 'input',
      block_id: 'remedy',
      optional: true,
      label: plain(t(locale, 'staff.modal.resolve.remedy')),
      element: { type: 'static_select', action_id: 'remedy', options: remedies, ...(initialRemedy ? { initial_option: initialRemedy } : {}) },
    },
    {
      type: 'input',
      block_id: 'amount',
      optional: true,
      label: plain(t(locale, 'staff.modal.resolve.amount', { currency: desk.desk.currency })),
      hint: plain(t(locale, 'staff.modal.resolve.amount_hint')),
      element: { type: 'plain_text_input', action_id: 'amount', max_length: 40 },
    },
    {
      type: 'input',
      block_id: 'days',
      optional: true,
      label: plain(t(locale, 'staff.modal.resolve.days')),
      hint: plain(t(locale, 'staff.modal.resolve.days_hint')),
      element: { type: 'plain_text_input', action_id: 'days', max_length: 3 },
    },
    {
      type: 'input',
      block_id: 'reason',
      optional: true,
      label: plain(t(locale, 'staff.modal.resolve.reason')),
      element: { type: 'static_select', action_id: 'reason', options: reasons },
    },
    {
      type: 'input',
      block_id: replyBlockId(draft.round),
      label: plain(t(locale, 'staff.modal.resolve.text')),
      hint: plain(t(locale, 'staff.modal.resolve.placeholders', { decision: '{decision}', remedy: '{remedy}', amount: '{amount}' }), 2000),
      element: { type: 'plain_text_input', action_id: 'reply', multiline: true, max_length: INPUT_MAX, ...(draft.text ? { initial_value: truncate(draft.text, INPUT_MAX) } : {}) },
    },
  );
  const metadata: ModalMetadata = { claimId: claim.id, round: draft.round };
  return modal(locale, VIEWS.resolve, t(locale, 'staff.modal.resolve.title'), 'staff.modal.send', metadata, blocks);
}

/**
 * Assess…: customer of ours, within warranty (what the dates say, or yes / no with a reason),
 * justified at first sight, severity, and a head's reason to extend the promised due times (#24).
 */
export function assessModal(ctx: RenderContext, claim: Claim, policy: ClaimsWorkPolicy): View {
  const { locale } = ctx;
  const current = claim.assessment;
  const answers = YES_NO_UNKNOWN.map((value) => option(assessmentLabels.answer(locale, value), value));
  const warranties = [
    option(t(locale, 'staff.modal.assess.warranty_derived', { value: assessmentLabels.answer(locale, derivedWarranty(claim, policy)) }), 'derived'),
    option(assessmentLabels.answer(locale, 'yes'), 'yes'),
    option(assessmentLabels.answer(locale, 'no'), 'no'),
  ];
  const justified = JUSTIFIED.map((value) => option(assessmentLabels.justified(locale, value), value));
  const severities = SEVERITIES.map((value) => option(assessmentLabels.severity(locale, value), value));
  const initial = (options: PlainTextOption[], value: string | undefined) => {
    const found = options.find((candidate) => candidate.value === value);
    return found ? { initial_option: found } : {};
  };
  const select = (block: string, label: string, options: PlainTextOption[], value: string | undefined): KnownBlock => ({
    type: 'input',
    block_id: block,
    label: plain(label),
    element: { type: 'static_select', action_id: block, options, ...initial(options, value) },
  });
  const text = (block: string, label: string, max: number, value: string | undefined, hint?: string): KnownBlock => ({
    type: 'input',
    block_id: block,
    optional: true,
    label: plain(label),
    ...(hint ? { hint: plain(hint, 2000) } : {}),
    element: { type: 'plain_text_input', action_id: block, multiline: false, max_length: max, ...(value ? { initial_value: value } : {}) },
  });
  return modal(locale, VIEWS.assess, t(locale, 'staff.modal.assess.title'), 'staff.modal.save', { claimId: claim.id }, [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
    select('customer', t(locale, 'staff.modal.assess.customer'), answers, current?.customer),
    select('warranty', t(locale, 'staff.modal.assess.warranty'), warranties, current?.warrantyReason !== undefined ? current.warranty : 'derived'),
    text('warranty_reason', t(locale, 'staff.modal.assess.warranty_reason'), 500, current?.warrantyReason),
    select('justified', t(locale, 'staff.modal.assess.justified'), justified, current?.justified),
    select('severity', t(locale, 'staff.modal.assess.severity'), severities, claim.severity),
    text('extend_reason', t(locale, 'staff.modal.assess.extend_reason'), 500, undefined, t(locale, 'staff.modal.assess.extend_hint')),
  ]);
}

/** The block ids of the investigation modal's why/because pair `index` (0–4). */
export const whyBlockId = (index: number) => `why.${String(index)}`;
export const becauseBlockId = (index: number) => `because.${String(index)}`;

/**
 * The investigation record (#24): the facts found, up to five why/because pairs, the cause
 * category from the desk's list and a one-line root cause, filled with what is recorded.
 */
export function investigationModal(ctx: RenderContext, claim: Claim, similar?: string): View {
  const { locale, desk } = ctx;
  const record = claim.investigation;
  const causes = desk.causeCategories.slice(0, 100).map((cause) => option(cause.label[locale], cause.id));
  const initialCause = causes.find((candidate) => candidate.value === record?.causeCategory);
  const input = (block: string, label: string, max: number, value: string | undefined, multiline = false): KnownBlock => ({
    type: 'input',
    block_id: block,
    optional: true,
    label: plain(label),
    element: { type: 'plain_text_input', action_id: block, multiline, max_length: max, ...(value ? { initial_value: truncate(value, max) } : {}) },
  });
  const pairs: KnownBlock[] = [];
  for (let index = 0; index < WHYS_MAX; index++) {
    const pair = record?.whys[index];
    pairs.push(
      input(whyBlockId(index), t(locale, 'staff.modal.investigation.why', { n: index + 1 }), WHY_MAX, pair?.why),
      input(becauseBlockId(index), t(locale, 'staff.modal.investigation.because', { n: index + 1 }), WHY_MAX, pair?.because),
    );
  }
  return modal(locale, VIEWS.recordInvestigation, t(locale, 'staff.modal.investigation.title'), 'staff.modal.save', { claimId: claim.id }, [
    section(t(locale, 'staff.card.title', { kind: kindLabel(locale, claim), number: claim.number })),
    // the similar earlier claims (#24), when there are any
    ...(similar ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(similar, 2900) }] } satisfies KnownBlock] : []),
    input('facts', t(locale, 'staff.modal.investigation.facts'), FACTS_MAX, record?.facts, true),
    { type: 'context', elements: [{ type: 'mrkdwn', text: t(locale, 'staff.modal.investigation.hint') }] },
    ...pairs,
    {
      type: 'input',
      block_id: 'cause',
      optional: true,
      label: plain(t(locale, 'staff.modal.investigation.cause')),
      element: { type: 'static_select', action_id: 'cause', options: causes, ...(initialCause ? { initial_option: initialCause } : {}) },
    },
    input('root_cause', t(locale, 'staff.modal.investigation.root_cause'), ROOT_CAUSE_MAX, record?.rootCause),
  ]);
}

// ---- customers ----

const COMMAND_MENTION = new RegExp(`(^|[\\s(«"])/(${COMMANDS.join('|')})\\b`, 'g');

/**
 * The dialogs' commands as a Slack user types them: `/status` → `/claimdesk status` (Slack keeps
 * a `/…` typed in a DM for its own slash commands).
 * @example slackCommands('Send /status any time') // 'Send /claimdesk status any time'
 */
export function slackCommands(text: string): string {
  return text.replace(COMMAND_MENTION, (_match, lead: string, command: string) => `${lead}${CUSTOMER_COMMAND} ${command}`);
}

/**
 * A dialog message for a customer in a Slack DM: the text as a section, the choices as buttons
 * (rows of five), and the notification text with the choices numbered, for clients without blocks
 * (the dialogs accept a typed number as well as a press).
 */
export function customerMessage(message: Outbound): SlackMessage {
  // plain_text sections: nothing in the text is read as formatting, a mention or a link
  const blocks: (KnownBlock | Block)[] = [];
  const body = message.text === '' ? ' ' : slackCommands(message.text);
  for (let start = 0; start < body.length; ) {
    let end = Math.min(start + SECTION_MAX, body.length);
    // never split a surrogate pair (an emoji) between two sections
    const code = body.charCodeAt(end - 1);
    if (end < body.length && code >= 0xd800 && code <= 0xdbff) end--;
    blocks.push({ type: 'section', text: { type: 'plain_text', text: body.slice(start, end), emoji: true } });
    start = end;
  }
  const choices = message.choices ?? [];
  for (let row = 0; row < choices.length; row += BUTTONS_PER_ROW) {
    blocks.push({
      type: 'actions',
      elements: choices.slice(row, row + BUTTONS_PER_ROW).map((choice, index) => button(choice.label, `${ACTIONS.choice}:${String(row + index)}`, choice.id)),
    });
  }
  const numbered = choices.map((choice, index) => `${String(index + 1)}. ${choice.label}`);
  const text = escapeMrkdwn([slackCommands(message.text), ...numbered].join('\n'));
  return { text: truncate(text, 40_000), blocks: blocks.slice(0, 50) };
}
