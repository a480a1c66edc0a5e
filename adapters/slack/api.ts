import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import type { Block, KnownBlock, View } from '@slack/types';

/** Blocks of a message or view. */
export type Blocks = readonly (KnownBlock | Block)[];

export interface SlackApiOptions {
  readonly token: string;
  /** The Web API base URL (SLACK_API_URL); default Slack's own. */
  readonly apiUrl?: string;
  /** The longest `Retry-After` waited for; a longer one fails the call (default 30 s). */
  readonly maxRateLimitWaitMs?: number;
  /** Calls made at most per request, rate-limit waits included (default 4). */
  readonly maxAttempts?: number;
}

/** A Web API error code such as `channel_not_found`, or undefined for other failures. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && error.code === ErrorCode.PlatformError) return (error as WebAPIPlatformError).data.error;
  return undefined;
}

/** A short name of a failure for the logs (never a payload). */
export function slackFailure(error: unknown): string {
  const code = slackErrorCode(error);
  if (code) return code;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

const isRateLimited = (error: unknown): error is WebAPIRateLimitedError =>
  error instanceof Error && 'code' in error && error.code === ErrorCode.RateLimitedError;

/** Slack's clients (the Web API client, Bolt) log payload fragments; the desk logs its own lines instead. */
export const quietSlackLogger: SlackLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Slack Web API methods the desk uses, over `@slack/web-api`. Rate limits (429 with
 * `Retry-After`) are waited out up to a cap; server errors are retried a little by the client.
 * @example
 * const api = new SlackApi({ token: 'xoxb-…', apiUrl: process.env.SLACK_API_URL });
 * const { ts } = await api.postMessage({ channel: 'C0123', text: 'hello' });
 */
export class SlackApi {
  readonly client: WebClient;
  private readonly maxWaitMs: number;
  private readonly maxAttempts: number;

  constructor(options: SlackApiOptions) {
    this.client = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      logger: quietSlackLogger,
      timeout: 15_000,
    });
    this.maxWaitMs = options.maxRateLimitWaitMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 4;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (!isRateLimited(error) || attempt >= this.maxAttempts || error.retryAfter * 1000 > this.maxWaitMs) throw error;
        await sleep(error.retryAfter * 1000);
      }
    }
  }

  /** Checks the token; the bot's user id, bot id and workspace. */
  async authTest(): Promise<{ userId: string; botId: string; teamId: string }> {
    const result = await this.call(() => this.client.auth.test());
    return { userId: result.user_id ?? '', botId: result.bot_id ?? '', teamId: result.team_id ?? '' };
  }

  /** Posts a message; returns its channel and ts. */
  async postMessage(message: { channel: string; text: string; blocks?: Blocks; threadTs?: string }): Promise<{ channel: string; ts: string }> {
    const result = await this.call(() =>
      this.client.chat.postMessage({
        channel: message.channel,
        text: message.text,
        ...(message.blocks ? { blocks: [...message.blocks] } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return { channel: result.channel ?? message.channel, ts: result.ts ?? '' };
  }

  async updateMessage(message: { channel: string; ts: string; text: string; blocks: Blocks }): Promise<void> {
    await this.call(() => this.client.chat.update({ channel: message.channel, ts: message.ts, text: message.text, blocks: [...message.blocks] }));
  }

  async postEphemeral(message: { channel: string; user: string; text: string; blocks?: Blocks }): Promise<void> {
    await this.call(() =>
      this.client.chat.postEphemeral({ channel: message.channel, user: message.user, text: message.text, ...(message.blocks ? { blocks: [...message.blocks] } : {}) }),
    );
  }

  /**
   * Uploads a file and shares it in a channel (a thread when `threadTs` is given), through
   * `files.uploadV2`: files.getUploadURLExternal, the bytes posted to the URL it gives, then
   * files.completeUploadExternal. Needs the `files:write` scope. Slack types the file by its name.
   */
  async uploadFile(file: { channel: string; threadTs?: string; name: string; bytes: Buffer }): Promise<void> {
    const upload = { channel_id: file.channel, file: file.bytes, filename: file.name };
    await this.call(() => this.client.files.uploadV2(file.threadTs ? { ...upload, thread_ts: file.threadTs } : upload));
  }

  /** The direct-message channel with a user. */
  async openDm(userId: string): Promise<string> {
    const result = await this.call(() => this.client.conversations.open({ users: userId }));
    const id = result.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    return id;
  }

  async permalink(channel: string, ts: string): Promise<string | undefined> {
    const result = await this.call(() => this.client.chat.getPermalink({ channel, message_ts: ts }));
    return result.permalink;
  }

  async openView(triggerId: string, view: View): Promise<void> {
    await this.call(() => this.client.views.open({ trigger_id: triggerId, view }));
  }

  async updateView(viewId: string, view: View): Promise<void> {
    await this.call(() => this.client.views.update({ view_id: viewId, view }));
  }

  /** A user's name and locale (for a customer's first message). */
  async userInfo(userId: string): Promise<{ name?: string; locale?: string }> {
    const result = await this.call(() => this.client.users.info({ user: userId, include_locale: true }));
    const name = result.user?.profile?.real_name ?? result.user?.real_name ?? result.user?.name;
    return { ...(name ? { name } : {}), ...(result.user?.locale ? { locale: result.user.locale } : {}) };
  }
}
