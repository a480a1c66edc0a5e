import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mountWebChat, type WebChat, type WebChatOptions } from '../../adapters/web/chat/routes.js';
import { startHttpServer, type HttpServer } from '../../src/http.js';
import { createLogger } from '../../src/log.js';
import { logRecords } from '../support/log.js';
import { startApp } from '../../src/main.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { nextSequence } from '../../src/store/counters.js';
import { FileStore } from '../../src/store/files.js';
import { RateWindowStore } from '../../src/store/rate-windows.js';
import { WebChatStore } from '../../src/store/web-chat.js';
import { t } from '../../src/i18n/index.js';
import { DatabaseRelay } from '../support/db-outage.js';
import { openTestDatabase } from '../support/db.js';
import { deskUnderTest } from '../support/chat.js';
import { eventually, exampleDesk, inOneMinuteWindow } from '../support/fixtures.js';
import { ChatClient, messageId, reachFilesStep, SAMPLE_FILES } from '../support/web-chat.js';
import { request } from 'node:http';
import { connect } from 'node:net';

/** The web chat mounted on its own server, on a database reached through a relay that a test can cut. */
async function mounted(db: Db, options: Partial<Pick<WebChatOptions, 'pollMs' | 'heartbeatMs' | 'sessionsPerMinute' | 'sessionsPerMinutePerAddress' | 'concurrentUploads' | 'postsPerMinute' | 'trustProxy' | 'uploadPace' | 'uploadQuota'>>) {
  const desk = await exampleDesk();
  const { runner } = deskUnderTest(db, desk);
  const logLines: string[] = [];
  const log = createLogger('debug', (line) => logLines.push(line));
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', onError: () => undefined });
  const chat = mountWebChat({ http, runner, chat: new WebChatStore(db), uploads: new FileStore(db), windows: new RateWindowStore(db), defaultLocale: 'ru', log, ...options });
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
    expect(logRecords(logLines)).toContainEqual(expect.objectContaining({ component: 'web', msg: expect.stringMatching(/^(taking a message|reading a transcript|taking a file) failed; answered 503$/) as unknown, error: expect.stringMatching(/^\w+$/) as unknown }));
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
    ({ http, chat } = await mounted(t.db, { sessionsPerMinute: 3, sessionsPerMinutePerAddress: 2, trustProxy: 1, postsPerMinute: 4 }));
  });
  afterAll(async () => {
    chat.close();
    await http.close();
    await t.close();
  });

  it('starts only so many new chats a minute per client address, then desk-wide as a last resort: 429 with Retry-After, nothing created', async () => {
    const start = (address: string) => fetch(`${http.url}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: '{}' });
    await inOneMinuteWindow();
    expect([(await start('198.51.100.1')).status, (await start('198.51.100.1')).status]).toEqual([201, 201]);
    const flooding = await start('198.51.100.1');
    expect(flooding.status).toBe(429);
    expect(Number(flooding.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await flooding.json()) as { message: string }).message).toMatch(/from this address/);
    // another customer, behind the same trusted proxy, is not held back by that flood
    expect((await start('203.0.113.5')).status).toBe(201);
    // the desk-wide limit (3 here) is the last resort
    const deskWide = await start('192.0.2.7');
    expect(deskWide.status).toBe(429);
    expect(((await deskWide.json()) as { message: string }).message).toMatch(/right now/);
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

});

describe('uploads against slow and greedy clients', () => {
  let t: Awaited<ReturnType<typeof openTestDatabase>>;
  let http: HttpServer;
  let chat: WebChat;
  let runner: Awaited<ReturnType<typeof mounted>>['runner'];
  let logLines: string[];
  // whole uploads within 2.5 s, at 100 bytes a second from the first second on; 2 read at once
  const pace = { deadlineMs: 2_500, minBytesPerSecond: 100, graceMs: 1_000 };

  beforeAll(async () => {
    t = await openTestDatabase('webchat_uploads');
    await ensureIndexes(t.db);
    ({ http, chat, runner, logLines } = await mounted(t.db, { concurrentUploads: 2, trustProxy: 1, uploadPace: pace, uploadQuota: { perTargetBytes: 1_200, perDayBytes: 2_000 } }));
  });
  afterAll(async () => {
    chat.close();
    await http.close();
    await runner.drain();
    await t.close();
  });

  /** A visitor (made through the store) whose report is at its files step. */
  const atFilesStep = async () => {
    const client = ChatClient.of(http.url, await tokenFor(t.db));
    await reachFilesStep(client, () => runner.drain());
    return client;
  };
  /** An upload from a client address (behind the one trusted proxy). */
  const upload = (client: ChatClient, address: string, bytes: Buffer = SAMPLE_FILES.png, type = 'image/png') => client.upload(bytes, type, 'label.png', messageId(), { 'x-forwarded-for': address });
  const stored = () => t.db.collection('uploads.files').countDocuments();

  /** An upload that sends its headers and a few bytes, then a byte every `everyMs` (until destroyed). */
  const trickle = (client: ChatClient, address: string, everyMs: number) => {
    const req = request(`${http.url}/chat/api/files`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', 'x-message-id': messageId(), 'x-forwarded-for': address, ...client.auth, 'content-length': String(SAMPLE_FILES.png.length) },
    });
    const answer = new Promise<number | 'closed'>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve('closed'));
      req.on('close', () => resolve('closed'));
    });
    req.write(SAMPLE_FILES.png.subarray(0, 8));
    let sent = 8;
    const timer = setInterval(() => {
      if (sent < SAMPLE_FILES.png.length - 1) req.write(SAMPLE_FILES.png.subarray(sent, ++sent));
    }, everyMs);
    return {
      answer,
      stop: () => {
        clearInterval(timer);
        req.destroy();
      },
    };
  };

  it('takes a file only when a dialog step expects one: between dialogs it is a 409 and nothing is stored', async () => {
    const client = ChatClient.of(http.url, await tokenFor(t.db));
    await client.say('/help');
    await runner.drain();
    const before = await stored();
    const refused = await upload(client, '198.51.100.1');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('file_not_expected');
    expect(await stored()).toBe(before);
    expect((await client.transcript()).filter((entry) => entry.files)).toEqual([]);
  });

  it('trickling uploads are cut off (408) at the minimum rate, and the slots they held are free again', async () => {
    const honest = await atFilesStep();
    const slow = [await atFilesStep(), await atFilesStep()].map((client, i) => trickle(client, `203.0.113.${String(i + 1)}`, 300));
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // both slots are held by the trickles for now
    expect((await upload(honest, '192.0.2.50')).status).toBe(503);
    const answers = await Promise.all(slow.map((one) => one.answer));
    for (const one of slow) one.stop();
    // cut off once the first second had passed at less than 100 bytes a second, long before the deadline
    expect(answers).toEqual([408, 408]);
    expect(Date.now() - started).toBeLessThan(2_400);
    expect((await upload(honest, '192.0.2.50')).status).toBe(202);
    expect(logRecords(logLines)).toContainEqual(expect.objectContaining({ component: 'web', msg: 'file refused', reason: 'too_slow' }));
  });

  it('an upload that keeps a good rate is still cut off at its deadline (408)', async () => {
    const client = await atFilesStep();
    const req = request(`${http.url}/chat/api/files`, { method: 'POST', headers: { 'content-type': 'image/png', 'x-message-id': messageId(), 'x-forwarded-for': '203.0.113.77', ...client.auth } });
    const answer = new Promise<number | 'closed'>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve('closed'));
    });
    req.write(SAMPLE_FILES.png);
    const timer = setInterval(() => req.write(Buffer.alloc(1_000)), 100); // 10 KB/s, well above the minimum
    const started = Date.now();
    const status = await answer;
    clearInterval(timer);
    req.destroy();
    expect(status).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('holds at most one upload per visitor and one per client address; others wait (503) until a slot is free', async () => {
    const anna = await atFilesStep();
    const boris = await atFilesStep();
    const annas = trickle(anna, '198.51.100.10', 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Anna from another address, and Boris from Anna's address: both told to come back
    const second = await upload(anna, '198.51.100.11');
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('2');
    expect((await upload(boris, '198.51.100.10')).status).toBe(503);
    // with Anna's slot taken and a second one held by Carl, nobody else gets in either
    const carl = trickle(await atFilesStep(), '198.51.100.12', 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await upload(boris, '198.51.100.13')).status).toBe(503);
    annas.stop();
    carl.stop();
    await eventually(async () => (await upload(boris, '198.51.100.13')).status === 202);
  });

  it('caps what one visitor stores per report and per day (413), naming the reason', async () => {
    const client = await atFilesStep();
    // 520 bytes each: two fit in the report's 1 200 bytes, a third does not
    expect((await upload(client, '192.0.2.60')).status).toBe(202);
    expect((await upload(client, '192.0.2.60')).status).toBe(202);
    const third = await upload(client, '192.0.2.60');
    expect(third.status).toBe(413);
    expect(await third.json()).toMatchObject({ error: 'quota_exceeded', message: expect.stringContaining('one report') as unknown });
    // a new report has room of its own, but the day's 2 000 bytes run out after one more file
    await client.say('/cancel');
    await runner.drain();
    await reachFilesStep(client, () => runner.drain());
    expect((await upload(client, '192.0.2.60')).status).toBe(202);
    const fourth = await upload(client, '192.0.2.60');
    expect(fourth.status).toBe(413);
    expect(await fourth.json()).toMatchObject({ error: 'quota_exceeded', message: expect.stringContaining('a day') as unknown });
    expect(await t.db.collection('uploads.files').countDocuments({ 'metadata.ownerId': await visitorIdOf(t.db, client) })).toBe(3);
  });

  it('after a 413 on a chunked upload, answers with Connection: close and closes: the next request on it does not hang', async () => {
    const client = await atFilesStep();
    const socket = connect(http.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(`POST /chat/api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${client.token}\r\nContent-Type: image/png\r\nX-Message-Id: ${messageId()}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    // 11 MB in 1 MB chunks, then stop as a client does when refused
    const chunk = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < 11 && !received.includes('\r\n\r\n'); i++) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await eventually(() => received.includes('\r\n\r\n'));
    expect(received).toMatch(/^HTTP\/1\.1 413/);
    expect(received.toLowerCase()).toContain('connection: close');
    // the next request on the same connection: the server has closed it rather than read it as body
    if (!socket.destroyed) socket.write('GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('hanging'), 3_000))]);
    socket.destroy();
    expect(outcome).toBe('closed');
  });

  it('an upload the client gives up on is logged as aborted, not as a database failure', async () => {
    const client = await atFilesStep();
    const gone = trickle(client, '192.0.2.99', 50);
    await new Promise((resolve) => setTimeout(resolve, 200));
    gone.stop();
    await eventually(() => logLines.some((line) => line.includes('file upload aborted by the client')));
    expect(logLines.join('\n')).not.toMatch(/taking a file failed/);
  });
});

describe('the desk-wide storage cap', () => {
  it('refuses a file that would take the desk past its cap (507, storage_full), storing nothing', async () => {
    const t = await openTestDatabase('webchat_storage_cap');
    await ensureIndexes(t.db);
    const { http, chat, runner } = await mounted(t.db, { uploadQuota: { deskBytes: 1_000 } });
    try {
      const client = ChatClient.of(http.url, await tokenFor(t.db));
      await reachFilesStep(client, () => runner.drain());
      expect((await client.upload(SAMPLE_FILES.png, 'image/png', 'a.png')).status).toBe(202);
      const full = await client.upload(SAMPLE_FILES.png, 'image/png', 'b.png');
      expect(full.status).toBe(507);
      expect(((await full.json()) as { error: string }).error).toBe('storage_full');
      expect(await t.db.collection('uploads.files').countDocuments()).toBe(1);
    } finally {
      chat.close();
      await http.close();
      await runner.drain();
      await t.close();
    }
  });
});

/** A new visitor's token, made the way the server makes one (the store keeps only its hash). */
async function tokenFor(db: Db): Promise<string> {
  const { createHash, randomBytes: bytes } = await import('node:crypto');
  const token = bytes(32).toString('base64url');
  await new WebChatStore(db).createVisitor(createHash('sha256').update(token).digest('hex'), 'en');
  return token;
}
