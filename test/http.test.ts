import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { IncomingMessage } from 'node:http';
import { clientAddress, HttpError, parseQuery, readJson, sendJson, startHttpServer, type HttpServer } from '../src/http.js';

describe('the HTTP server', () => {
  let http: HttpServer;
  const errors: unknown[] = [];

  beforeAll(async () => {
    http = await startHttpServer({ port: 0, host: '127.0.0.1', onError: (error) => errors.push(error) });
    http.route('GET', '/items/:id', (_req, res, params) => sendJson(res, 200, { id: params.id }));
    http.route('GET', '/items/special', (_req, res) => sendJson(res, 200, { special: true }));
    http.route('POST', '/echo', async (req, res) => sendJson(res, 200, await readJson(req, z.object({ text: z.string().max(5) }).strict(), 100)));
    http.route('GET', '/query', (req, res) => sendJson(res, 200, parseQuery(req, z.object({ page: z.coerce.number().int().min(1).default(1) }).strict())));
    http.route('GET', '/teapot', () => {
      throw new HttpError(418, 'teapot', 'expected coffee');
    });
    http.route('GET', '/boom', () => {
      throw new Error('secret detail');
    });
    http.route('GET', '/half', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('a,b\r\n');
      throw new Error('the cursor failed');
    });
  });
  afterAll(() => http.close());

  const post = (path: string, body: string, type = 'application/json') => fetch(`${http.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('matches :param segments, decoded; an exact path wins over a pattern', async () => {
    expect(await (await fetch(`${http.url}/items/2026-000123`)).json()).toEqual({ id: '2026-000123' });
    expect(await (await fetch(`${http.url}/items/a%20b`)).json()).toEqual({ id: 'a b' });
    expect(await (await fetch(`${http.url}/items/special`)).json()).toEqual({ special: true });
    expect((await fetch(`${http.url}/items/%E0%A4%A`)).status).toBe(404);
    expect((await fetch(`${http.url}/items/a/b`)).status).toBe(404);
    expect((await fetch(`${http.url}/items/x`, { method: 'DELETE' })).status).toBe(405);
  });

  it('reads JSON: 415 for another content type, 400 for bad JSON or values, 413 for a large body', async () => {
    expect(await (await post('/echo', '{"text":"hi"}')).json()).toEqual({ text: 'hi' });
    expect((await post('/echo', 'text=hi', 'application/x-www-form-urlencoded')).status).toBe(415);
    const bad = await post('/echo', '{nope');
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, 'invalid_json']);
    const long = await post('/echo', '{"text":"too long"}');
    expect(long.status).toBe(400);
    expect(((await long.json()) as { message: string }).message).toMatch(/^text: /);
    expect((await post('/echo', JSON.stringify({ text: 'x'.repeat(200) }))).status).toBe(413);
  });

  it('cuts an answer that fails after its body started, so it never looks complete', async () => {
    await expect(fetch(`${http.url}/half`).then((res) => res.text())).rejects.toThrow();
  });

  it('answers HEAD on a GET route with 405 (a HEAD would do the GET\'s work for nothing)', async () => {
    expect((await fetch(`${http.url}/items/1`, { method: 'HEAD' })).status).toBe(405);
  });

  it('refuses a repeated query parameter and bad values', async () => {
    expect(await (await fetch(`${http.url}/query?page=2`)).json()).toEqual({ page: 2 });
    expect((await fetch(`${http.url}/query?page=1&page=2`)).status).toBe(400);
    expect((await fetch(`${http.url}/query?page=0`)).status).toBe(400);
    expect((await fetch(`${http.url}/query?page[$gt]=1`)).status).toBe(400);
    // names of Object.prototype are parameters like any other (here: unknown, so refused by name)
    const proto = await fetch(`${http.url}/query?constructor=1`);
    const message = ((await proto.json()) as { message: string }).message;
    expect([proto.status, message.includes('constructor'), message.includes('expected one value')]).toEqual([400, true, false]);
  });

  it('answers an HttpError with its status and a fault with a bare 500', async () => {
    const teapot = await fetch(`${http.url}/teapot`);
    expect([teapot.status, await teapot.json()]).toEqual([418, { error: 'teapot', message: 'expected coffee' }]);
    const boom = await fetch(`${http.url}/boom`);
    expect([boom.status, await boom.text()]).toEqual([500, '{"error":"internal"}']);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(boom.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the client address', () => {
  const from = (remoteAddress: string, forwarded?: string) =>
    ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

  it('is the connection\'s address unless proxies are trusted; then that many hops from the right of X-Forwarded-For', () => {
    expect(clientAddress(from('192.0.2.1', '203.0.113.9'))).toBe('192.0.2.1');
    expect(clientAddress(from('192.0.2.1', '203.0.113.9'), 1)).toBe('203.0.113.9');
    // what the client wrote itself (further left) is not trusted
    expect(clientAddress(from('192.0.2.1', '6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientAddress(from('192.0.2.1', '6.6.6.6, 203.0.113.9, 10.0.0.2'), 2)).toBe('203.0.113.9');
    // no header, or garbage where the proxy writes: the connection's address
    expect(clientAddress(from('192.0.2.1'), 1)).toBe('192.0.2.1');
    expect(clientAddress(from('192.0.2.1', 'not-an-address'), 1)).toBe('192.0.2.1');
  });

  it('shows IPv4-mapped addresses as IPv4 and takes IPv6 by its /64', () => {
    expect(clientAddress(from('::ffff:198.51.100.4'))).toBe('198.51.100.4');
    expect(clientAddress(from('2001:db8:1:2:aaaa::1'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(from('2001:db8:1:2:bbbb:cccc:dddd:eeee'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(from('2001:db8::1'))).toBe('2001:db8:0:0::/64');
    expect(clientAddress(from('::1'))).toBe('0:0:0:0::/64');
  });
});
