import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { botApiFetch } from '../../adapters/telegram-grammy/fetch.js';
import { FakeTelegram, fakeUser } from '../support/telegram-api.js';
import { TEST_BOT_TOKEN } from '../support/telegram-bot.js';

/** grammY types `fetch` as node-fetch's (typings not installed); the desk passes its own the same way. */
const fetch = botApiFetch as never;

/** A local HTTP server that does whatever `handle` does with each request, counting connections. */
async function rawServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const server = http.createServer(handle);
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the lean fetch grammY uses for Bot API calls', () => {
  let fake: FakeTelegram;

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('makes JSON calls with grammY: results, and the API refusing one as a GrammyError', async () => {
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: fake.url, fetch });
    const user = fakeUser();
    const sent = await api.sendMessage(user.id, 'Привет — hello', { reply_markup: { inline_keyboard: [[{ text: 'Да', callback_data: 'yes' }]] } });
    expect(sent.text).toBe('Привет — hello');
    expect(sent.reply_markup?.inline_keyboard[0]?.[0]?.text).toBe('Да');
    const recorded = fake.callsTo('sendMessage').at(-1);
    expect(recorded?.params.chat_id).toBe(user.id);
    expect(recorded?.params.text).toBe('Привет — hello');

    fake.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    const refused = await api.sendMessage(user.id, 'again').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GrammyError);
    expect((refused as GrammyError).error_code).toBe(403);
  });

  it('reuses one keep-alive connection for calls one after another', async () => {
    const server = await rawServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":true}'));
    });
    try {
      const api = new Api(TEST_BOT_TOKEN, { apiRoot: server.url, fetch });
      for (let i = 0; i < 5; i++) expect(await api.deleteWebhook()).toBe(true);
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('an upload (form data, not JSON) goes through Node’s fetch and arrives whole', async () => {
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: fake.url, fetch });
    expect(await api.setWebhook('https://desk.example.test/hook', { certificate: new InputFile(Buffer.from('-----BEGIN CERTIFICATE-----'), 'cert.pem') })).toBe(true);
    const call = fake.callsTo('setWebhook').at(-1);
    expect(call?.params.url).toBe('https://desk.example.test/hook');
    expect(call?.params.certificate).toMatchObject({ filename: 'cert.pem', size: 27 });
  });

  it('a refused connection rejects with its system code, which grammY wraps in an HttpError', async () => {
    const server = await rawServer(() => undefined);
    const { url } = server;
    await server.close();
    const failure = await botApiFetch(`${url}/bot1:x/getMe`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect((failure as { code?: string }).code).toBe('ECONNREFUSED');
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: url, fetch });
    const wrapped = await api.getMe().catch((error: unknown) => error);
    expect(wrapped).toBeInstanceOf(HttpError);
    expect(((wrapped as HttpError).error as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('an abort (the caller’s signal, or grammY’s timeout) ends a call the server never answers, and closes its connection', async () => {
    let closed = 0;
    const server = await rawServer((req) => {
      req.on('close', () => (closed += 1));
    });
    try {
      const abort = new AbortController();
      const pending = botApiFetch(`${server.url}/bot1:x/getUpdates`, { method: 'POST', body: '{"timeout":25}', signal: abort.signal });
      setTimeout(() => abort.abort(), 50);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      // aborted before it started: nothing is sent
      await expect(botApiFetch(`${server.url}/bot1:x/getMe`, { body: '{}', signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });

      const api = new Api(TEST_BOT_TOKEN, { apiRoot: server.url, fetch, timeoutSeconds: 1 });
      const timedOut = await api.getMe().catch((error: unknown) => error);
      expect(timedOut).toBeInstanceOf(HttpError);
      await expect.poll(() => closed).toBe(2);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a response cut off before its end fails the call instead of passing half a body on', async () => {
    const server = await rawServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"ok":true,"result":{"message_id":');
        setTimeout(() => res.destroy(), 20);
      });
    });
    try {
      const response = await botApiFetch(`${server.url}/bot1:x/sendMessage`, { method: 'POST', body: '{"chat_id":1,"text":"x"}' });
      expect(response.ok).toBe(true);
      await expect(response.json()).rejects.toBeInstanceOf(Error);
      const api = new Api(TEST_BOT_TOKEN, { apiRoot: server.url, fetch });
      await expect(api.sendMessage(1, 'x')).rejects.toBeInstanceOf(HttpError);
    } finally {
      await server.close();
    }
  });
});
