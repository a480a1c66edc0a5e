import type { App, BlockAction, ButtonAction, StaticSelectAction, ViewOutput, ViewStateValue } from '@slack/bolt';
import { z } from 'zod';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import type { Locale } from '../../src/domain/locale.js';
import { parseClaimNumber } from '../../src/domain/numbering.js';
import { assignableStaff, type StaffAction } from '../../src/domain/staff.js';
import { t } from '../../src/i18n/index.js';
import { fieldProblems, StaffRequest, type FieldProblem } from '../../src/domain/staff-request.js';
import type { SlackIdentity, StaffDesk } from '../../src/staff-desk.js';
import { refusalText } from '../staff-text.js';
import { claimsWorkPolicy } from '../../src/domain/assessment.js';
import { WHYS_MAX } from '../../src/domain/investigation.js';
import type { SimilarFinding } from '../../src/similar-claims.js';
import { similarThread } from './similar.js';
import type { AuditRecorder } from '../../src/domain/audit.js';
import { claimForViewer } from '../../src/domain/personal-data.js';
import type { Inbound } from '../../flows/types.js';
import type { SlackApi } from './api.js';
import { choiceToInbound, commandToInbound, CUSTOMER_COMMAND, dmToInbound, threadMessage, type SlackMessageEvent, type SlackProfile } from './inbound.js';
import {
  ACTIONS,
  VIEWS,
  assessModal,
  assignModal,
  becauseBlockId,
  claimCard,
  closeModal,
  fulfilModal,
  reviewDecisionModal,
  investigationModal,
  linkDuplicateModal,
  moveModal,
  whyBlockId,
  claimList,
  notice,
  reopenModal,
  replyBlockId,
  replyModal,
  requestInfoModal,
  resolveModal,
  templateReply,
  type ModalMetadata,
  type RenderContext,
} from './render.js';

/** Where customers' direct messages go (the ConversationRunner). */
export interface DialogPort {
  accept(input: Inbound): Promise<unknown>;
}

export interface SlackConsoleOptions {
  readonly app: App;
  readonly api: SlackApi;
  readonly desk: DeskConfig;
  readonly staff: StaffDesk;
  readonly dialogs: DialogPort;
  /** Which claim a thread belongs to: its parent message is the claim's card (the SlackPostStore). */
  readonly threads: { claimOfMessage(channel: string, ts: string): Promise<string | undefined> };
  /** Refreshes a claim's post at once (SlackClaimSync.kick). */
  readonly refresh: (claimId: string) => void;
  /** Failures, by code only. */
  readonly onError: (what: string, failure: unknown) => void;
  /** The audit trail: `/claim` showing a claim's personal data unmasked is recorded first. */
  readonly audit: AuditRecorder;
  /** The similar earlier claims (#24), shown in the investigation modal. */
  readonly similar?: (claim: Claim) => Promise<readonly SimilarFinding[]>;
}

/** How long the investigation modal waits for the similar claims (a trigger_id lives 3 s). */
const SIMILAR_WAIT_MS = 1_000;

const PROFILE_CACHE_MAX = 5_000;
const Metadata = z.object({ claimId: z.string().min(1).max(64), round: z.number().int().min(0).max(1000).optional(), draftId: z.string().min(1).max(64).optional() });

function metadataOf(view: ViewOutput): ModalMetadata | undefined {
  try {
    const parsed = Metadata.safeParse(JSON.parse(view.private_metadata));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // metadata we did not write: treat the view as unknown
    return undefined;
  }
}

function field(view: ViewOutput, block: string, action: string): ViewStateValue | undefined {
  return view.state.values[block]?.[action];
}

const textOf = (value: ViewStateValue | undefined) => value?.value?.trim() ?? '';
const optionOf = (value: ViewStateValue | undefined) => value?.selected_option?.value;

/** A modal's values as a request to check, and the block each of its fields sits in. */
interface ModalRequest {
  readonly values: Record<string, unknown>;
  readonly blocks: Readonly<Record<string, string>>;
}

/** Field problems as texts by block (a field with no block of its own is shown on the first). */
function problemTexts(locale: Locale, problems: Record<string, FieldProblem>, blocks: Readonly<Record<string, string>>, firstBlock: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [path, problem] of Object.entries(problems)) {
    const block = blocks[path] ?? firstBlock;
    if (errors[block]) continue;
    if (problem.problem === 'text_too_long') errors[block] = t(locale, 'staff.modal.text_too_long', { max: problem.max });
    else if (problem.problem === 'invalid_amount') errors[block] = t(locale, 'staff.modal.resolve.invalid_amount');
    else if (problem.problem === 'invalid_days') errors[block] = t(locale, 'staff.modal.resolve.invalid_days');
    else if (path === 'decision.remedy') errors[block] = t(locale, 'staff.modal.resolve.need_remedy');
    else if (path === 'decision.reason') errors[block] = t(locale, 'staff.modal.resolve.need_reason');
    else if (/^whys\.\d+\./.test(path)) errors[block] = t(locale, 'staff.modal.investigation.need_pair');
    else errors[block] = t(locale, 'staff.modal.required');
  }
  return errors;
}

/**
 * The Slack side of the desk, as Bolt listeners: staff buttons, modals and slash commands on
 * claims (through the StaffDesk, which holds the rules), and customers' direct messages and
 * button presses (through the dialogs). Translation only: no rule and no dialog lives here.
 * @example mountSlackConsole({ app, api, desk, staff, dialogs: runner, refresh: (id) => sync.kick(id), onError });
 */
export function mountSlackConsole(options: SlackConsoleOptions): void {
  const { app, api, desk, staff } = options;
  const profiles = new Map<string, SlackProfile>();

  const localeOf = (who: SlackIdentity): Locale => staff.identify(who)?.locale ?? desk.desk.defaultLocale;
  const ctxFor = (who: SlackIdentity): RenderContext => ({ desk, locale: localeOf(who) });

  /** A customer's name and language, asked of Slack once per user (a failure leaves them out). */
  const profileOf = async (userId: string): Promise<SlackProfile> => {
    const known = profiles.get(userId);
    if (known) return known;
    try {
      const profile = await api.userInfo(userId);
      if (profiles.size >= PROFILE_CACHE_MAX) profiles.clear();
      profiles.set(userId, profile);
      return profile;
    } catch (error) {
      options.onError('users.info', error);
      return {};
    }
  };

  const tellEphemeral = async (channel: string | undefined, who: SlackIdentity, text: string) => {
    if (!channel) return;
    try {
      await api.postEphemeral({ channel, user: who.userId, text, blocks: notice(text).blocks });
    } catch (error) {
      options.onError('chat.postEphemeral', error);
    }
  };

  const whoOf = (body: { team: { id: string } | null; user: { id: string; team_id?: string } }): SlackIdentity => ({
    teamId: body.team?.id ?? body.user.team_id ?? '',
    userId: body.user.id,
  });

  // ---- customers: direct messages and dialog buttons ----

  app.event('message', async ({ event, body }) => {
    const teamId = typeof body.team_id === 'string' ? body.team_id : '';
    const message = event as SlackMessageEvent & { readonly team?: string };
    if (message.channel_type !== 'im') {
      await threadNote(teamId, message);
      return;
    }
    if (!message.user) return;
    const inbound = dmToInbound(teamId, message, await profileOf(message.user));
    if (inbound) await options.dialogs.accept(inbound);
  });

  /**
   * A staff member's message in a claim's thread: an internal note, or with `reply:` a reply to the
   * customer, done as its author through the StaffDesk (the rules decide; a refusal is answered
   * ephemerally). Each message once: its channel and ts are the history event's id.
   */
  const threadNote = async (teamId: string, message: SlackMessageEvent & { readonly team?: string }) => {
    const thread = threadMessage(message);
    if (!thread) return;
    const claimId = await options.threads.claimOfMessage(thread.channel, thread.threadTs);
    if (!claimId) return;
    const who: SlackIdentity = { teamId: thread.teamId ?? teamId, userId: thread.userId };
    const parsed = StaffRequest.safeParse({ action: thread.kind, text: thread.text });
    if (!parsed.success) {
      await tellEphemeral(thread.channel, who, refusalText(localeOf(who), { reason: 'invalid_input' }));
      return;
    }
    const result = await staff.act(who, claimId, parsed.data, { eventId: `sl:${thread.channel}:${thread.ts}`, source: 'slack_thread' });
    if (!result.ok) await tellEphemeral(thread.channel, who, refusalText(localeOf(who), result));
  };

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ACTIONS.choice.replace('.', '\\.')}:\\d+$`), async ({ ack, body, action }) => {
    await ack();
    const who = whoOf(body);
    const channel = body.channel?.id;
    if (!channel) return;
    await options.dialogs.accept(choiceToInbound(who.teamId, channel, who.userId, action.action_ts, action.value ?? '', await profileOf(who.userId)));
  });

  // the dialogs' commands (/status, /cancel, /new…), which Slack does not let through as messages
  app.command(CUSTOMER_COMMAND, async ({ ack, command }) => {
    await ack();
    const dm = await api.openDm(command.user_id);
    await options.dialogs.accept(commandToInbound(command.team_id, dm, command.user_id, command.trigger_id, command.text, await profileOf(command.user_id)));
  });

  // ---- staff: buttons on the claim's post ----

  /** Checks the rules before a modal opens; a refusal is answered ephemerally (and recorded by the StaffDesk). */
  const openFor = (actionId: string, action: StaffAction, view: (ctx: RenderContext, claim: Claim) => Parameters<SlackApi['openView']>[1] | Promise<Parameters<SlackApi['openView']>[1]>) => {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action: pressed }) => {
      await ack();
      const who = whoOf(body);
      const result = await staff.check(who, pressed.value ?? '', action);
      if (!result.ok) {
        await tellEphemeral(body.channel?.id, who, refusalText(localeOf(who), result));
        if (result.claim) options.refresh(result.claim.id);
        return;
      }
      await api.openView(body.trigger_id, await view(ctxFor(who), result.claim));
    });
  };

  app.action<BlockAction<ButtonAction>>(ACTIONS.take, async ({ ack, body, action }) => {
    await ack();
    const who = whoOf(body);
    const result = await staff.act(who, action.value ?? '', { action: 'take' });
    if (!result.ok) {
      await tellEphemeral(body.channel?.id, who, refusalText(localeOf(who), result));
      if (result.claim) options.refresh(result.claim.id);
    }
  });
  openFor(ACTIONS.assign, 'assign', (ctx, claim) => assignModal(ctx, claim, assignableStaff(desk, claim.department)));
  openFor(ACTIONS.requestInfo, 'request_info', (ctx, claim) => requestInfoModal(ctx, claim));
  // an assessment "not justified" points to a rejection (src/domain/assessment.ts nextStep)
  openFor(ACTIONS.resolve, 'resolve', (ctx, claim) => resolveModal(ctx, claim, { round: 0, ...(claim.assessment?.justified === 'no' ? { outcome: 'rejected' as const } : {}) }));
  openFor(ACTIONS.reopen, 'reopen', (ctx, claim) => reopenModal(ctx, claim));
  // #24: the assessment, the investigation and its record
  const workPolicy = claimsWorkPolicy(desk);
  openFor(ACTIONS.assess, 'assess', (ctx, claim) => assessModal(ctx, claim, workPolicy));
  // "were there similar problems before?" (#24): the similar earlier claims above the record, if they come in time
  const similarFor = async (claim: Claim): Promise<readonly SimilarFinding[]> => {
    if (!options.similar) return [];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<readonly SimilarFinding[]>((resolve) => {
      timer = setTimeout(() => resolve([]), SIMILAR_WAIT_MS);
    });
    try {
      const found = options.similar(claim).catch((error: unknown): readonly SimilarFinding[] => {
        options.onError('similar claims', error);
        return [];
      });
      return await Promise.race([found, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  openFor(ACTIONS.recordInvestigation, 'record_investigation', async (ctx, claim) => {
    const similar = await similarFor(claim);
    return investigationModal(ctx, claim, similar.length > 0 ? similarThread(desk, ctx.locale, similar).text : undefined);
  });
  app.action<BlockAction<ButtonAction>>(ACTIONS.investigate, async ({ ack, body, action }) => {
    await ack();
    const who = whoOf(body);
    const result = await staff.act(who, action.value ?? '', { action: 'investigate' });
    if (!result.ok) {
      await tellEphemeral(body.channel?.id, who, refusalText(localeOf(who), result));
      if (result.claim) options.refresh(result.claim.id);
    }
  });
  openFor(ACTIONS.reply, 'reply', (ctx, claim) => replyModal(ctx, claim));
  // #25: a head reviews a draft decision; the remedy carried out; staff close a resolved claim
  openFor(ACTIONS.reviewDecision, 'approve_decision', (ctx, claim) => reviewDecisionModal(ctx, claim));
  openFor(ACTIONS.fulfil, 'fulfil', (ctx, claim) => fulfilModal(ctx, claim));
  openFor(ACTIONS.close, 'close', (ctx, claim) => closeModal(ctx, claim));
  // #25: move to another department or category; close as a duplicate
  openFor(ACTIONS.move, 'move', (ctx, claim) => moveModal(ctx, claim));
  openFor(ACTIONS.linkDuplicate, 'link_duplicate', (ctx, claim) => linkDuplicateModal(ctx, claim));
  // a link button still reports its press
  app.action(ACTIONS.openPost, async ({ ack }) => {
    await ack();
  });

  // a template picked in the resolve modal fills the reply (in the customer's language)
  app.action<BlockAction<StaticSelectAction>>(ACTIONS.resolveTemplate, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    const metadata = view ? metadataOf(view) : undefined;
    if (!view || !metadata) return;
    const who = whoOf(body);
    const result = await staff.check(who, metadata.claimId, 'resolve');
    if (!result.ok) return;
    const reply = templateReply(ctxFor(who), result.claim, action.selected_option.value, result.member);
    if (!reply) return;
    const round = (metadata.round ?? 0) + 1;
    await api.updateView(view.id, resolveModal(ctxFor(who), result.claim, { outcome: reply.outcome, templateId: action.selected_option.value, text: reply.text, round }));
  });

  // ---- staff: modal submissions ----

  /**
   * Runs a request from a modal: the form's values are checked by the one StaffRequest schema
   * (src/domain/staff-request.ts), each problem shown next to its block; a refusal is shown on the
   * form, next to `firstBlock`.
   */
  const submit = (callbackId: string, firstBlock: string, read: (view: ViewOutput, metadata: ModalMetadata) => ModalRequest) => {
    app.view(callbackId, async ({ ack, body, view }) => {
      const who: SlackIdentity = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
      const locale = localeOf(who);
      const metadata = metadataOf(view);
      if (!metadata) {
        await ack({ response_action: 'errors', errors: { [firstBlock]: t(locale, 'staff.refused.not_found') } });
        return;
      }
      const { values, blocks } = read(view, metadata);
      const parsed = StaffRequest.safeParse(values);
      if (!parsed.success) {
        await ack({ response_action: 'errors', errors: problemTexts(locale, fieldProblems(parsed.error), blocks, firstBlock) });
        return;
      }
      const result = await staff.act(who, metadata.claimId, parsed.data);
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: { [firstBlock]: refusalText(locale, result) } });
        if (result.claim) options.refresh(result.claim.id);
        return;
      }
      await ack();
    });
  };

  submit(VIEWS.assign, 'assignee', (view) => ({
    values: { action: 'assign', assigneeId: optionOf(field(view, 'assignee', 'assignee')) },
    blocks: { assigneeId: 'assignee' },
  }));
  submit(VIEWS.requestInfo, 'question', (view) => ({
    values: { action: 'request_info', question: textOf(field(view, 'question', 'question')) },
    blocks: { question: 'question' },
  }));
  submit(VIEWS.reply, 'text', (view) => ({
    values: { action: 'reply', text: textOf(field(view, 'text', 'text')) },
    blocks: { text: 'text' },
  }));
  submit(VIEWS.move, 'reason', (view) => ({
    values: { action: 'move', category: optionOf(field(view, 'category', 'category')), department: optionOf(field(view, 'department', 'department')), reason: textOf(field(view, 'reason', 'reason')) },
    blocks: { category: 'category', department: 'department', reason: 'reason' },
  }));
  submit(VIEWS.linkDuplicate, 'original', (view) => {
    const note = textOf(field(view, 'note', 'note'));
    return { values: { action: 'link_duplicate', original: textOf(field(view, 'original', 'original')), ...(note !== '' ? { note } : {}) }, blocks: { original: 'original', note: 'note' } };
  });
  submit(VIEWS.reopen, 'reason', (view) => ({
    values: { action: 'reopen', reason: textOf(field(view, 'reason', 'reason')) },
    blocks: { reason: 'reason' },
  }));
  submit(VIEWS.resolve, 'outcome', (view, metadata) => {
    const replyBlock = replyBlockId(metadata.round ?? 0);
    const outcome = optionOf(field(view, 'outcome', 'outcome'));
    const responseText = textOf(field(view, replyBlock, 'reply'));
    const amount = textOf(field(view, 'amount', 'amount'));
    const days = textOf(field(view, 'days', 'days'));
    const detail =
      outcome === 'accepted' || outcome === 'partially_accepted'
        ? { remedy: optionOf(field(view, 'remedy', 'remedy')), ...(amount !== '' ? { amount } : {}), ...(days !== '' ? { fulfilmentDays: days } : {}) }
        : outcome === 'rejected'
          ? { reason: optionOf(field(view, 'reason', 'reason')) }
          : {};
    return {
      values: { action: 'resolve', decision: { outcome, responseText, ...detail } },
      blocks: { 'decision.outcome': 'outcome', 'decision.responseText': replyBlock, 'decision.remedy': 'remedy', 'decision.reason': 'reason', 'decision.amount': 'amount', 'decision.fulfilmentDays': 'days' },
    };
  });
  // #25: approve the draft, or return it with a note (a return without a note is shown on the note)
  submit(VIEWS.reviewDecision, 'verdict', (view, metadata) => {
    const verdict = optionOf(field(view, 'verdict', 'verdict'));
    const draftId = metadata.draftId ?? '';
    const values = verdict === 'approve' ? { action: 'approve_decision', draftId } : verdict === 'return' ? { action: 'return_decision', draftId, note: textOf(field(view, 'note', 'note')) } : {};
    return { values, blocks: { action: 'verdict', note: 'note' } };
  });
  submit(VIEWS.fulfil, 'note', (view) => {
    const note = textOf(field(view, 'note', 'note'));
    return { values: { action: 'fulfil', ...(note !== '' ? { note } : {}) }, blocks: { note: 'note' } };
  });
  submit(VIEWS.close, 'note', (view) => ({ values: { action: 'close', note: textOf(field(view, 'note', 'note')) }, blocks: { note: 'note' } }));

  submit(VIEWS.assess, 'customer', (view) => {
    const warranty = optionOf(field(view, 'warranty', 'warranty'));
    const extendReason = textOf(field(view, 'extend_reason', 'extend_reason'));
    return {
      values: {
        action: 'assess',
        customer: optionOf(field(view, 'customer', 'customer')),
        justified: optionOf(field(view, 'justified', 'justified')),
        severity: optionOf(field(view, 'severity', 'severity')),
        // "as the dates say" keeps no reason; yes or no overrides them and needs one
        ...(warranty === 'yes' || warranty === 'no' ? { warrantyOverride: { within: warranty, reason: textOf(field(view, 'warranty_reason', 'warranty_reason')) } } : {}),
        ...(extendReason !== '' ? { extendReason } : {}),
      },
      blocks: { customer: 'customer', justified: 'justified', severity: 'severity', 'warrantyOverride.within': 'warranty', 'warrantyOverride.reason': 'warranty_reason', extendReason: 'extend_reason' },
    };
  });
  submit(VIEWS.recordInvestigation, 'facts', (view) => {
    // a pair left empty on both sides is no pair; a half-filled one is shown on its empty side
    const whys: { why: string; because: string }[] = [];
    const blocks: Record<string, string> = { facts: 'facts', causeCategory: 'cause', rootCause: 'root_cause', whys: whyBlockId(0) };
    for (let index = 0; index < WHYS_MAX; index++) {
      const why = textOf(field(view, whyBlockId(index), whyBlockId(index)));
      const because = textOf(field(view, becauseBlockId(index), becauseBlockId(index)));
      if (why === '' && because === '') continue;
      blocks[`whys.${String(whys.length)}.why`] = whyBlockId(index);
      blocks[`whys.${String(whys.length)}.because`] = becauseBlockId(index);
      whys.push({ why, because });
    }
    const cause = optionOf(field(view, 'cause', 'cause'));
    return {
      values: {
        action: 'record_investigation',
        facts: textOf(field(view, 'facts', 'facts')),
        whys,
        ...(cause ? { causeCategory: cause } : {}),
        rootCause: textOf(field(view, 'root_cause', 'root_cause')),
      },
      blocks,
    };
  });

  // ---- staff: slash commands ----

  app.command('/claim', async ({ ack, command }) => {
    const who: SlackIdentity = { teamId: command.team_id, userId: command.user_id };
    const locale = localeOf(who);
    const number = parseClaimNumber(command.text);
    if (!number) {
      await ack({ response_type: 'ephemeral', ...notice(t(locale, 'staff.command.claim_usage')) });
      return;
    }
    const result = await staff.view(who, number);
    if (!result.ok) {
      const text = result.reason === 'not_found' ? t(locale, 'staff.command.not_found', { number }) : refusalText(locale, result);
      await ack({ response_type: 'ephemeral', ...notice(text) });
      return;
    }
    // the name, contact and files only for view_personal_data in the claim's department (#26); that view is recorded first
    const member = staff.identify(who);
    const shown = claimForViewer(member, result.claim);
    if (!shown.masked && member) await options.audit.record({ at: new Date(), kind: 'personal_data_viewed', channel: 'slack', staffId: member.id, claimId: result.claim.id, claimNumber: result.claim.number });
    await ack({ response_type: 'ephemeral', ...claimCard(ctxFor(who), shown.claim, { personal: shown }) });
  });

  app.command('/claims', async ({ ack, command }) => {
    const who: SlackIdentity = { teamId: command.team_id, userId: command.user_id };
    const locale = localeOf(who);
    if (command.text.trim().toLowerCase() !== 'mine') {
      await ack({ response_type: 'ephemeral', ...notice(t(locale, 'staff.command.claims_usage')) });
      return;
    }
    const mine = await staff.mine(who);
    if (!mine) {
      await ack({ response_type: 'ephemeral', ...notice(t(locale, 'staff.refused.not_staff')) });
      return;
    }
    await ack({ response_type: 'ephemeral', ...claimList(ctxFor(who), mine.claims) });
  });
}
