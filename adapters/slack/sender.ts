import type { ConversationReference } from '../../src/domain/claim.js';
import { RecipientUnreachableError, type MessageSender } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';
import { slackErrorCode, type SlackApi } from './api.js';
import { customerMessage } from './render.js';

/** Web API errors after which messages to this chat can never go through. */
const PERMANENT = new Set(['channel_not_found', 'is_archived', 'account_inactive', 'user_disabled', 'user_not_found', 'cannot_dm_bot', 'not_in_channel']);

/**
 * Sends dialog messages to customers in Slack DMs. A permanently refused chat (deleted, the
 * account deactivated) becomes RecipientUnreachableError; anything else is thrown as is, so the
 * runner keeps the replies and sends them later.
 * @example runner.setSender('slack', new SlackSender(api));
 */
export class SlackSender implements MessageSender {
  constructor(private readonly api: SlackApi) {}

  async send(to: ConversationReference, message: Outbound): Promise<void> {
    const rendered = customerMessage(message);
    try {
      await this.api.postMessage({ channel: to.chatId, text: rendered.text, blocks: rendered.blocks, ...(to.threadId ? { threadTs: to.threadId } : {}) });
    } catch (error) {
      const code = slackErrorCode(error);
      if (code !== undefined && PERMANENT.has(code)) throw new RecipientUnreachableError(`Slack refuses messages to this chat (${code})`);
      throw error;
    }
  }
}
