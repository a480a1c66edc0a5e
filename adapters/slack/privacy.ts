import type { DeskConfig } from '../../src/domain/desk.js';
import { hasRight } from '../../src/domain/staff.js';
import type { DataRequestNotice } from '../../src/customer-data.js';
import { t } from '../../src/i18n/index.js';
import { slackErrorCode, type SlackApi } from './api.js';
import type { SlackClaimSync } from './sync.js';

/** The recorded messages about a claim besides its card (the SlackPostStore). */
export interface SlackMessagesPort {
  messagesOf(claimId: string): Promise<readonly { readonly channel: string; readonly ts: string }[]>;
  forgetMessage(claimId: string, channel: string, ts: string): Promise<void>;
}

/** Slack errors that mean the message is not there to rewrite any more. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'is_archived', 'cant_update_message']);

/**
 * A claim erased in Slack (#26): the card is updated in place from the erased claim (the post
 * sync renders it), then every thread line and alert posted about the claim is rewritten to a
 * short "erased" line through `chat.update`, each forgotten once rewritten (a rerun goes on from
 * the next). Throws when Slack fails or the claim's sync is busy: the erasure stays unfinished and
 * is resumed.
 * @example await slackClaimErasure({ desk, api, sync, posts })('665f…');
 */
export function slackClaimErasure(options: { readonly desk: DeskConfig; readonly api: SlackApi; readonly sync: Pick<SlackClaimSync, 'sync'>; readonly posts: SlackMessagesPort }): (claimId: string) => Promise<void> {
  const { desk, api, sync, posts } = options;
  return async (claimId) => {
    const outcome = await sync.sync(claimId);
    if (outcome === 'busy') throw new Error('the claim’s Slack post is being updated by another instance');
    const text = t(desk.desk.defaultLocale, 'privacy.slack.erased');
    for (const message of await posts.messagesOf(claimId)) {
      try {
        await api.updateMessage({ channel: message.channel, ts: message.ts, text, blocks: [] });
      } catch (error) {
        if (!GONE.has(slackErrorCode(error) ?? '')) throw error;
      }
      await posts.forgetMessage(claimId, message.channel, message.ts);
    }
  };
}

/**
 * Tells staff who handle customers' data requests (`customer_data`: quality, heads) of a new
 * `/mydata` request by direct message in their language: the request's id and channel only.
 * Returns whether anybody could be told.
 */
export function slackDataRequestNotice(api: SlackApi, desk: DeskConfig): (request: DataRequestNotice) => Promise<boolean> {
  return async (request) => {
    const members = desk.staff.filter((member) => member.slack && hasRight(member, 'customer_data'));
    for (const member of members) {
      if (!member.slack) continue;
      await api.postMessage({ channel: await api.openDm(member.slack.userId), text: t(member.locale, 'privacy.request.staff', { id: request.id, channel: request.channel }) });
    }
    return members.length > 0;
  };
}
