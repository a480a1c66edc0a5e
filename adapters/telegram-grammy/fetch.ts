import http from 'node:http';
import https from 'node:https';

/** What grammY's API client reads from a response: only its JSON body (see grammY's `ApiClient.call`). */
export interface BotApiResponse {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** The request grammY makes: POST with a JSON string body (or a form-data stream for uploads), its keep-alive agent and a signal. */
interface BotApiRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly agent?: unknown;
  readonly signal?: { readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void; removeEventListener(type: 'abort', listener: () => void): void } | null;
}

const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

function abortError(): Error {
  const error = new Error('the Bot API request was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * A lean `fetch` for grammY's API client (its `client.fetch` option). grammY's default on Node,
 * node-fetch 2, wraps every call in a WHATWG Request, Headers, a PassThrough stream and a Response:
 * on the intake benchmark that was ~0.15 ms of CPU per Bot API call, more than the HTTP request
 * itself. A Bot API call with a JSON body (every call the desk makes) goes here straight through
 * node:http(s) on grammY's own keep-alive agent; anything else (a file upload's form-data stream)
 * goes to Node's fetch. Connection errors reject with Node's error (its `code`, e.g. ECONNRESET),
 * which grammY wraps in its HttpError as it does node-fetch's; an abort (grammY's timeout, or the
 * caller's signal, e.g. stopping long polling) rejects with an AbortError.
 */
export function botApiFetch(url: string | URL, init: BotApiRequest = {}): Promise<BotApiResponse> {
  const { body, signal } = init;
  if (typeof body !== 'string') return globalThis.fetch(url, init as RequestInit);
  return new Promise<BotApiResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const target = typeof url === 'string' ? new URL(url) : url;
    const secure = target.protocol === 'https:';
    const agent = init.agent instanceof http.Agent ? init.agent : secure ? httpsAgent : httpAgent;
    const headers = { ...init.headers, 'content-length': String(Buffer.byteLength(body)) };
    const send = secure ? https.request : http.request;
    const onAbort = () => request.destroy(abortError());
    const request = send(target, { method: init.method ?? 'POST', headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      const text = new Promise<string>((done, fail) => {
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
        response.on('error', fail);
        // cut off before its end (the connection dropped, or the call was aborted)
        response.on('close', () => {
          if (!response.complete) fail(abortError());
        });
      });
      // a body nobody reads must not count as an unhandled rejection
      text.catch(() => undefined);
      text.finally(() => signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
      const status = response.statusCode ?? 0;
      resolve({
        ok: status >= 200 && status < 300,
        status,
        text: () => text,
        json: () => text.then((raw) => JSON.parse(raw) as unknown),
      });
    });
    signal?.addEventListener('abort', onAbort);
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    request.end(body);
  });
}
