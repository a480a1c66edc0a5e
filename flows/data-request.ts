import { info, reply, type StepOutcome, type Turn } from './core.js';
import type { ConversationState } from './state.js';

/** The request id of `/mydata` within a turn. */
const DATA_REQUEST = 'data_request';

/**
 * `/mydata` (#26): the customer asks for the data the desk holds about them. The request is
 * registered (durably, once per message) and the customer is told it will be handled by staff;
 * nothing is sent to the chat automatically. The dialog in progress, if any, is left as it was.
 * @example requestData(state, turn) // { kind: 'need', request: { id: 'data_request', type: 'data_request' } }, then the reply
 */
export function requestData(state: ConversationState, turn: Turn): StepOutcome {
  const result = turn.results.get(DATA_REQUEST);
  if (!result) return { kind: 'need', request: { id: DATA_REQUEST, type: 'data_request' } };
  if (result.type !== 'data_requested' || result.requestId === undefined) return reply(state, [info(turn, 'privacy.request.unavailable')]);
  return reply(state, [info(turn, 'privacy.request.registered', { id: result.requestId })]);
}
