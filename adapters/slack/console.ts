import type { App, BlockAction, ButtonAction, StaticSelectAction, ViewOutput, ViewStateValue } from '@slack/bolt';
import { z } from 'zod';
import { Remedy } from '../../src/domain/claim.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { RejectionReason, type Claim, type Decision } from '../../src/domain/lifecycle.js';
import type { Locale } from '../../src/domain/locale.js';
import { parseClaimNumber } from '../../src/domain/numbering.js';
import { assignableStaff, type StaffAction } from '../../src/domain/staff.js';
import { t } from '../../src/i18n/index.js';
import type { SlackIdentity, StaffDesk, StaffRequest, StaffResult } from '../../src/staff-desk.js';
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
  const refusalText = (locale: Locale, result: Extract<StaffResult, { ok: false }>) =>
    t(locale, `staff.refused.${result.reason}`, { status: result.claim ? t(locale, `staff.status.${result.claim.status}`) : '' });

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

  /** Runs a request from a modal; a refusal is shown on the form, next to `block`. */
  const submit = (callbackId: string, firstBlock: string, read: (view: ViewOutput, locale: Locale) => StaffRequest | { errors: Record<string, string> }) => {
    app.view(callbackId, async ({ ack, body, view }) => {
      const who: SlackIdentity = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
      const locale = localeOf(who);
      const metadata = metadataOf(view);
      if (!metadata) {
        await ack({ response_action: 'errors', errors: { [firstBlock]: t(locale, 'staff.refused.not_found') } });
        return;
      }
      const request = read(view, locale);
      if ('errors' in request) {
        await ack({ response_action: 'errors', errors: request.errors });
        return;
      }
      const result = await staff.act(who, metadata.claimId, request);
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: { [firstBlock]: refusalText(locale, result) } });
        if (result.claim) options.refresh(result.claim.id);
        return;
      }
      await ack();
    });
  };

  submit(VIEWS.assign, 'assignee', (view, locale) => {
    const assigneeId = optionOf(field(view, 'assignee', 'assignee'));
    return assigneeId ? { action: 'assign', assigneeId } : { errors: { assignee: t(locale, 'staff.modal.required') } };
  });
  submit(VIEWS.requestInfo, 'question', (view, locale) => {
    const question = textOf(field(view, 'question', 'question'));
    return question ? { action: 'request_info', question } : { errors: { question: t(locale, 'staff.modal.required') } };
  });
  submit(VIEWS.reopen, 'reason', (view, locale) => {
    const reason = textOf(field(view, 'reason', 'reason'));
    return reason ? { action: 'reopen', reason } : { errors: { reason: t(locale, 'staff.modal.required') } };
  });
  submit(VIEWS.resolve, 'outcome', (view, locale) => {
    const metadata = metadataOf(view);
    const replyBlock = replyBlockId(metadata?.round ?? 0);
    const responseText = textOf(field(view, replyBlock, 'reply'));
    const outcome = optionOf(field(view, 'outcome', 'outcome'));
    const errors: Record<string, string> = {};
    if (!responseText) errors[replyBlock] = t(locale, 'staff.modal.required');
    if (outcome !== 'accepted' && outcome !== 'rejected') errors.outcome = t(locale, 'staff.modal.required');
    let decision: Decision | undefined;
    if (outcome === 'accepted') {
      const remedy = Remedy.safeParse(optionOf(field(view, 'remedy', 'remedy')));
      if (!remedy.success) errors.remedy = t(locale, 'staff.modal.resolve.need_remedy');
      else decision = { outcome, remedy: remedy.data, responseText };
    } else if (outcome === 'rejected') {
      const reason = RejectionReason.safeParse(optionOf(field(view, 'reason', 'reason')));
      if (!reason.success) errors.reason = t(locale, 'staff.modal.resolve.need_reason');
      else decision = { outcome, reason: reason.data, responseText };
    }
    if (Object.keys(errors).length > 0 || !decision) return { errors };
    return { action: 'resolve', decision };
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
    await ack({ response_type: 'ephemeral', ...claimCard(ctxFor(who), result.claim) });
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
