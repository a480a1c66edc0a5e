import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { isValidSlackRequest } from '@slack/bolt';

/** The largest request body accepted (Slack's payloads are far smaller). */
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface DeskReceiverOptions {
  readonly signingSecret: string;
  /** A request the app failed to handle (answered 500, so Slack retries an event). */
  readonly onError: (error: unknown) => void;
  /** Told about a redelivered event (its `X-Slack-Retry-Num`); ids only. */
  readonly onRetry?: (retryNum: number, reason: string | undefined) => void;
  readonly now?: () => number;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new BodyTooLarge('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined || body === '') {
    res.writeHead(status, { 'content-length': 0 });
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

/** The body Slack sent: JSON (events), `payload=<json>` (interactions) or form fields (commands). */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> | undefined {
  try {
    if (contentType?.startsWith('application/json')) {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    }
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) {
      const parsed: unknown = JSON.parse(payload);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    }
    return Object.fromEntries(form.entries());
  } catch {
    // malformed JSON from a client that signed it correctly: a 400, nothing else
    return undefined;
  }
}

/**
 * A Bolt receiver on the desk's own HTTP server (one port for health, Telegram and Slack).
 * It checks the signature on the raw body (a missing, wrong or over-5-minutes-old signature gets
 * 401 and nothing runs), answers Slack's URL verification, and runs the listeners to the end
 * before answering (`processBeforeResponse`): 200 with whatever they acknowledged, or 500 when
 * they failed — Slack then delivers an event again, and the desk recognises the event it has
 * already recorded, so a retry is handled once.
 * @example
 * const receiver = new DeskReceiver({ signingSecret, onError });
 * const app = new App({ token, receiver });
 * http.route('POST', '/slack/events', receiver.handler());
 */
export class DeskReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly options: DeskReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** The HTTP server belongs to the desk; nothing to start or stop here. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** The route handler for `POST /slack/events`. */
  handler(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return async (req, res) => {
      let raw: string;
      try {
        raw = await readBody(req);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          answer(res, 413, { error: 'payload_too_large' });
          return;
        }
        throw error;
      }
      const signature = header(req, 'x-slack-signature');
      const timestamp = Number(header(req, 'x-slack-request-timestamp'));
      const signed =
        signature !== undefined &&
        Number.isFinite(timestamp) &&
        isValidSlackRequest({
          signingSecret: this.options.signingSecret,
          body: raw,
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
          nowMilliseconds: this.options.now?.() ?? Date.now(),
        });
      if (!signed) {
          answer(res, 401, { error: 'invalid_signature' });
          return;
        }

      const body = parseBody(raw, header(req, 'content-type'));
      if (!body) {
          answer(res, 400, { error: 'invalid_body' });
          return;
        }
      if (body.type === 'url_verification') {
          answer(res, 200, { challenge: body.challenge });
          return;
        }
      if (body.ssl_check !== undefined) {
          answer(res, 200);
          return;
        }

      const retryHeader = header(req, 'x-slack-retry-num');
      const retryNum = retryHeader !== undefined && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
      const retryReason = header(req, 'x-slack-retry-reason');
      if (retryNum !== undefined) this.options.onRetry?.(retryNum, retryReason);

      let acked = false;
      let response: unknown;
      const event: ReceiverEvent = {
        body,
        ...(retryNum !== undefined ? { retryNum } : {}),
        ...(retryReason !== undefined ? { retryReason } : {}),
        ack: (reply?: unknown) => {
          if (!acked) {
            acked = true;
            response = reply;
          }
          return Promise.resolve();
        },
      };
      const app = this.app;
      if (!app) {
          answer(res, 503, { error: 'not_ready' });
          return;
        }
      try {
        await app.processEvent(event);
      } catch (error) {
        this.options.onError(error);
        {
          answer(res, 500, { error: 'internal' });
          return;
        }
      }
      answer(res, 200, response);
    };
  }
}
