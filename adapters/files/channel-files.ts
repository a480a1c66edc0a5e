import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Attachment } from '../../src/domain/claim.js';

/** The most bytes the desk fetches of one channel file for staff (Telegram's own bot download limit). */
export const CHANNEL_FILE_MAX_BYTES = 20 * 1024 * 1024;

/** A channel's file, fetched on demand: its bytes as they arrive, never stored. */
export interface FetchedFile {
  /** The size the channel says (the stream is cut at the limit whatever it says). */
  readonly size: number | undefined;
  readonly stream: Readable;
}

/** What fetching a file came to: the file, or why there is none. */
export type FileFetch = { readonly ok: true; readonly file: FetchedFile } | { readonly ok: false; readonly reason: 'gone' | 'too_big' };

/** Thrown when the channel could not be asked (down, unreachable, refusing the token): try again later. */
export class ChannelUnavailable extends Error {
  constructor(readonly channel: string, readonly code: string) {
    super(`${channel} file fetch failed: ${code}`);
    this.name = 'ChannelUnavailable';
  }
}

/** Fetches a claim's file from the channel it came by (Telegram's Bot API, Slack's Web API). */
export interface ChannelFiles {
  fetch(attachment: Attachment): Promise<FileFetch>;
}

/** How long a file's first byte may take (the channel's API and its file server). */
const FETCH_TIMEOUT_MS = 30_000;

/** A `fetch` that turns a network failure or timeout into {@link ChannelUnavailable}. */
export async function request(channel: string, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new ChannelUnavailable(channel, error instanceof Error ? error.name : 'network');
  }
}

/**
 * A download's body as a node stream cut at `maxBytes`: a file over the limit is answered
 * `too_big` when its length says so up front, and ends in an error when it grows past it.
 */
export function limitedBody(res: Response, maxBytes: number): FileFetch {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    void res.body?.cancel();
    return { ok: false, reason: 'too_big' };
  }
  if (!res.body) return { ok: true, file: { size: 0, stream: Readable.from([]) } };
  const source = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  let seen = 0;
  // counts what passes (and holds it while nobody reads: the caller records the download first)
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new Error('file over the size limit'));
      else done(null, chunk);
    },
  });
  source.on('error', (error) => limited.destroy(error));
  limited.on('close', () => source.destroy());
  source.pipe(limited);
  return { ok: true, file: { size: Number.isFinite(declared) ? declared : undefined, stream: limited } };
}

/**
 * Telegram's files: `getFile` for the file's path (a file id Telegram no longer knows, or one past
 * its 20 MB bot limit, is answered as such), then the download from `<apiRoot>/file/bot<token>/<path>`.
 * @example const files = telegramFiles({ token, apiRoot: 'https://api.telegram.org' }); await files.fetch(attachment)
 */
export function telegramFiles(options: { readonly token: string; readonly apiRoot?: string; readonly maxBytes?: number }): ChannelFiles {
  const root = (options.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const maxBytes = options.maxBytes ?? CHANNEL_FILE_MAX_BYTES;
  return {
    async fetch(attachment) {
      const res = await request('telegram', `${root}/bot${options.token}/getFile`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file_id: attachment.fileId }) });
      const answer = (await res.json().catch(() => ({}))) as { ok?: boolean; error_code?: number; description?: string; result?: { file_path?: string; file_size?: number } };
      if (!answer.ok) {
        if (answer.error_code === 400 && /too big/i.test(answer.description ?? '')) return { ok: false, reason: 'too_big' };
        if (answer.error_code === 400 || answer.error_code === 404) return { ok: false, reason: 'gone' };
        throw new ChannelUnavailable('telegram', `getFile ${String(answer.error_code ?? res.status)}`);
      }
      const path = answer.result?.file_path;
      if (!path) return { ok: false, reason: 'gone' };
      if ((answer.result?.file_size ?? 0) > maxBytes) return { ok: false, reason: 'too_big' };
      const download = await request('telegram', `${root}/file/bot${options.token}/${path.split('/').map(encodeURIComponent).join('/')}`);
      if (download.status === 404) return { ok: false, reason: 'gone' };
      if (!download.ok) throw new ChannelUnavailable('telegram', `download ${String(download.status)}`);
      return limitedBody(download, maxBytes);
    },
  };
}

/**
 * Slack's files: `files.info` for the file's private URL (a deleted or unknown file is answered as
 * gone), then the download from that URL with the bot token, as Slack requires.
 * @example const files = slackFiles({ token: 'xoxb-…' }); await files.fetch(attachment)
 */
export function slackFiles(options: { readonly token: string; readonly apiUrl?: string; readonly maxBytes?: number }): ChannelFiles {
  const apiUrl = (options.apiUrl ?? 'https://slack.com/api/').replace(/\/*$/, '/');
  const maxBytes = options.maxBytes ?? CHANNEL_FILE_MAX_BYTES;
  const auth = { authorization: `Bearer ${options.token}` };
  return {
    async fetch(attachment) {
      const res = await request('slack', `${apiUrl}files.info`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ file: attachment.fileId }).toString() });
      if (!res.ok) throw new ChannelUnavailable('slack', `files.info ${String(res.status)}`);
      const answer = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; file?: { url_private_download?: string; url_private?: string; size?: number } };
      if (!answer.ok) {
        if (answer.error === 'file_not_found' || answer.error === 'file_deleted') return { ok: false, reason: 'gone' };
        throw new ChannelUnavailable('slack', `files.info ${answer.error ?? 'error'}`);
      }
      const url = answer.file?.url_private_download ?? answer.file?.url_private;
      if (!url) return { ok: false, reason: 'gone' };
      // the bot token goes only to Slack's file host (or the API's own origin: a self-hosted or test server)
      if (!isSlackFileUrl(url, apiUrl)) throw new ChannelUnavailable('slack', 'unexpected file host');
      if ((answer.file?.size ?? 0) > maxBytes) return { ok: false, reason: 'too_big' };
      const download = await request('slack', url, { headers: auth });
      if (download.status === 404) return { ok: false, reason: 'gone' };
      if (!download.ok) throw new ChannelUnavailable('slack', `download ${String(download.status)}`);
      return limitedBody(download, maxBytes);
    },
  };
}

/** Whether a file URL Slack gave is one the bot token may be sent to: https on files.slack.com, or the API's own origin. */
function isSlackFileUrl(url: string, apiUrl: string): boolean {
  try {
    const target = new URL(url);
    return (target.protocol === 'https:' && target.hostname === 'files.slack.com') || target.origin === new URL(apiUrl).origin;
  } catch {
    // new URL throws a TypeError exactly for a malformed URL
    return false;
  }
}

/** The channels' tokens and API addresses as the environment gives them (src/config.ts). */
export interface ChannelFileSettings {
  readonly TELEGRAM_BOT_TOKEN?: string | undefined;
  readonly TELEGRAM_API_ROOT?: string | undefined;
  readonly SLACK_BOT_TOKEN?: string | undefined;
  readonly SLACK_API_URL?: string | undefined;
}

/**
 * The file fetchers of the channels the desk runs: Telegram's when its bot token is set, Slack's
 * when its bot token is.
 * @example startConsole({ …, channelFiles: channelFilesOf(env) })
 */
export function channelFilesOf(env: ChannelFileSettings): { readonly telegram?: ChannelFiles; readonly slack?: ChannelFiles } {
  return {
    ...(env.TELEGRAM_BOT_TOKEN ? { telegram: telegramFiles({ token: env.TELEGRAM_BOT_TOKEN, ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}) }) } : {}),
    ...(env.SLACK_BOT_TOKEN ? { slack: slackFiles({ token: env.SLACK_BOT_TOKEN, ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}) }) } : {}),
  };
}
