import { App as BoltApp } from '@slack/bolt';
import { ConfigError } from '../../src/config.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { DepartmentStats } from '../../src/domain/stats.js';
import type { ChannelHandle, ChannelReadiness, Router } from '../../src/http.js';
import type { Logger } from '../../src/log.js';
import type { StaffDesk } from '../../src/staff-desk.js';
import type { ConversationRunner } from '../../flows/runner.js';
import { quietSlackLogger, SlackApi, slackErrorCode, slackFailure } from './api.js';
import { mountSlackConsole } from './console.js';
import { mountSlackCapa, slackActionAlert } from './capa.js';
import type { ActionAlertSender, CapaDesk } from '../../src/capa-desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import type { SimilarFinding } from '../../src/similar-claims.js';
import type { AuditRecorder } from '../../src/domain/audit.js';
import { slackDigestPoster } from './digest.js';
import { DeskReceiver } from './receiver.js';
import { SlackSender } from './sender.js';
import { slackClaimErasure, slackDataRequestNotice, type SlackMessagesPort } from './privacy.js';
import type { DataRequestNotice } from '../../src/customer-data.js';
import { SlackClaimSync, type SlackPostPort, type SyncClaimsPort } from './sync.js';

/** Where Slack delivers events, interactions and slash commands in HTTP mode (under PUBLIC_URL). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackStartDeps {
  readonly config: { readonly botToken: string; readonly signingSecret?: string; readonly appToken?: string; readonly apiUrl?: string };
  readonly desk: DeskConfig;
  readonly posts: SlackPostPort & SlackMessagesPort;
  readonly claims: SyncClaimsPort;
  /** Subscribes to every claim change (the registry's onChange), so the post follows at once. */
  readonly onClaimChange: (listener: (claim: { readonly id: string }) => void) => void;
  readonly staff: StaffDesk;
  /** Corrective actions, for `/capa mine`. */
  readonly capa?: Pick<CapaDesk, 'mine'>;
  /** The similar earlier claims (#24), posted once in a new claim's thread. */
  readonly similar?: (claim: Claim) => Promise<readonly SimilarFinding[]>;
  readonly conversations: ConversationRunner;
  /** HTTP mode mounts SLACK_EVENTS_PATH here. */
  readonly router: Router;
  readonly log: Logger;
  /** The audit trail: `/claim` with unmasked personal data is recorded before it is answered. */
  readonly audit: AuditRecorder;
  /** The web console's address (PUBLIC_URL + `/console`), when known: claim cards link files there (#25). */
  readonly consoleUrl?: string;
}

/** The running Slack channel: the post sync (for the sweep job; drained by the caller after the server closes) and the digest poster. */
export interface SlackHandle extends ChannelHandle {
  readonly sync: SlackClaimSync;
  readonly postDigest: (department: string, numbers: DepartmentStats, since: Date) => Promise<boolean>;
  /** Corrective actions' alerts, as direct messages. */
  readonly actionAlert: ActionAlertSender;
  /** A claim's card and messages rewritten to the erased form (#26). */
  readonly eraseClaim: (claimId: string) => Promise<void>;
  /** Staff with `customer_data` told of a customer's `/mydata` request by direct message. */
  readonly dataRequestNotice: (request: DataRequestNotice) => Promise<boolean>;
}

/** A Web API call at start-up; a refused token becomes one clear configuration error. */
async function slackCall<T>(method: string, call: () => Promise<T>, field: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN' = 'SLACK_BOT_TOKEN'): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code) throw new ConfigError('SLACK_REFUSED', `config error: ${field}: Slack refused ${method} (${code})`, { cause: error });
    throw new Error(`slack: ${method} failed, the Web API cannot be reached (${slackFailure(error)}); check SLACK_API_URL and the network`, { cause: error });
  }
}

/**
 * Slack: checks the token (auth.test), then wires the staff console, the customers' direct
 * messages, the post sync (at once after every change; the sweep job catches what was missed)
 * and the transport — HTTP (signed requests at SLACK_EVENTS_PATH) or Socket Mode with an app token.
 * @example const slack = await startSlack({ config: { botToken, signingSecret }, desk, posts, claims, onClaimChange, staff, conversations, router: http, log });
 */
export async function startSlack(deps: SlackStartDeps): Promise<SlackHandle> {
  const { config, desk, log, staff, conversations } = deps;
  const api = new SlackApi({ token: config.botToken, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) });
  const identity = await slackCall('auth.test', () => api.authTest());
  const sync = new SlackClaimSync({
    ...(deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {}),
    desk,
    api,
    posts: deps.posts,
    claims: deps.claims,
    onError: (claimId, failure) => log.warn('slack', 'claim post not updated; the sweep will retry', { claimId, failure }),
    ...(deps.similar ? { similar: deps.similar } : {}),
  });
  deps.onClaimChange((claim) => sync.kick(claim.id));
  conversations.setSender('slack', new SlackSender(api));

  const bolt = {
    token: config.botToken,
    botId: identity.botId,
    botUserId: identity.userId,
    logger: quietSlackLogger,
    ...(config.apiUrl ? { clientOptions: { slackApiUrl: config.apiUrl } } : {}),
    // failures are answered by the receiver (500, so Slack retries) and logged by name there
    errorHandler: (error: Error) => Promise.reject(error),
  };
  const onError = (what: string, error: unknown) => log.warn('slack', `${what} failed`, { failure: slackFailure(error) });
  // ready while Slack accepts the token (one auth.test at a time, however many probes ask)
  let checking: Promise<ChannelReadiness> | undefined;
  const ready = () =>
    (checking ??= api
      .authTest()
      .then(
        (): ChannelReadiness => ({ channel: 'slack', ok: true }),
        (error: unknown): ChannelReadiness => ({ channel: 'slack', ok: false, detail: `auth.test failed (${slackFailure(error)})` }),
      )
      .finally(() => {
        checking = undefined;
      }));
  const handle = {
    sync,
    postDigest: slackDigestPoster(api, desk),
    actionAlert: slackActionAlert(api, desk),
    eraseClaim: slackClaimErasure({ desk, api, sync, posts: deps.posts }),
    dataRequestNotice: slackDataRequestNotice(api, desk),
    ready,
  };
  const mount = (app: BoltApp) => {
    mountSlackConsole({ app, api, desk, staff, audit: deps.audit, dialogs: conversations, threads: deps.posts, refresh: (claimId) => sync.kick(claimId), onError, ...(deps.similar ? { similar: deps.similar } : {}) });
    if (deps.capa) mountSlackCapa(app, desk, staff, deps.capa);
  };
  if (config.appToken) {
    // the Socket Mode client takes its Web API options (SLACK_API_URL) from installerOptions
    const app = new BoltApp({ ...bolt, appToken: config.appToken, socketMode: true, ...(config.apiUrl ? { installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } } } : {}) });
    mount(app);
    await slackCall('apps.connections.open', () => app.start(), 'SLACK_APP_TOKEN');
    log.info('slack', 'receiving events by Socket Mode', { team: identity.teamId });
    return { ...handle, stop: () => app.stop().then(() => undefined) };
  }
  const receiver = new DeskReceiver({
    signingSecret: config.signingSecret ?? '',
    onError: (error) => log.warn('slack', 'request failed; answered 500', { failure: slackFailure(error) }),
    onRetry: (retryNum, reason) => log.info('slack', 'Slack redelivered a request', { retryNum, reason }),
  });
  const app = new BoltApp({ ...bolt, receiver });
  mount(app);
  deps.router.route('POST', SLACK_EVENTS_PATH, receiver.handler());
  log.info('slack', 'receiving events by HTTP', { team: identity.teamId, path: SLACK_EVENTS_PATH });
  return { ...handle, stop: () => Promise.resolve() };
}
