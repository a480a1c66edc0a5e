/**
 * The desk with its web console under test: the real app (startApp) on a test database, and a
 * staff member's browser session as a cookie.
 *
 *   const desk = await ConsoleDesk.start();
 *   const olga = await desk.signIn('olga');
 *   const res = await olga.post(`/console/api/claims/${number}/actions`, { action: 'take' });
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { projectRoot } from '../../src/store/local/paths.js';
import { inject } from 'vitest';
import { startApp, EXAMPLE_CONSOLE_PASSWORD, type App, type StartAppOptions } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { CollectingChannel } from './chat.js';

/** A made-up client address (the desk under test trusts one proxy: TRUST_PROXY=1). */
function someAddress(): string {
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  return `10.${String(a)}.${String(b)}.${String(c)}`;
}

/**
 * A signed-in (or not) browser: keeps the session cookie, sends same-origin requests, from a
 * client address of its own (sent as X-Forwarded-For, as a reverse proxy would).
 */
export class ConsoleBrowser {
  constructor(
    readonly baseUrl: string,
    public cookie: string | undefined,
    readonly address: string = someAddress(),
  ) {}

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { headers: { 'x-forwarded-for': this.address, ...(this.cookie ? { cookie: this.cookie } : {}), ...headers } });
  }

  /** Posts a form as multipart/form-data (a reply with files), as the page does. */
  postForm(path: string, form: FormData): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: { origin: this.baseUrl, 'x-forwarded-for': this.address, ...(this.cookie ? { cookie: this.cookie } : {}) }, body: form });
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.baseUrl, 'x-forwarded-for': this.address, ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
}

export class ConsoleDesk {
  private constructor(
    readonly app: App,
    readonly telegram: CollectingChannel,
    readonly logLines: string[],
  ) {}

  /**
   * Starts the desk; `desk` may change the example desk configuration first (written to a
   * temporary file), e.g. to send the survey at once after a decision; `extraEnv` adds variables
   * (e.g. a Telegram token and the fake Bot API's root).
   */
  static async start(options: Partial<StartAppOptions> & { readonly desk?: (config: Record<string, unknown>) => void; readonly extraEnv?: Record<string, string> } = {}): Promise<ConsoleDesk> {
    const logLines: string[] = [];
    const telegram = new CollectingChannel();
    const { desk: changeDesk, extraEnv, ...appOptions } = options;
    const env: Record<string, string> = { MONGODB_URI: `${inject('mongoUri')}console_${randomBytes(5).toString('hex')}`, PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: '1', ...extraEnv };
    if (changeDesk) {
      const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, unknown>;
      changeDesk(config);
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'claimdesk-console-')), 'desk.yaml');
      await writeFile(file, stringify(config));
      env.DESK_CONFIG = file;
    }
    const app = await startApp({
      env,
      log: createLogger('debug', (line) => logLines.push(line)),
      jobsEveryMs: 200,
      senders: { telegram },
      notifications: { sweepEvery: '1 hour' },
      slaEvery: '1 hour',
      surveyEvery: '1 hour',
      ...appOptions,
    });
    return new ConsoleDesk(app, telegram, logLines);
  }

  /** A browser with nobody signed in (from an address of its own, unless one is given). */
  anonymous(address?: string): ConsoleBrowser {
    return new ConsoleBrowser(this.app.url, undefined, address);
  }

  /** Signs a staff member of the example desk in with the example password. */
  async signIn(staffId: string, password = EXAMPLE_CONSOLE_PASSWORD): Promise<ConsoleBrowser> {
    const browser = this.anonymous();
    const res = await browser.post('/console/api/login', { login: staffId, password });
    if (res.status !== 200) throw new Error(`sign-in of ${staffId} failed: ${res.status} ${await res.text()}`);
    browser.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    return browser;
  }

  stop(): Promise<void> {
    return this.app.stop();
  }
}
