/**
 * The web chat under test: a customer's side of the HTTP API (a session token, messages, button
 * presses, uploads, the transcript) and a reader of the live event stream, as the page uses them.
 *
 *   const anna = await ChatClient.open(app.url, 'en');
 *   await anna.say('/start');
 *   await app.idle();
 *   (await anna.transcript()).at(-1)?.text
 */
import { randomBytes } from 'node:crypto';
import { eventually } from './fixtures.js';
import { t } from '../../src/i18n/index.js';

/** A transcript entry as the API returns it. */
export interface ChatEntry {
  readonly seq: number;
  readonly at: string;
  readonly from: 'customer' | 'desk';
  readonly text: string;
  readonly choices?: readonly { readonly id: string; readonly label: string; readonly lasting?: boolean }[];
  readonly expects?: string;
  readonly files?: readonly { readonly name?: string; readonly mimeType: string; readonly sizeBytes: number }[];
  readonly clientId?: string;
}

/** A fresh client message id, as the page makes them. */
export function messageId(): string {
  return randomBytes(12).toString('base64url');
}

/** One customer of the web chat, talking to the API the way the page does. */
export class ChatClient {
  private constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  /** Starts an anonymous chat (POST /chat/api/session). */
  static async open(baseUrl: string, languageCode = 'en'): Promise<ChatClient> {
    const res = await fetch(`${baseUrl}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ languageCode }) });
    if (res.status !== 201) throw new Error(`session: ${String(res.status)}`);
    const { token } = (await res.json()) as { token: string };
    return new ChatClient(baseUrl, token);
  }

  /** A client for a token made elsewhere (e.g. through the store, as the server makes one). */
  static of(baseUrl: string, token: string): ChatClient {
    return new ChatClient(baseUrl, token);
  }

  /** A client with another token (a forged or stolen one). */
  withToken(token: string): ChatClient {
    return new ChatClient(this.baseUrl, token);
  }

  get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  /** Posts JSON (or any body) to a chat API path with this client's token. */
  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.baseUrl}/chat/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.auth, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Types a message (its id may be given, to retry it). */
  say(text: string, id = messageId()): Promise<Response> {
    return this.post('messages', { id, text });
  }

  /** Presses the button with this label on the latest desk message that has it. */
  async press(label: string, id = messageId()): Promise<Response> {
    const entries = await this.transcript();
    const choice = entries
      .filter((entry) => entry.from === 'desk')
      .flatMap((entry) => entry.choices ?? [])
      .filter((c) => c.label === label)
      .at(-1);
    if (!choice) throw new Error(`no button "${label}" in the transcript`);
    return this.post('messages', { id, choiceId: choice.id });
  }

  /** Uploads a file the way the page does: the raw bytes, its type, its URL-encoded name. */
  upload(bytes: Buffer, type: string, name: string, id = messageId(), headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.baseUrl}/chat/api/files`, {
      method: 'POST',
      headers: { 'content-type': type, 'x-file-name': encodeURIComponent(name), 'x-message-id': id, ...this.auth, ...headers },
      body: new Uint8Array(bytes),
    });
  }

  /** GET /chat/api/messages with a raw query string. */
  get(query = ''): Promise<Response> {
    return fetch(`${this.baseUrl}/chat/api/messages${query}`, { headers: this.auth });
  }

  /** The whole transcript (as after a reload). */
  async transcript(after = 0): Promise<ChatEntry[]> {
    const entries: ChatEntry[] = [];
    let from = after;
    for (;;) {
      const res = await this.get(`?after=${String(from)}`);
      if (res.status !== 200) throw new Error(`transcript: ${String(res.status)}`);
      const page = (await res.json()) as { messages: ChatEntry[]; more: boolean };
      entries.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.more || !last) return entries;
      from = last.seq;
    }
  }

  /** The desk's messages. */
  async deskTexts(): Promise<string[]> {
    return (await this.transcript()).filter((entry) => entry.from === 'desk').map((entry) => entry.text);
  }

  /** The latest desk message. */
  async lastDesk(): Promise<ChatEntry | undefined> {
    return (await this.transcript()).filter((entry) => entry.from === 'desk').at(-1);
  }

  /** Opens the live stream. */
  events(after?: number): Promise<EventStream> {
    return EventStream.open(`${this.baseUrl}/chat/api/events${after !== undefined ? `?after=${String(after)}` : ''}`, this.auth);
  }
}

/**
 * Plays the customer of the example desk from /start to the report's files step (where files are
 * taken), waiting for the desk's answers with `settled` after each message.
 */
export async function reachFilesStep(client: ChatClient, settled: () => Promise<void>): Promise<void> {
  const step = async (sent: Promise<Response>) => {
    const res = await sent;
    if (res.status !== 202) throw new Error(`expected 202, got ${String(res.status)}: ${await res.text()}`);
    await settled();
  };
  await step(client.post('messages', { id: messageId(), text: '/start', auto: true }));
  await step(client.press(t('en', 'kind.claim')));
  await step(client.press('Defective product'));
  await step(client.say('Kettle KT-200'));
  await step(client.press(t('en', 'button.skip')));
  await step(client.say('The kettle stopped heating after two days of use.'));
  // the privacy notice (#26) comes before the files question: agreed with its button
  const notice = await client.lastDesk();
  if (!notice?.text.includes(t('en', 'consent.notice'))) throw new Error(`expected the privacy notice, got: ${notice?.text ?? 'nothing'}`);
  await step(client.press(t('en', 'button.consent_agree')));
  const last = await client.lastDesk();
  if (last?.expects !== 'files') throw new Error(`expected the files step, got: ${last?.text ?? 'nothing'}`);
}

/** A reader of the live stream (Server-Sent Events over fetch, as the page reads it). */
export class EventStream {
  readonly entries: ChatEntry[] = [];
  readonly comments: string[] = [];
  /** The raw `retry:` and `id:` fields seen. */
  readonly ids: string[] = [];
  ended = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
    readonly done: Promise<void>,
  ) {}

  static async open(url: string, headers: Record<string, string>): Promise<EventStream> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const holder: { stream?: EventStream } = {};
    const done = (async () => {
      if (!response.ok || !response.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            holder.stream?.take(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      } finally {
        if (holder.stream) holder.stream.ended = true;
      }
    })();
    const stream = new EventStream(response, abort, done);
    holder.stream = stream;
    return stream;
  }

  get texts(): string[] {
    return this.entries.map((entry) => entry.text);
  }

  /** Waits until an entry satisfies `check`, and returns it. */
  async waitFor(check: (entry: ChatEntry) => boolean, timeoutMs = 8_000): Promise<ChatEntry> {
    await eventually(() => this.entries.some(check), timeoutMs);
    const found = this.entries.find(check);
    if (!found) throw new Error('unreachable');
    return found;
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.done.catch(() => undefined);
  }

  private take(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      else if (line.startsWith('id:')) this.ids.push(line.slice(3).trim());
    }
    if (event === 'message' && data.length > 0) this.entries.push(JSON.parse(data.join('\n')) as ChatEntry);
  }
}

/** File contents with the right signatures, and a program in disguise. */
export const SAMPLE_FILES = {
  jpeg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(2048)]),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(512)]),
  pdf: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  text: Buffer.from('Order ORD-5512, delivered on Monday.\nThe box was wet.\n'),
  /** A Windows program (MZ header) named photo.jpg. */
  exe: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from('PE\0\0'), randomBytes(1024)]),
  mp4: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.from([0, 0, 0, 0]), Buffer.from('mp42isom'), randomBytes(256)]),
  heic: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic'), randomBytes(256)]),
} as const;
