import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { inOneMinuteWindow } from '../support/fixtures.js';

describe('the web chat\'s new-chat limits hold per desk, not per instance', () => {
  const database = `webchat_shared_${randomBytes(4).toString('hex')}`;
  let first: App;
  let second: App;

  beforeAll(async () => {
    const start = () =>
      startApp({
        env: { MONGODB_URI: `${inject('mongoUri')}${database}`, PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: '1' },
        log: createLogger('error', () => undefined),
        digestEvery: false,
        notifications: { sweepEvery: '1 hour' },
        webChat: { sessionsPerMinutePerAddress: 2, sessionsPerMinute: 3 },
      });
    first = await start();
    second = await start();
  });
  afterAll(async () => {
    await second.stop();
    await first.db.dropDatabase();
    await first.stop();
  });

  it('two instances on one database: an address and the desk get their limits once between them', async () => {
    const start = (app: App, address: string) => fetch(`${app.url}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: '{}' });
    await inOneMinuteWindow();
    // one address, two chats through the first instance: the second instance refuses its third
    expect([(await start(first, '198.51.100.1')).status, (await start(first, '198.51.100.1')).status]).toEqual([201, 201]);
    const flooding = await start(second, '198.51.100.1');
    expect(flooding.status).toBe(429);
    expect(((await flooding.json()) as { message: string }).message).toMatch(/from this address/);
    const retryAfter = Number(flooding.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // another address gets the desk's third chat through the second instance; the desk is then full on both
    expect((await start(second, '203.0.113.5')).status).toBe(201);
    for (const app of [first, second]) {
      const deskWide = await start(app, '192.0.2.7');
      expect(deskWide.status).toBe(429);
      expect(((await deskWide.json()) as { message: string }).message).toMatch(/right now/);
    }
    expect(await first.db.collection('web_chat_visitors').countDocuments()).toBe(3);
  }, 60_000);
});
