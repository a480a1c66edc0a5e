/**
 * Shared pieces of the benchmarks: a fake Bot API whose sendMessage calls can be awaited per chat
 * (without scanning the whole call log), the intake script, the desk started on a database, and
 * small statistics helpers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Update } from 'grammy/types';
import { startApp, TELEGRAM_WEBHOOK_PATH, type App, type StartAppOptions } from '../src/main.js';
import { createLogger } from '../src/log.js';
import { t } from '../src/i18n/index.js';
import { FakeTelegram, type FakeUser, type RecordedCall } from '../test/support/telegram-api.js';

export const BOT_TOKEN = '123456:AAEfakeTokenForTheLocalBenchmark_01';
export const WEBHOOK_SECRET = 'webhook-secret-for-the-bench-0001';

/** A message the bot sent, as the fake recorded it when the request arrived. */
export interface SentMessage {
  readonly text: string;
  readonly params: Record<string, unknown>;
  /** performance.now() when the request reached the fake (the message had left the process). */
  readonly at: number;
}

interface Waiter {
  readonly predicate: (m: SentMessage) => boolean;
  readonly resolve: (m: SentMessage) => void;
}

/**
 * A FakeTelegram whose sendMessage arrivals are indexed per chat and can be awaited. The fake
 * itself records every call in one array and offers only polling; with hundreds of chats that
 * polling would cost more CPU than the bot under test, so the array's push is observed instead.
 */
export class ObservedTelegram {
  private readonly sent = new Map<string, SentMessage[]>();
  private readonly waiters = new Map<string, Waiter[]>();

  private constructor(
    readonly fake: FakeTelegram,
    private readonly keepPerChat: number | undefined,
  ) {
    const calls = fake.calls;
    const push = calls.push.bind(calls);
    calls.push = (...items: RecordedCall[]): number => {
      for (const call of items) this.observe(call);
      // with a bound, nothing is kept in the fake's own log either: a load generator that held
      // every message would grow the heap (and the garbage collector's work) with the run, and
      // the more so the bigger the side's messages are
      return keepPerChat === undefined ? push(...items) : calls.length;
    };
  }

  /**
   * `keepPerChat`: keep only the last N messages per chat (enough to find the buttons to press);
   * by default every message is kept (the outbound benchmark counts them all).
   */
  static async start(options: { keepPerChat?: number | undefined } = {}): Promise<ObservedTelegram> {
    return new ObservedTelegram(await FakeTelegram.start({ token: BOT_TOKEN }), options.keepPerChat);
  }

  private observe(call: RecordedCall): void {
    if (call.method !== 'sendMessage') return;
    const chat = String(call.params.chat_id);
    const message: SentMessage = { text: typeof call.params.text === 'string' ? call.params.text : '', params: call.params, at: performance.now() };
    const list = this.sent.get(chat) ?? [];
    list.push(message);
    if (this.keepPerChat !== undefined && list.length > this.keepPerChat) list.shift();
    this.sent.set(chat, list);
    const waiting = this.waiters.get(chat);
    if (!waiting) return;
    const rest = waiting.filter((w) => {
      if (!w.predicate(message)) return true;
      w.resolve(message);
      return false;
    });
    if (rest.length === 0) this.waiters.delete(chat);
    else this.waiters.set(chat, rest);
  }

  /** Messages sent to a chat so far (the last `keepPerChat` of them, when bounded). */
  sentTo(chatId: number | string): readonly SentMessage[] {
    return this.sent.get(String(chatId)) ?? [];
  }

  /** Resolves with the next message to the chat (from now on) that matches; rejects after timeoutMs. */
  next(chatId: number | string, predicate: (m: SentMessage) => boolean, timeoutMs = 30_000): Promise<SentMessage> {
    const chat = String(chatId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`bench: no matching message to chat ${chat} within ${timeoutMs} ms; last: ${JSON.stringify(this.sentTo(chat).at(-1)?.text ?? null)}`));
      }, timeoutMs);
      const list = this.waiters.get(chat) ?? [];
      list.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      this.waiters.set(chat, list);
    });
  }

  /** The callback data of the newest button with this label in the chat. */
  button(chatId: number | string, label: string): string {
    for (const message of [...this.sentTo(chatId)].reverse()) {
      const markup = message.params.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
      const found = markup?.inline_keyboard?.flat().find((b) => b.text === label);
      if (found?.callback_data) return found.callback_data;
    }
    throw new Error(`bench: no button "${label}" in chat ${String(chatId)}`);
  }

  close(): Promise<void> {
    return this.fake.close();
  }
}

/** One customer action of the intake and how to recognise the bot's answer to it. */
export interface IntakeStep {
  readonly name: string;
  readonly input: { readonly says: string } | { readonly presses: string };
  /** The bot's answer that ends the step (the last message the step sends). */
  readonly answer: (text: string) => boolean;
}

const starts = (question: string) => (text: string) => text.includes(question.slice(0, 40));

/** The full intake dialog, /start to the claim number (no attachments; the phone typed). */
export const INTAKE: readonly IntakeStep[] = [
  { name: 'start', input: { says: '/start' }, answer: starts(t('en', 'ask.intake.kind')) },
  { name: 'kind', input: { presses: t('en', 'kind.claim') }, answer: starts(t('en', 'ask.intake.category')) },
  { name: 'category', input: { presses: 'Defective product' }, answer: starts(t('en', 'ask.intake.product')) },
  { name: 'product', input: { says: 'Kettle KT-200' }, answer: starts(t('en', 'ask.intake.order')) },
  { name: 'order', input: { presses: t('en', 'button.skip') }, answer: starts(t('en', 'ask.intake.description')) },
  { name: 'description', input: { says: 'The kettle stopped heating after two days of use.' }, answer: starts(t('en', 'consent.notice')) },
  // the privacy notice (#26) before the first question for personal data
  { name: 'consent', input: { presses: t('en', 'button.consent_agree') }, answer: starts(t('en', 'ask.intake.files', { max: 20 })) },
  { name: 'files', input: { presses: t('en', 'button.no_files') }, answer: starts(t('en', 'ask.intake.remedy')) },
  { name: 'remedy', input: { presses: t('en', 'remedy.replacement') }, answer: starts(t('en', 'ask.intake.name')) },
  { name: 'name', input: { says: 'Anna Petrova' }, answer: starts(t('en', 'hint.share_phone')) },
  { name: 'reach', input: { says: '+79123456789' }, answer: (text) => text.includes(t('en', 'summary.title')) },
  { name: 'submit', input: { presses: t('en', 'button.submit') }, answer: (text) => CLAIM_NUMBER.test(text) },
];

export const CLAIM_NUMBER = /No\. (\d{4}-\d{6})/;

let nextUserId = 0;

/** A customer with a unique id within this process (a range of its own, apart from the tests' fakeUser). */
export function benchUser(): FakeUser {
  nextUserId += 1;
  return { id: 810_000_000 + nextUserId, firstName: `Bench${nextUserId}`, lastName: 'Customer', languageCode: 'en' };
}

/** The update a step sends, built against this side's fake (button data from the chat's messages). */
export function stepUpdate(tg: ObservedTelegram, user: FakeUser, step: IntakeStep): Update {
  return 'says' in step.input ? tg.fake.userSays(user, step.input.says) : tg.fake.userPresses(user, tg.button(user.id, step.input.presses));
}

/** The desk as it runs in production (grammY, webhook), on its own database of the given server. */
export interface DeskUnderBench {
  readonly app: App;
  readonly tg: ObservedTelegram;
  readonly webhookUrl: string;
  readonly warnings: string[];
  stop(): Promise<void>;
}

/**
 * `mongoUri` is the server's `mongodb://host:port/` (trailing slash); `query` is added to it (e.g.
 * `monitorCommands=true`); `env` adds variables; `keepPerChat` bounds what the fake keeps; `tg`: a
 * fake Bot API another desk already uses (another instance of the same desk: same bot, same
 * database; stopping this one leaves the fake open).
 */
export async function startDesk(
  mongoUri: string,
  database: string,
  options: { query?: string; env?: NodeJS.ProcessEnv; keepPerChat?: number; tg?: ObservedTelegram } & Pick<StartAppOptions, 'jobsEveryMs' | 'notifications'> = {},
): Promise<DeskUnderBench> {
  const ownFake = options.tg === undefined;
  const tg = options.tg ?? (await ObservedTelegram.start({ keepPerChat: options.keepPerChat }));
  const warnings: string[] = [];
  const env: NodeJS.ProcessEnv = {
    MONGODB_URI: `${mongoUri}${database}${options.query ? `?${options.query}` : ''}`,
    PORT: '0',
    HOST: '127.0.0.1',
    TELEGRAM_BOT_TOKEN: tg.fake.token,
    TELEGRAM_API_ROOT: tg.fake.url,
    TELEGRAM_MODE: 'webhook',
    PUBLIC_URL: 'https://desk.example.test',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...options.env,
  };
  try {
    const app = await startApp({
      env,
      log: createLogger('warn', (line) => warnings.push(line)),
      ...(options.jobsEveryMs !== undefined ? { jobsEveryMs: options.jobsEveryMs } : {}),
      ...(options.notifications ? { notifications: options.notifications } : {}),
    });
    return {
      app,
      tg,
      webhookUrl: `${app.url}${TELEGRAM_WEBHOOK_PATH}`,
      warnings,
      async stop() {
        await app.stop();
        if (ownFake) await tg.close();
      },
    };
  } catch (error) {
    if (ownFake) await tg.close();
    throw error;
  }
}

/** Posts an update to a webhook as Telegram does; throws on a non-2xx answer. */
export async function post(tg: ObservedTelegram, update: Update, url: string): Promise<void> {
  const status = await tg.fake.deliverToWebhook(update, url);
  if (status < 200 || status >= 300) throw new Error(`bench: the webhook answered ${status}`);
}

// ---------------------------------------------------------------- statistics

/** The q-quantile (0..1) of the values, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Rounds for the report (3 significant decimals are plenty). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time used so far, in milliseconds: this node process, and the database server when its pid is known. */
export interface CpuSnapshot {
  readonly nodeMs: number;
  readonly serverMs: number | undefined;
}

let clockTicks: number | undefined;

/** The database server's CPU time from /proc (Linux), or undefined where that cannot be read. */
function serverCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // /proc/<pid>/stat: the name (field 2) may hold spaces, so count fields from its closing ')'
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]?.split(' ');
    if (!fields) return undefined;
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Reads the CPU time used by this process and the database server (`serverPid`) now. */
export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  const usage = process.cpuUsage();
  return { nodeMs: (usage.user + usage.system) / 1000, serverMs: serverCpuMs(serverPid) };
}
