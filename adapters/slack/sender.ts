import type { ConversationReference } from '../../src/domain/claim.js';
import { fileBytesOf, RecipientUnreachableError, sendParts, type MessageSender, type SendOptions } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';
import { slackErrorCode, type SlackApi } from './api.js';
import { customerMessage } from './render.js';
import { downloadName } from '../web/chat/files.js';

/** Web API errors after which messages to this chat can never go through. */
const PERMANENT = new Set(['channel_not_found', 'is_archived', 'account_inactive', 'user_disabled', 'user_not_found', 'cannot_dm_bot', 'not_in_channel']);

/**
 * Sends dialog messages to customers in Slack DMs: the text, then each of the message's files
 * uploaded into the same DM (and thread), named with their type's extension. A permanently refused
 * chat (deleted, the account deactivated) becomes RecipientUnreachableError; anything else is
 * thrown as is, so the runner keeps the replies and sends them later. The files' bytes are taken
 * first: a message missing one throws before the customer gets any of it.
 * @example runner.setSender('slack', new SlackSender(api));
 */
export class SlackSender implements MessageSender {
  constructor(private readonly api: SlackApi) {}

  async send(to: ConversationReference, message: Outbound, options: SendOptions = {}): Promise<void> {
    const files = (message.files ?? []).map((file) => ({ name: downloadName(file.name, file.mimeType), bytes: fileBytesOf(options, file) }));
    const rendered = customerMessage(message);
    const thread = to.threadId ? { threadTs: to.threadId } : {};
    // the text, then the files; the parts an earlier try sent are skipped
    const parts = [() => this.api.postMessage({ channel: to.chatId, text: rendered.text, blocks: rendered.blocks, ...thread }), ...files.map((file) => () => this.api.uploadFile({ channel: to.chatId, ...thread, ...file }))];
    await sendParts(parts, refusedPermanently, options);
  }
}

/** Runs a Web API call; a permanent refusal of the chat becomes RecipientUnreachableError, anything else is thrown as is. */
async function refusedPermanently(request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code !== undefined && PERMANENT.has(code)) throw new RecipientUnreachableError(`Slack refuses messages to this chat (${code})`);
    throw error;
  }
}
