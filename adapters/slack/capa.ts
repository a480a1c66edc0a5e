import type { App } from '@slack/bolt';
import type { ActionAlertSender, CapaDesk } from '../../src/capa-desk.js';
import type { ActionEvent, CorrectiveAction } from '../../src/domain/capa.js';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import type { Locale } from '../../src/domain/locale.js';
import { t } from '../../src/i18n/index.js';
import type { StaffDesk } from '../../src/staff-desk.js';
import { isolate, labels } from '../staff-text.js';
import type { SlackApi } from './api.js';
import { escapeMrkdwn, notice } from './render.js';

/** The events of an action that are told to somebody by direct message (see actionRecipients). */
const ALERTED = new Set<ActionEvent['type']>(['assigned', 'due_soon', 'overdue', 'escalated', 'done', 'verification_failed']);

/** An action's alert as a member reads it, in their language. */
export function actionAlertText(desk: DeskConfig, locale: Locale, action: CorrectiveAction, event: ActionEvent): string | undefined {
  if (!ALERTED.has(event.type)) return undefined;
  const due = labels.when({ desk, locale }, action.dueAt);
  const description = isolate(escapeMrkdwn(action.description));
  return t(locale, `capa.alert.${event.type as 'assigned' | 'escalated'}`, { number: action.number, due, description, owner: escapeMrkdwn(labels.staffName(desk, action.ownerId)) });
}

/**
 * Sends an action's alerts as Slack direct messages; a member without a Slack id is skipped
 * (the console's notifications are for them).
 * @example scheduleCapaJobs(agenda, { capa, store, send: slackActionAlert(api, desk) });
 */
export function slackActionAlert(api: Pick<SlackApi, 'openDm' | 'postMessage'>, desk: DeskConfig): ActionAlertSender {
  return async (member: StaffMember, action: CorrectiveAction, event: ActionEvent) => {
    const text = actionAlertText(desk, member.locale, action, event);
    if (!text || !member.slack) return;
    const message = notice(text);
    await api.postMessage({ channel: await api.openDm(member.slack.userId), text: message.text, blocks: message.blocks });
  };
}

/**
 * `/capa mine`: the caller's open actions, soonest due first (overdue ones marked); anything else
 * shows the usage. Somebody not on the staff is told so.
 */
export function mountSlackCapa(app: App, desk: DeskConfig, staff: Pick<StaffDesk, 'identify'>, capa: Pick<CapaDesk, 'mine'>, now: () => Date = () => new Date()): void {
  app.command('/capa', async ({ ack, command }) => {
    const who = { teamId: command.team_id, userId: command.user_id };
    const locale = staff.identify(who)?.locale ?? desk.desk.defaultLocale;
    if (command.text.trim().toLowerCase() !== 'mine') {
      await ack({ response_type: 'ephemeral', ...notice(t(locale, 'capa.command.usage')) });
      return;
    }
    const mine = await capa.mine(who);
    if (!mine) {
      await ack({ response_type: 'ephemeral', ...notice(t(locale, 'staff.refused.not_staff')) });
      return;
    }
    if (mine.actions.length === 0) {
      await ack({ response_type: 'ephemeral', ...notice(t(locale, 'capa.mine.none')) });
      return;
    }
    const at = now();
    const lines = mine.actions.slice(0, 30).map((action) => {
      const line = t(locale, 'capa.mine.line', { number: action.number, kind: t(locale, `capa.kind.${action.kind}`), due: labels.when({ desk, locale }, action.dueAt), description: isolate(escapeMrkdwn(action.description.slice(0, 200))) });
      return action.dueAt.getTime() < at.getTime() ? `${line} — *${t(locale, 'capa.mine.overdue')}*` : line;
    });
    await ack({ response_type: 'ephemeral', ...notice([`*${t(locale, 'capa.mine.title', { count: mine.actions.length })}*`, ...lines].join('\n')) });
  });
}
