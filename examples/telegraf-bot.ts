/**
 * The claims desk mounted into a Telegraf bot a company already runs.
 *
 *   BOT_TOKEN=123456:ABC… npx tsx examples/telegraf-bot.ts
 *
 * The desk reads its configuration from the environment as `npm start` does (MONGODB_URI, or its
 * own local database without it; DESK_CONFIG; PORT for /healthz). TELEGRAM_API_ROOT points the
 * bot at another Bot API server, as for the standalone bot.
 */
import { Telegraf } from 'telegraf';
import { startApp } from '../src/main.js';

const token = process.env.BOT_TOKEN;
if (!token) {
  process.stderr.write('BOT_TOKEN: expected the token of your bot from @BotFather\n');
  process.exit(1);
}
const apiRoot = process.env.TELEGRAM_API_ROOT;
const bot = new Telegraf(token, apiRoot ? { telegram: { apiRoot } } : {});

// 1. The bot's own handlers come first; what they handle never reaches the desk.
bot.command('ping', (ctx) => ctx.reply('pong'));

// 2. Then the desk: every private-chat update the handlers above leave goes to the claims dialogs.
//    runTelegramBot: false — this bot receives the updates, the desk does not poll on its own.
const claimdesk = await startApp({ runTelegramBot: false });
bot.use(claimdesk.telegraf(bot));

void bot.launch();

const stop = (signal: string) => {
  bot.stop(signal);
  void claimdesk.stop().then(() => process.exit(0));
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
