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
import type { AuditRecorder } from '../../src/domain/audit.js';
import { claimForViewer } from '../../src/domain/personal-data.js';
import type { Inbound } from '../../flows/types.js';
import type { SlackApi } from './api.js';
import { choiceToInbound, commandToInbound, CUSTOMER_COMMAND, dmToInbound, type SlackMessageEvent, type SlackProfile } from './inbound.js';
import {
  ACTIONS,
  VIEWS,
  assignModal,
  claimCard,
  claimList,
  notice,
  reopenModal,
  replyBlockId,
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
  /** Refreshes a claim's post at once (SlackClaimSync.kick). */
  readonly refresh: (claimId: string) => void;
  /** Failures, by code only. */
  readonly onError: (what: string, failure: unknown) => void;
  /** The audit trail: `/claim` showing a claim's personal data unmasked is recorded first. */
  readonly audit: AuditRecorder;
}

const PROFILE_CACHE_MAX = 5_000;
const Metadata = z.object({ claimId: z.string().min(1).max(64), round: z.number().int().min(0).max(1000).optional() });

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
    else if (path === 'decision.remedy') errors[block] = t(locale, 'staff.modal.resolve.need_remedy');
    else if (path === 'decision.reason') errors[block] = t(locale, 'staff.modal.resolve.need_reason');
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
    const message = event as SlackMessageEvent;
    if (message.channel_type !== 'im' || !message.user) return;
    const inbound = dmToInbound(teamId, message, await profileOf(message.user));
    if (inbound) await options.dialogs.accept(inbound);
  });

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
  const openFor = (actionId: string, action: StaffAction, view: (ctx: RenderContext, claim: Claim) => Parameters<SlackApi['openView']>[1]) => {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action: pressed }) => {
      await ack();
      const who = whoOf(body);
      const result = await staff.check(who, pressed.value ?? '', action);
      if (!result.ok) {
        await tellEphemeral(body.channel?.id, who, refusalText(localeOf(who), result));
        if (result.claim) options.refresh(result.claim.id);
        return;
      }
      await api.openView(body.trigger_id, view(ctxFor(who), result.claim));
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
  openFor(ACTIONS.resolve, 'resolve', (ctx, claim) => resolveModal(ctx, claim, { round: 0 }));
  openFor(ACTIONS.reopen, 'reopen', (ctx, claim) => reopenModal(ctx, claim));
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
    const reply = templateReply(ctxFor(who), result.claim, action.selected_option.value);
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
  submit(VIEWS.reopen, 'reason', (view) => ({
    values: { action: 'reopen', reason: textOf(field(view, 'reason', 'reason')) },
    blocks: { reason: 'reason' },
  }));
  submit(VIEWS.resolve, 'outcome', (view, metadata) => {
    const replyBlock = replyBlockId(metadata.round ?? 0);
    const outcome = optionOf(field(view, 'outcome', 'outcome'));
    const responseText = textOf(field(view, replyBlock, 'reply'));
    const detail = outcome === 'accepted' ? { remedy: optionOf(field(view, 'remedy', 'remedy')) } : outcome === 'rejected' ? { reason: optionOf(field(view, 'reason', 'reason')) } : {};
    return {
      values: { action: 'resolve', decision: { outcome, responseText, ...detail } },
      blocks: { 'decision.outcome': 'outcome', 'decision.responseText': replyBlock, 'decision.remedy': 'remedy', 'decision.reason': 'reason' },
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
