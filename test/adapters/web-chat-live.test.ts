import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mountWebChat, type WebChat } from '../../adapters/web/chat/routes.js';
import { startHttpServer, type HttpServer } from '../../src/http.js';
import { createLogger } from '../../src/log.js';
import { startApp } from '../../src/main.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { nextSequence } from '../../src/store/counters.js';
import { FileStore } from '../../src/store/files.js';
import { WebChatStore } from '../../src/store/web-chat.js';
import { t } from '../../src/i18n/index.js';
import { DatabaseRelay } from '../support/db-outage.js';
import { openTestDatabase } from '../support/db.js';
import { deskUnderTest } from '../support/chat.js';
import { eventually, exampleDesk } from '../support/fixtures.js';
import { ChatClient, messageId, SAMPLE_FILES } from '../support/web-chat.js';
import { request } from 'node:http';

/** The web chat mounted on its own server, on a database reached through a relay that a test can cut. */
async function mounted(db: Db, options: { pollMs?: number; heartbeatMs?: number; sessionsPerMinute?: number; concurrentUploads?: number; postsPerMinute?: number }) {
  const desk = await exampleDesk();
  const { runner } = deskUnderTest(db, desk);
  const logLines: string[] = [];
  const log = createLogger('debug', (line) => logLines.push(line));
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', onError: () => undefined });
  const chat = mountWebChat({ http, runner, chat: new WebChatStore(db), uploads: new FileStore(db), defaultLocale: 'ru', log, ...options });
  return { http, chat, runner, logLines };
}

/** Which visitor a client is (found by its token's hash, as the server does). */
async function visitorIdOf(db: Db, client: ChatClient): Promise<string> {
  const { createHash } = await import('node:crypto');
  const doc = await db.collection<{ _id: string }>('web_chat_visitors').findOne({ tokenHash: createHash('sha256').update(client.token).digest('hex') });
  if (!doc) throw new Error('no visitor');
  return doc._id;
}

describe('the live stream and outages', () => {
  let relay: DatabaseRelay;
  let client: MongoClient;
  let db: Db;
  let http: HttpServer;
  let chat: WebChat;
  let runner: Awaited<ReturnType<typeof mounted>>['runner'];
  let logLines: string[];

  beforeAll(async () => {
    relay = await DatabaseRelay.start(inject('mongoUri'));
    // the driver looks for the server again every half second once the relay is back
    client = await MongoClient.connect(`${relay.uri}?serverSelectionTimeoutMS=800&heartbeatFrequencyMS=500`);
    db = client.db(`webchat_live_${randomBytes(4).toString('hex')}`);
    await ensureIndexes(db);
    ({ http, chat, runner, logLines } = await mounted(db, { pollMs: 150, heartbeatMs: 100 }));
  });
  afterAll(async () => {
    relay.restore();
    chat.close();
    await http.close();
    await runner.drain();
    await db.dropDatabase();
    await client.close();
    await relay.close();
  });

  it('sends a keep-alive comment and everything after the seq it was opened with', async () => {
    const anna = await ChatClient.open(http.url);
    expect((await anna.say('/help')).status).toBe(202);
    await runner.drain();
    const all = await anna.transcript();
    expect(all.length).toBeGreaterThanOrEqual(2);
    const stream = await anna.events(all[0]?.seq);
    try {
      await eventually(() => stream.comments.includes('ping') && stream.entries.length === all.length - 1);
      expect(stream.entries).toEqual(all.slice(1));
    } finally {
      await stream.close();
    }
  });

  it('a desk message written by another instance arrives by polling; a seq still being written elsewhere is filled in', async () => {
    const anna = await ChatClient.open(http.url);
    const visitorId = await visitorIdOf(db, anna);
    const stream = await anna.events(0);
    try {
      // another instance's store: same database, no in-process notification
      const elsewhere = new WebChatStore(db);
      await elsewhere.appendDesk(visitorId, { text: 'Written by another instance', expects: 'none' });
      await stream.waitFor((entry) => entry.text === 'Written by another instance');
      // a writer takes a seq and is slow to insert; the next message overtakes it
      const slowSeq = await nextSequence(db, `web-chat:${visitorId}`);
      const overtaking = await elsewhere.appendDesk(visitorId, { text: 'Overtaking', expects: 'none' });
      expect(overtaking.seq).toBe(slowSeq + 1);
      await stream.waitFor((entry) => entry.text === 'Overtaking');
      await db.collection('web_chat_messages').insertOne({ _id: `${visitorId}:d:${String(slowSeq)}` as never, visitorId, seq: slowSeq, at: new Date(), from: 'desk', text: 'Slow writer', expects: 'none' });
      await stream.waitFor((entry) => entry.text === 'Slow writer');
      expect(stream.texts).toEqual(['Written by another instance', 'Overtaking', 'Slow writer']);
      expect(new Set(stream.entries.map((entry) => entry.seq)).size).toBe(3);
    } finally {
      await stream.close();
    }
  });

  it('a closed connection is cleaned up: at most five at once per visitor, a sixth is refused until one closes', async () => {
    const anna = await ChatClient.open(http.url);
    const streams = await Promise.all([1, 2, 3, 4, 5].map(() => anna.events(0)));
    expect(streams.map((stream) => stream.response.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await fetch(`${http.url}/chat/api/events`, { headers: anna.auth });
    expect(sixth.status).toBe(429);
    await streams[0]?.close();
    await eventually(async () => {
      const again = await anna.events(0);
      const ok = again.response.status === 200;
      await again.close();
      return ok;
    });
    // another visitor is not limited by Anna's connections
    const boris = await ChatClient.open(http.url);
    const his = await boris.events(0);
    expect(his.response.status).toBe(200);
    await Promise.all([...streams.slice(1), his].map((stream) => stream.close()));
  });

  it('a message the database cannot record is a 503 to retry; the retry is handled once', async () => {
    const anna = await ChatClient.open(http.url);
    const id = messageId();
    const stream = await anna.events(0);
    relay.cut();
    try {
      const refused = await anna.say('/help', id);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect((await anna.upload(Buffer.from('%PDF-1.4\n'), 'application/pdf', 'a.pdf')).status).toBe(503);
      expect((await anna.get('?after=0')).status).toBe(503);
    } finally {
      relay.restore();
    }
    await eventually(async () => (await anna.say('/help', id)).status === 202, 20_000);
    expect((await anna.say('/help', id)).status).toBe(202);
    await runner.drain();
    const transcript = await anna.transcript();
    expect(transcript.filter((entry) => entry.from === 'customer').map((entry) => entry.text)).toEqual(['/help']);
    expect(transcript.filter((entry) => entry.text === t('en', 'help'))).toHaveLength(1);
    // the live connection lived through the outage and carries the answer
    await stream.waitFor((entry) => entry.text === t('en', 'help'), 10_000);
    await stream.close();
    expect(logLines.join('\n')).toMatch(/\[web\] (taking a message|reading a transcript|taking a file) failed; answered 503 error=\w+/);
  }, 40_000);

  it('close() ends the open connections and refuses new ones', async () => {
    const anna = await ChatClient.open(http.url);
    const stream = await anna.events(0);
    chat.close();
    await stream.done;
    expect(stream.ended).toBe(true);
    expect((await fetch(`${http.url}/chat/api/events`, { headers: anna.auth })).status).toBe(503);
  });
});

describe('stopping the app with open live connections', () => {
  it('does not hang: the streams end and the app stops', async () => {
    const database = await openTestDatabase('webchat_stop');
    try {
      const app = await startApp({ env: { MONGODB_URI: `${database.uri}${database.db.databaseName}`, PORT: '0', HOST: '127.0.0.1' }, log: createLogger('error', () => undefined), notifications: { sweepEvery: '1 hour' }, digestEvery: false });
      const anna = await ChatClient.open(app.url);
      const streams = await Promise.all([anna.events(0), anna.events(0)]);
      expect(streams.map((stream) => stream.response.status)).toEqual([200, 200]);
      const started = Date.now();
      await app.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      await Promise.all(streams.map((stream) => stream.done));
      expect(streams.every((stream) => stream.ended)).toBe(true);
    } finally {
      await database.close();
    }
  }, 40_000);
});

describe('limits against floods', () => {
  let t: Awaited<ReturnType<typeof openTestDatabase>>;
  let http: HttpServer;
  let chat: WebChat;

  beforeAll(async () => {
    t = await openTestDatabase('webchat_limits');
    await ensureIndexes(t.db);
    ({ http, chat } = await mounted(t.db, { sessionsPerMinute: 3, concurrentUploads: 1, postsPerMinute: 4 }));
  });
  afterAll(async () => {
    chat.close();
    await http.close();
    await t.close();
  });

  it('starts only so many new chats a minute: then 429 with Retry-After, and nothing is created', async () => {
    const start = () => fetch(`${http.url}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([(await start()).status, (await start()).status, (await start()).status]).toEqual([201, 201, 201]);
    const refused = await start();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await t.db.collection('web_chat_visitors').countDocuments()).toBe(3);
  });

  it('takes only so many messages a minute from one visitor: then 429, the extra one not recorded', async () => {
    const token = await tokenFor(t.db);
    const say = (text: string) =>
      fetch(`${http.url}/chat/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ id: messageId(), text }) });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await say(`/help ${i}`)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    expect(await t.db.collection('web_chat_messages').countDocuments({ from: 'customer', text: '/help 3' })).toBe(1);
    expect(await t.db.collection('web_chat_messages').countDocuments({ from: 'customer', text: '/help 4' })).toBe(0);
    // another visitor is not held back
    const other = await tokenFor(t.db);
    const res = await fetch(`${http.url}/chat/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${other}` }, body: JSON.stringify({ id: messageId(), text: '/help' }) });
    expect(res.status).toBe(202);
  });

  it('reads only so many uploads at once: another is told to come back (503), nothing stored', async () => {
    // (the new-chat limit is used up above: the visitor is made through the store, as the server makes one)
    const token = await tokenFor(t.db);
    const upload = (name: string) =>
      fetch(`${http.url}/chat/api/files`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', 'x-file-name': name, 'x-message-id': messageId(), authorization: `Bearer ${token}` },
        body: new Uint8Array(SAMPLE_FILES.png),
      });
    // the first upload sends its headers and part of the body, then waits
    const slow = request(`${http.url}/chat/api/files`, { method: 'POST', headers: { 'content-type': 'image/png', 'x-message-id': messageId(), authorization: `Bearer ${token}`, 'content-length': String(SAMPLE_FILES.png.length) } });
    slow.on('error', () => undefined);
    slow.write(SAMPLE_FILES.png.subarray(0, 8));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const busy = await upload('second.png');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('2');
    slow.destroy();
    await eventually(async () => (await upload('third.png')).status === 202);
    expect(await t.db.collection('uploads.files').countDocuments()).toBe(1);
  });
});

/** A new visitor's token, made the way the server makes one (the store keeps only its hash). */
async function tokenFor(db: Db): Promise<string> {
  const { createHash, randomBytes: bytes } = await import('node:crypto');
  const token = bytes(32).toString('base64url');
  await new WebChatStore(db).createVisitor(createHash('sha256').update(token).digest('hex'), 'en');
  return token;
}
