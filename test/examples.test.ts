import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FakeTelegram, fakeUser } from './support/telegram-api.js';
import { TEST_BOT_TOKEN } from './support/telegram-bot.js';
import { projectRoot } from '../src/store/local/paths.js';
import { t } from '../src/i18n/index.js';

describe('the README\'s Telegraf example (examples/telegraf-bot.ts), run as a process', () => {
  let fake: FakeTelegram;
  const database = `example_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
  });
  afterAll(async () => {
    await fake.close();
    const client = await MongoClient.connect(inject('mongoUri'));
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('keeps the bot\'s own command, takes customers into the desk, and stops cleanly', async () => {
    const child = spawn(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['examples/telegraf-bot.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, MONGODB_URI: `${inject('mongoUri')}${database}`, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const host = fakeUser();
      fake.userSays(host, '/ping');
      await fake.waitForCall('sendMessage', (call) => String(call.params.chat_id) === String(host.id), 20_000);
      expect(fake.sentTo(host.id).map((m) => m.text)).toEqual(['pong']);

      const customer = fakeUser();
      fake.userSays(customer, '/start');
      await fake.waitForCall('sendMessage', (call) => String(call.params.text).includes(t('en', 'ask.intake.kind')) && String(call.params.chat_id) === String(customer.id), 10_000);
    } catch (error) {
      throw new Error(`${String(error)}\nexample output:\n${output}`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
