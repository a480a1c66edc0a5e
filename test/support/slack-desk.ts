/**
 * The desk with Slack under test: the real app (startApp) on a test database, its Web API client
 * pointed at a FakeSlack, and helpers that send correctly signed requests the way Slack does —
 * staff pressing buttons, submitting modals and typing slash commands, customers writing DMs.
 *
 *   const desk = await SlackDesk.start({ database });
 *   const res = await desk.press(IVAN, ACTIONS.take, claim.id);
 *   await desk.settled();           // the post sync finished
 *   desk.fake.messagesIn(QUALITY)   // what the channel shows
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startApp, SLACK_EVENTS_PATH, type App, type StartAppOptions } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { FakeSlack } from './slack-api.js';
import { CollectingChannel } from './chat.js';
import {
  blockActionsPayload,
  commandBody,
  dmMessageEvent,
  eventBody,
  interactionBody,
  sendSigned,
  TEST_SIGNING_SECRET,
  viewSubmissionPayload,
  type SignedResponse,
  type ViewStateValues,
  type EventFile,
} from './slack-requests.js';

/** The example desk's workspace and staff (config/desk.example.yaml). */
export const TEAM = 'T0EXAMPLE1';
export const OLGA = 'U0OLGA0001'; // operator, support
export const IVAN = 'U0IVAN0001'; // specialist, quality
export const MARIA = 'U0MARIA001'; // quality, every department
export const SERGEY = 'U0SERGEY01'; // head, every department (English)
export const STRANGER = 'U0STRANGER';
export const QUALITY = 'C0QUALITY01';
export const LOGISTICS = 'C0LOGISTIC1';
export const SUPPORT = 'C0SUPPORT01';
export const SLACK_TOKEN = 'xoxb-test-token';

export interface SlackDeskOptions {
  readonly database?: string;
  /** The database server (default the run's); e.g. a DatabaseRelay's uri. */
  readonly mongoUri?: string;
  /** Extra environment (e.g. another DESK_CONFIG). */
  readonly env?: Record<string, string>;
  readonly staffSync?: { readonly every?: string | number; readonly graceMs?: number; readonly retryAfterMs?: number };
  /** Senders for the other channels (Telegram customers' claims), e.g. a CollectingChannel. */
  readonly senders?: StartAppOptions['senders'];
  readonly notifications?: StartAppOptions['notifications'];
  readonly slaEvery?: StartAppOptions['slaEvery'];
  readonly surveyEvery?: StartAppOptions['surveyEvery'];
  readonly digestEvery?: StartAppOptions['digestEvery'];
}

export class SlackDesk {
  private constructor(
    readonly app: App,
    readonly fake: FakeSlack,
    readonly logLines: string[],
  ) {}

  static async start(options: SlackDeskOptions = {}): Promise<SlackDesk> {
    const fake = await FakeSlack.start({ token: SLACK_TOKEN, teamId: TEAM });
    const logLines: string[] = [];
    const database = options.database ?? `slack_${randomBytes(5).toString('hex')}`;
    const app = await startApp({
      env: {
        MONGODB_URI: `${options.mongoUri ?? inject('mongoUri')}${database}?serverSelectionTimeoutMS=800`,
        PORT: '0',
        HOST: '127.0.0.1',
        SLACK_BOT_TOKEN: SLACK_TOKEN,
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: fake.url,
        ...options.env,
      },
      log: createLogger('debug', (line) => logLines.push(line)),
      jobsEveryMs: 200,
      staffSync: options.staffSync ?? { every: '1 hour' },
      // Telegram customers' claims are told through a collecting stand-in unless a test brings its own
      senders: options.senders ?? { telegram: new CollectingChannel() },
      notifications: options.notifications ?? { sweepEvery: '1 hour' },
      slaEvery: options.slaEvery ?? '1 hour',
      surveyEvery: options.surveyEvery ?? '1 hour',
      digestEvery: options.digestEvery ?? false,
    });
    return new SlackDesk(app, fake, logLines);
  }

  get eventsUrl(): string {
    return `${this.app.url}${SLACK_EVENTS_PATH}`;
  }

  async stop(): Promise<void> {
    await this.app.db.dropDatabase();
    await this.app.stop();
    await this.fake.stop();
  }

  /** Waits until the kicked post syncs and the dialogs' replies are done. */
  async settled(): Promise<void> {
    // replies and syncs can start one another (a reply records, a change kicks a sync): settle twice
    for (let round = 0; round < 2; round++) {
      await this.app.idle();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** A staff member presses a claim button on the channel post. */
  press(userId: string, actionId: string, value: string, channel = QUALITY): Promise<SignedResponse> {
    const payload = blockActionsPayload({ teamId: TEAM, userId, channelId: channel, messageTs: '1700000000.000001', actionId, value, triggerId: `trigger-${userId}-${randomBytes(3).toString('hex')}` });
    return sendSigned(this.eventsUrl, interactionBody(payload));
  }

  /** Submits a modal with these values. */
  submit(userId: string, callbackId: string, privateMetadata: string, values: ViewStateValues): Promise<SignedResponse> {
    return sendSigned(this.eventsUrl, interactionBody(viewSubmissionPayload({ teamId: TEAM, userId, callbackId, privateMetadata, values })));
  }

  /** Picks an option of a select inside an open modal (a `block_actions` from the view). */
  pickInView(userId: string, view: { id: string; private_metadata: string; callback_id: string }, actionId: string, value: string): Promise<SignedResponse> {
    const payload = {
      type: 'block_actions',
      user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: TEAM },
      api_app_id: 'A0APP00001',
      token: 'x',
      container: { type: 'view', view_id: view.id },
      trigger_id: `trigger-${randomBytes(3).toString('hex')}`,
      team: { id: TEAM, domain: 'fake' },
      is_enterprise_install: false,
      view: { ...view, type: 'modal', team_id: TEAM, state: { values: {} }, hash: 'h', app_id: 'A0APP00001', bot_id: 'B0BOT00001', blocks: [] },
      actions: [{ type: 'static_select', action_id: actionId, block_id: 'template', selected_option: { text: { type: 'plain_text', text: value }, value }, action_ts: (Date.now() / 1000).toFixed(6) }],
    };
    return sendSigned(this.eventsUrl, interactionBody(payload));
  }

  /** A slash command; its answer is in the HTTP response. */
  command(userId: string, command: string, text: string, channel = QUALITY): Promise<SignedResponse> {
    return sendSigned(this.eventsUrl, commandBody({ teamId: TEAM, userId, channelId: channel, command, text }));
  }

  /** A direct message from a customer to the app. */
  dm(userId: string, text: string, options: { files?: EventFile[]; eventId?: string; ts?: string; headers?: Record<string, string> } = {}): Promise<SignedResponse> {
    const ts = options.ts ?? this.fake.nextTs();
    const event = dmMessageEvent({ teamId: TEAM, userId, channel: this.fake.dmChannelFor(userId), text, ts, ...(options.files ? { files: options.files } : {}) });
    return sendSigned(this.eventsUrl, { ...eventBody({ teamId: TEAM, eventId: options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`, event }), ...(options.headers ? { headers: options.headers } : {}) });
  }

  /**
   * A message written by a person in a thread of a channel (a claim's thread when `threadTs` is its
   * post); `extra` adds or replaces event fields (a `subtype`, a `bot_id`).
   */
  threadMessage(userId: string, threadTs: string, text: string, options: { channel?: string; eventId?: string; ts?: string; extra?: Record<string, unknown> } = {}): Promise<SignedResponse> {
    const ts = options.ts ?? this.fake.nextTs();
    const event = { ...dmMessageEvent({ teamId: TEAM, userId, channel: options.channel ?? QUALITY, text, ts, threadTs }), channel_type: 'channel', ...options.extra };
    return sendSigned(this.eventsUrl, eventBody({ teamId: TEAM, eventId: options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`, event }));
  }

  /** The bot's messages in a user's DM with the app. */
  dmMessages(userId: string) {
    return this.fake.messagesIn(this.fake.dmChannelFor(userId));
  }

  /** A customer presses a dialog button (its choice id) in the DM. */
  choose(userId: string, choiceId: string): Promise<SignedResponse> {
    const payload = blockActionsPayload({ teamId: TEAM, userId, channelId: this.fake.dmChannelFor(userId), messageTs: '1700000000.000002', actionId: 'flow.choice:0', value: choiceId });
    return sendSigned(this.eventsUrl, interactionBody(payload));
  }
}
