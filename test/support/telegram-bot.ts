import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import { Telegraf } from 'telegraf';
import { startApp, TELEGRAM_WEBHOOK_PATH, type App } from '../../src/main.js';
import { expect } from 'vitest';
import { createLogger, type Logger } from '../../src/log.js';
import { t } from '../../src/i18n/index.js';
import type { FakeTelegram, FakeUser } from './telegram-api.js';

/** How the desk meets Telegram in a test: which library, and polling or webhook. */
export type BotMode = 'grammy-polling' | 'grammy-webhook' | 'telegraf-polling' | 'telegraf-webhook';

export const BOT_MODES: readonly BotMode[] = ['grammy-polling', 'grammy-webhook', 'telegraf-polling', 'telegraf-webhook'];

/** A token of the shape @BotFather gives (the app's config checks it). */
export const TEST_BOT_TOKEN = '123456:AAEfakeTokenForTheLocalTests_0001';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0001';

export interface BotOptions {
  readonly fake: FakeTelegram;
  /** The database server's URI (`mongodb://host:port/`); a relay's to test outages. */
  readonly mongoUri: string;
  readonly database: string;
  /** More environment for the app (METRICS_TOKEN, …). */
  readonly env?: NodeJS.ProcessEnv;
  /** The app's logger (default: warnings and errors collected in `log`). */
  readonly logger?: Logger;
}

/**
 * The desk running as a user runs it — `startApp` with the grammY bot, or a host Telegraf bot with
 * the desk mounted — against the fake Bot API, on a real database.
 */
export class BotUnderTest {
  app!: App;
  /** Where the fake delivers updates in webhook modes. */
  webhookUrl: string | undefined;
  readonly log: string[] = [];
  private telegraf: Telegraf | undefined;
  private telegrafServer: http.Server | undefined;

  private constructor(
    readonly mode: BotMode,
    private readonly options: BotOptions,
  ) {}

  static async start(mode: BotMode, options: BotOptions): Promise<BotUnderTest> {
    const bot = new BotUnderTest(mode, options);
    await bot.start();
    return bot;
  }

  get fake(): FakeTelegram {
    return this.options.fake;
  }

  get usesWebhook(): boolean {
    return this.mode.endsWith('webhook');
  }

  async start(): Promise<void> {
    const { fake, mongoUri, database } = this.options;
    const grammy = this.mode.startsWith('grammy');
    const env: NodeJS.ProcessEnv = {
      MONGODB_URI: `${mongoUri}${database}?serverSelectionTimeoutMS=800`,
      PORT: '0',
      HOST: '127.0.0.1',
      ...(grammy
        ? {
            TELEGRAM_BOT_TOKEN: fake.token,
            TELEGRAM_API_ROOT: fake.url,
            TELEGRAM_MODE: this.usesWebhook ? 'webhook' : 'polling',
            PUBLIC_URL: 'https://desk.example.test',
            TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
          }
        : {}),
    };
    this.app = await startApp({ env: { ...env, ...this.options.env }, log: this.options.logger ?? createLogger('warn', (line) => this.log.push(line)), runTelegramBot: grammy });
    if (grammy) {
      this.webhookUrl = this.usesWebhook ? `${this.app.url}${TELEGRAM_WEBHOOK_PATH}` : undefined;
      return;
    }
    // the host application's own Telegraf bot, with a command of its own and the desk mounted after it
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });
    bot.command('hostping', (ctx) => ctx.reply('pong from the host bot'));
    bot.use(this.app.telegraf(bot, { holdMs: 300, maxRetryDelayMs: 200 }));
    this.telegraf = bot;
    if (this.usesWebhook) {
      const callback = bot.webhookCallback('/telegraf', { secretToken: WEBHOOK_SECRET });
      const server = http.createServer((req, res) => void callback(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.telegrafServer = server;
      this.webhookUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/telegraf`;
      await bot.telegram.setWebhook('https://desk.example.test/telegraf', { secret_token: WEBHOOK_SECRET });
    } else {
      void bot.launch().catch(() => undefined);
    }
  }

  /** Stops the bot and the app (the database stays); `start()` again on the same data. */
  async stop(): Promise<void> {
    if (this.telegraf && !this.usesWebhook) this.telegraf.stop();
    this.telegraf = undefined;
    if (this.telegrafServer) {
      const server = this.telegrafServer;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      this.telegrafServer = undefined;
    }
    await this.app.stop();
  }

  /**
   * Hands an update to the bot the way this mode receives it (long polling picks it up from the
   * fake's queue; webhook modes post it) and settles once it is confirmed and every reply went out.
   * Returns the webhook's HTTP status (webhook modes) or 200 once polling confirmed it.
   */
  async deliver(update: Update): Promise<number> {
    let status = 200;
    if (this.webhookUrl) {
      status = await this.fake.deliverToWebhook(update, this.webhookUrl);
    } else {
      await until(() => !this.fake.pendingUpdates.some((u) => u.update_id === update.update_id), `update ${String(update.update_id)} confirmed`);
    }
    await this.app.conversations.drain();
    return status;
  }
}

/** Waits until `condition` holds (checked every 10 ms), failing after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A customer in a private chat with the bot, playing through the fake Bot API. */
export class TelegramCustomer {
  private seen = 0;

  constructor(
    private readonly bot: BotUnderTest,
    readonly user: FakeUser,
  ) {}

  get chatId(): string {
    return String(this.user.id);
  }

  /** Everything the bot sent this customer, oldest first. */
  get messages(): Record<string, unknown>[] {
    return this.bot.fake.sentTo(this.user.id);
  }

  /** The texts the bot sent since the customer's last action. */
  replies: string[] = [];
  /** The ids of the button presses (callback queries) the customer made. */
  readonly pressed: string[] = [];
  /** How many updates the customer sent. */
  updates = 0;

  /** Delivers the update and collects the replies; returns the delivery status (see BotUnderTest.deliver). */
  async act(update: Update): Promise<number> {
    this.seen = this.messages.length;
    if (update.callback_query) this.pressed.push(update.callback_query.id);
    this.updates++;
    const status = await this.bot.deliver(update);
    this.replies = this.messages.slice(this.seen).map((m) => String(m.text));
    return status;
  }

  says(text: string): Promise<number> {
    return this.act(this.bot.fake.userSays(this.user, text));
  }

  /** Presses the inline button with this label on the latest message that has it. */
  presses(label: string): Promise<number> {
    return this.act(this.bot.fake.userPresses(this.user, this.button(label)));
  }

  /** The callback data of the newest button with this label. */
  button(label: string): string {
    for (const message of [...this.messages].reverse()) {
      const markup = message.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
      const found = markup?.inline_keyboard?.flat().find((b) => b.text === label);
      if (found?.callback_data) return found.callback_data;
    }
    const labels = this.messages.flatMap((m) => (m.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard?.flat().map((b) => b.text) ?? []);
    throw new Error(`no button "${label}" among: ${labels.join(' | ')}`);
  }

  /** The latest reply's text. */
  get last(): string {
    const last = this.replies.at(-1);
    if (last === undefined) throw new Error('no reply');
    return last;
  }
}

/** What {@link fillIntake} answers; the defaults are a kettle that stopped heating, from Anna Petrova. */
export interface IntakeAnswers {
  readonly product?: string;
  readonly description?: string;
  readonly name?: string;
  /** Shared with the "share my phone" button (digits), or typed (an e-mail). */
  readonly reach?: { readonly phone: string } | { readonly typed: string };
}

/** Answers the intake up to the summary card, checking each question on the way. */
export async function fillIntake(customer: TelegramCustomer, bot: BotUnderTest, answers: IntakeAnswers = {}): Promise<{ photoFileId: string }> {
  await customer.says('/start');
  expect(customer.replies.join('\n')).toContain(t('en', 'ask.intake.kind'));
  await customer.presses(t('en', 'kind.claim'));
  expect(customer.last).toBe(t('en', 'ask.intake.category'));
  await customer.presses('Defective product');
  await customer.says(answers.product ?? 'Kettle KT-200');
  expect(customer.last).toBe(t('en', 'ask.intake.order'));
  await customer.presses(t('en', 'button.skip'));
  await customer.says(answers.description ?? 'The kettle stopped heating after two days of use.');
  // the privacy notice (#26) before the first question for personal data: agreed with its button
  expect(customer.last).toContain(t('en', 'consent.notice'));
  await customer.presses(t('en', 'button.consent_agree'));
  expect(customer.last).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
  const photo = bot.fake.userSendsPhoto(customer.user, { caption: 'the base' });
  await customer.act(photo);
  await customer.presses(t('en', 'button.files_done', { count: 1 }));
  expect(customer.last).toBe(t('en', 'ask.intake.remedy'));
  await customer.presses(t('en', 'remedy.replacement'));
  expect(customer.last).toBe(t('en', 'ask.intake.name'));
  await customer.says(answers.name ?? 'Anna Petrova');
  // the phone question keeps its "Back" button, and a "share my phone" reply keyboard follows
  expect(customer.replies).toEqual([t('en', 'ask.intake.reach'), t('en', 'hint.share_phone')]);
  expect(customer.button(t('en', 'button.back'))).toMatch(/\.back$/);
  expect(customer.messages.at(-1)?.reply_markup).toEqual({ keyboard: [[{ text: t('en', 'button.share_phone'), request_contact: true }]], resize_keyboard: true, one_time_keyboard: true });
  const reach = answers.reach ?? { phone: '79123456789' };
  if ('phone' in reach) await customer.act(bot.fake.userSharesContact(customer.user, reach.phone));
  else await customer.says(reach.typed);
  const largest = photo.message?.photo?.at(-1)?.file_id;
  if (!largest) throw new Error('the fake sent no photo');
  return { photoFileId: largest };
}
