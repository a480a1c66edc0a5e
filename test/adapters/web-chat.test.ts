import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { parse, stringify } from 'yaml';
import { startApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { logRecords } from '../support/log.js';
import { t } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { FileStore } from '../../src/store/files.js';
import { ChatClient, EventStream, messageId, reachFilesStep, SAMPLE_FILES, type ChatEntry } from '../support/web-chat.js';
import { eventually } from '../support/fixtures.js';

const NUMBER = /No\. (\d{4}-\d{6})/;
const staff = { kind: 'staff' as const, staffId: 'maria' };

describe('the customer web chat over HTTP', () => {
  let app: App;
  let dir: string;
  const logLines: string[] = [];
  const database = `webchat_${Date.now().toString(36)}`;

  beforeAll(async () => {
    // the survey at once after a decision, with a window long enough to answer
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as { survey: Record<string, unknown> };
    config.survey = { delayMinutes: 0, reminderAfterHours: 1, windowHours: 2, cooldownHours: 24 };
    dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-webchat-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    app = await startApp({
      env: { MONGODB_URI: `${inject('mongoUri')}${database}`, PORT: '0', HOST: '127.0.0.1', DESK_CONFIG: file },
      log: createLogger('debug', (line) => logLines.push(line)),
      jobsEveryMs: 200,
      notifications: { sweepEvery: '1 hour' },
      surveyEvery: 150,
      slaEvery: '1 hour',
      digestEvery: false,
      // every chat of this file comes from 127.0.0.1: more than the 10 a minute one address may start
      webChat: { sessionsPerMinutePerAddress: 60 },
    });
  });
  afterAll(async () => {
    await app.db.dropDatabase();
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const settled = async () => {
    for (let round = 0; round < 2; round++) {
      await app.idle();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const accepted = async (res: Response | Promise<Response>) => {
    const answer = await res;
    expect(answer.status, await answer.clone().text()).toBe(202);
    await settled();
    return answer;
  };
  const counts = async () => ({
    visitors: await app.db.collection('web_chat_visitors').countDocuments(),
    messages: await app.db.collection('web_chat_messages').countDocuments(),
    conversations: await app.db.collection('conversations').countDocuments(),
    files: await app.db.collection('uploads.files').countDocuments(),
    chunks: await app.db.collection('uploads.chunks').countDocuments(),
    claims: await app.db.collection('claims').countDocuments(),
  });

  /** Plays the customer from /start to the summary card, with one photo. */
  async function intakeUpToSummary(client: ChatClient): Promise<void> {
    await reachFilesStep(client, settled);
    expect((await client.deskTexts()).join('\n')).toContain(t('en', 'ask.intake.kind'));
    expect((await client.deskTexts()).join('\n')).toContain(t('en', 'ask.intake.category'));
    expect((await client.deskTexts()).join('\n')).toContain(t('en', 'ask.intake.order'));
    expect((await client.lastDesk())?.text).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
    await accepted(client.upload(SAMPLE_FILES.jpeg, 'image/jpeg', 'kettle base.jpg'));
    await accepted(client.press(t('en', 'button.files_done', { count: 1 })));
    expect((await client.lastDesk())?.text).toBe(t('en', 'ask.intake.remedy'));
    await accepted(client.press(t('en', 'remedy.replacement')));
    expect((await client.lastDesk())?.text).toBe(t('en', 'ask.intake.name'));
    await accepted(client.say('Anna Petrova'));
    // no "share my phone" button on the web: the question alone, the phone typed
    expect((await client.lastDesk())?.text).toBe(t('en', 'ask.intake.reach'));
    await accepted(client.say('+7 912 345-67-89'));
    expect((await client.lastDesk())?.text).toContain('Kettle KT-200');
  }

  async function registeredClaim(): Promise<{ client: ChatClient; number: string }> {
    const client = await ChatClient.open(app.url, 'en-GB');
    await intakeUpToSummary(client);
    await accepted(client.press(t('en', 'button.submit')));
    const number = NUMBER.exec((await client.deskTexts()).join('\n'))?.[1];
    if (!number) throw new Error('no claim number in the chat');
    return { client, number };
  }

  describe('the page', () => {
    it('is served in the language asked for, embeddable, with a strict policy and no inline script', async () => {
      const res = await fetch(`${app.url}/chat?lang=en`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('x-frame-options')).toBeNull();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('frame-ancestors');
      const html = await res.text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain(`<title>${t('en', 'web.chat.title')}</title>`);
      for (const id of ['chat-input', 'chat-send', 'chat-file', 'chat-log']) expect(html).toContain(`id="${id}"`);
      // the only scripts are files of this server; no inline handlers
      expect([...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]?.trim())).toEqual(['']);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).toContain('data-lang="en"');
    });

    it('follows Accept-Language, else the desk\'s default (Russian)', async () => {
      const russian = await (await fetch(`${app.url}/chat`, { headers: { 'accept-language': 'de-DE,ru;q=0.8,en;q=0.5' } })).text();
      expect(russian).toContain('<html lang="ru">');
      expect(russian).toContain(t('ru', 'web.chat.send'));
      expect(russian).toContain('data-lang=""');
      const english = await (await fetch(`${app.url}/chat`, { headers: { 'accept-language': 'en-US,en;q=0.9,ru;q=0.1' } })).text();
      expect(english).toContain('<html lang="en">');
      expect(await (await fetch(`${app.url}/chat`)).text()).toContain('<html lang="ru">');
      // an unknown ?lang is ignored, not an error
      expect((await fetch(`${app.url}/chat?lang=xx`)).status).toBe(200);
    });

    it('serves its script and stylesheet', async () => {
      const js = await fetch(`${app.url}/chat/app.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const script = await js.text();
      // messages are put on the page as text only
      expect(script).toContain('textContent');
      expect(script).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write|eval\(/);
      const css = await fetch(`${app.url}/chat/app.css`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    });
  });

  describe('sessions', () => {
    it('gives a random token once and keeps only its hash, with a visitor id not derived from it', async () => {
      const res = await fetch(`${app.url}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ languageCode: 'en-GB' }) });
      expect(res.status).toBe(201);
      const { token } = (await res.json()) as { token: string };
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      const hash = createHash('sha256').update(token).digest('hex');
      const stored = await app.db.collection('web_chat_visitors').findOne({ tokenHash: hash });
      expect(stored).toMatchObject({ tokenHash: hash, languageCode: 'en-GB' });
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(String(stored?._id)).not.toBe(token);
      expect(hash).not.toContain(String(stored?._id));
    });

    it('refuses a body that is not JSON or a bad language tag, and creates nothing', async () => {
      const before = await counts();
      const form = await fetch(`${app.url}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'languageCode=en' });
      expect(form.status).toBe(415);
      const bad = await fetch(`${app.url}/chat/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ languageCode: { $gt: '' } }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/languageCode/);
      expect(await counts()).toEqual(before);
    });
  });

  describe('a full intake', () => {
    let anna: ChatClient;
    let number = '';

    it('ends with the claim number in the chat, the claim in the database (channel web), the photo in GridFS', async () => {
      const registered = await registeredClaim();
      anna = registered.client;
      number = registered.number;
      const claims = await app.db.collection('claims').find({ number }).toArray();
      expect(claims).toHaveLength(1);
      const claim = claims[0];
      expect(claim).toMatchObject({
        status: 'new',
        customer: { channel: 'web' },
        conversation: { channel: 'web' },
        locale: 'en',
        contact: { name: 'Anna Petrova', phone: '+79123456789' },
        concerns: { product: 'Kettle KT-200' },
      });
      const attachments = claim?.attachments as { channel: string; kind: string; fileId: string; fileName: string; mimeType: string; sizeBytes: number }[];
      expect(attachments).toEqual([{ channel: 'web', kind: 'photo', fileId: expect.stringMatching(/^[0-9a-f]{24}$/) as string, fileName: 'kettle base.jpg', mimeType: 'image/jpeg', sizeBytes: SAMPLE_FILES.jpeg.length }]);
      // the staff console opens it from the file store
      const opened = await new FileStore(app.db).open(attachments[0]?.fileId ?? '');
      expect(opened).toMatchObject({ name: 'kettle base.jpg', mimeType: 'image/jpeg', size: SAMPLE_FILES.jpeg.length });
      const chunks: Buffer[] = [];
      for await (const chunk of opened?.stream ?? []) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(SAMPLE_FILES.jpeg)).toBe(true);
      expect(await new FileStore(app.db).open('not-an-id')).toBeUndefined();
    });

    it('keeps the transcript across a reload: both sides in order, pressed buttons as the customer\'s words, no file ids', async () => {
      const entries = await anna.transcript();
      const seqs = entries.map((entry) => entry.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      const lines = entries.map((entry) => `${entry.from}: ${entry.text}${entry.files ? ` [${entry.files.map((f) => f.name ?? '').join(',')}]` : ''}`);
      // the opening /start was the page's, not the customer's: not shown
      expect(lines[0]).toMatch(/^desk: /);
      expect(lines).not.toContain('customer: /start');
      const sequence = [
        `customer: ${t('en', 'kind.claim')}`,
        `desk: ${t('en', 'ask.intake.category')}`,
        'customer: Defective product',
        'customer: Kettle KT-200',
        `desk: ${t('en', 'ask.intake.order')}`,
        `customer: ${t('en', 'button.skip')}`,
        'customer: The kettle stopped heating after two days of use.',
        'customer:  [kettle base.jpg]',
        `customer: ${t('en', 'button.files_done', { count: 1 })}`,
        'customer: Anna Petrova',
        `desk: ${t('en', 'ask.intake.reach')}`,
        'customer: +7 912 345-67-89',
        `customer: ${t('en', 'button.submit')}`,
      ];
      let at = -1;
      for (const line of sequence) {
        const found = lines.indexOf(line, at + 1);
        expect(found, `${line} after line ${String(at)}`).toBeGreaterThan(at);
        at = found;
      }
      expect(NUMBER.exec(lines.slice(at).join('\n'))?.[1]).toBe(number);
      expect(JSON.stringify(entries)).not.toMatch(/fileId/);
      // a page of the transcript after a seq
      const tail = await anna.transcript(seqs[seqs.length - 3]);
      expect(tail.map((entry) => entry.seq)).toEqual(seqs.slice(-2));
      const limited = (await (await anna.get('?after=0&limit=2')).json()) as { messages: ChatEntry[]; more: boolean };
      expect(limited.messages.map((entry) => entry.seq)).toEqual(seqs.slice(0, 2));
      expect(limited.more).toBe(true);
    });

    it('/status and /help are typed as in Telegram', async () => {
      await accepted(anna.say('/status'));
      expect((await anna.deskTexts()).slice(-2).join('\n')).toContain(number);
      await accepted(anna.say('/help'));
      expect((await anna.deskTexts()).slice(-3)).toContain(t('en', 'help'));
    });

    it('only the buttons of a desk message are lasting when their ids work at any time', async () => {
      const entries = await anna.transcript();
      const kind = entries.find((entry) => entry.text.includes(t('en', 'ask.intake.kind')));
      expect(kind?.choices?.length).toBeGreaterThan(0);
      expect(kind?.choices?.every((choice) => !choice.lasting)).toBe(true);
      const help = entries.filter((entry) => entry.text === t('en', 'help')).at(-1);
      expect(help?.choices?.length).toBeGreaterThan(0);
      expect(help?.choices?.every((choice) => choice.lasting)).toBe(true);
    });

    it('staff taking the claim reaches the open live stream; a reconnect gets what came after its last seq', async () => {
      const before = await anna.transcript();
      const stream = await anna.events(before.at(-1)?.seq);
      try {
        expect(stream.response.status).toBe(200);
        expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
        const claim = await app.claims.findByNumber(number);
        if (!claim) throw new Error('no claim');
        await app.registry.take(claim.id, 'maria');
        const notice = await stream.waitFor((entry) => entry.text.startsWith(t('en', 'notice.take', { number, due: '@' }).split('@')[0] ?? ''));
        expect(notice.from).toBe('desk');
        expect(stream.ids).toContain(String(notice.seq));
        expect(stream.entries.every((entry) => entry.seq > (before.at(-1)?.seq ?? 0))).toBe(true);
      } finally {
        await stream.close();
      }
      // reconnecting with Last-Event-ID from an earlier point replays only what came after it
      const last = before.at(-1)?.seq ?? 0;
      const replay = await EventStream.open(`${app.url}/chat/api/events`, { ...anna.auth, 'last-event-id': String(last) });
      try {
        await replay.waitFor((entry) => entry.text.startsWith(t('en', 'notice.take', { number, due: '@' }).split('@')[0] ?? ''));
        expect(replay.entries.map((entry) => entry.seq).every((seq) => seq > last)).toBe(true);
      } finally {
        await replay.close();
      }
    });

    it('the decision and then the survey arrive live; a score pressed over the API is recorded', async () => {
      const stream = await anna.events((await anna.transcript()).at(-1)?.seq);
      try {
        const claim = await app.claims.findByNumber(number);
        if (!claim) throw new Error('no claim');
        await app.registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'replacement', responseText: 'We will replace the kettle.' } }, staff);
        await stream.waitFor((entry) => entry.text.includes('We will replace the kettle.'));
        const survey = await stream.waitFor((entry) => entry.text === t('en', 'survey.ask', { number }), 12_000);
        expect(survey.choices?.map((choice) => choice.label)).toEqual(['1', '2', '3', '4', '5']);
        expect(survey.choices?.every((choice) => choice.lasting)).toBe(true);
        await accepted(anna.post('messages', { id: messageId(), choiceId: survey.choices?.[3]?.id }));
        await stream.waitFor((entry) => entry.text === t('en', 'survey.ask_comment'));
        expect((await app.claims.findByNumber(number))?.survey?.score).toBe(4);
        // the press shows as the customer's "4", before the desk's question
        const pressed = await stream.waitFor((entry) => entry.from === 'customer' && entry.text === '4');
        expect(pressed.seq).toBeLessThan(stream.entries.find((entry) => entry.text === t('en', 'survey.ask_comment'))?.seq ?? 0);
      } finally {
        await stream.close();
      }
    }, 30_000);
  });

  describe('retries and refusals', () => {
    it('a retried message id is handled once', async () => {
      const client = await ChatClient.open(app.url);
      await accepted(client.post('messages', { id: 'page-start', text: '/start', auto: true }));
      const id = messageId();
      const first = await accepted(client.say('/help', id));
      expect(await first.json()).toMatchObject({ status: 'accepted', duplicate: false });
      const transcript = await client.transcript();
      const retried = await accepted(client.say('/help', id));
      expect(await retried.json()).toMatchObject({ status: 'accepted', duplicate: true });
      expect(await client.transcript()).toEqual(transcript);
      expect(transcript.filter((entry) => entry.from === 'customer')).toHaveLength(1);
      // the page's opening /start once, however often the page sends it
      await accepted(client.post('messages', { id: 'page-start', text: '/start', auto: true }));
      expect(await client.transcript()).toEqual(transcript);
    });

    it('a missing or forged token gets 401 everywhere and nothing is written', async () => {
      const client = await ChatClient.open(app.url);
      await accepted(client.say('/help'));
      const before = await counts();
      const forged = client.withToken('A'.repeat(43));
      const malformed = client.withToken('not a token');
      for (const who of [forged, malformed]) {
        expect((await who.say('/start')).status).toBe(401);
        expect((await who.upload(SAMPLE_FILES.pdf, 'application/pdf', 'a.pdf')).status).toBe(401);
        expect((await who.get('?after=0')).status).toBe(401);
        expect((await fetch(`${app.url}/chat/api/events`, { headers: who.auth })).status).toBe(401);
      }
      const none = await fetch(`${app.url}/chat/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: messageId(), text: 'hello' }) });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await fetch(`${app.url}/chat/api/messages?after=0`)).status).toBe(401);
      expect(await counts()).toEqual(before);
    });

    it('one visitor\'s token never shows another visitor\'s transcript', async () => {
      const olga = await ChatClient.open(app.url);
      const boris = await ChatClient.open(app.url);
      await accepted(olga.say('My order ORD-7777 never came'));
      await accepted(boris.say('/help'));
      const seen = JSON.stringify(await boris.transcript());
      expect(seen).not.toContain('ORD-7777');
      expect((await olga.transcript()).map((entry) => entry.text)).toContain('My order ORD-7777 never came');
      // Boris's live stream from the start carries only his messages
      const stream = await boris.events(0);
      await eventually(() => stream.entries.length >= 2);
      await accepted(olga.say('Still waiting for ORD-7777'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await stream.close();
      expect(JSON.stringify(stream.entries)).not.toContain('ORD-7777');
    });

    it('operator-looking or malformed input is a 400 and changes nothing', async () => {
      const client = await ChatClient.open(app.url);
      await accepted(client.say('/help'));
      const before = await counts();
      const transcript = await client.transcript();
      const bodies: unknown[] = [
        { id: messageId(), text: { $gt: '' } },
        { id: { $ne: null }, text: 'hi' },
        { id: messageId(), choiceId: { $ne: null } },
        { id: messageId(), choiceId: '1.kind"; drop' },
        { id: messageId(), text: 'hi', choiceId: 'g.new' },
        { id: messageId() },
        { id: messageId(), text: '   ' },
        { id: messageId(), text: 'x'.repeat(4097) },
        { id: 'short', text: 'hi' },
        { id: messageId(), text: 'hi', extra: true },
        { id: messageId(), text: 'hello', auto: true },
        [{ id: messageId(), text: 'hi' }],
      ];
      for (const body of bodies) {
        const res = await client.post('messages', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect((await client.post('messages', '{"id":')).status).toBe(400);
      expect((await client.post('messages', 'id=1&text=hi', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
      for (const query of ['?after[$gt]=0', '?after=abc', '?after=-1', '?after=1&after=2', '?limit=500', '?limit=0', '?whatever=1']) {
        expect((await client.get(query)).status, query).toBe(400);
      }
      expect((await fetch(`${app.url}/chat/api/events?after[$gt]=0`, { headers: client.auth })).status).toBe(400);
      expect((await client.upload(SAMPLE_FILES.pdf, 'application/pdf', 'a.pdf', 'bad id!')).status).toBe(400);
      expect((await client.upload(SAMPLE_FILES.pdf, 'application/pdf', '%E0%A4%A', messageId(), { 'x-file-name': '%E0%A4%A' })).status).toBe(400);
      expect(await counts()).toEqual(before);
      expect(await client.transcript()).toEqual(transcript);
    });
  });

  describe('files', () => {
    it('refuses an oversize file (413), a disguised program (415), a type not allowed (415) and an empty file (400), storing nothing', async () => {
      const client = await ChatClient.open(app.url);
      await reachFilesStep(client, settled);
      const before = await counts();
      const big = await client.upload(Buffer.concat([SAMPLE_FILES.jpeg, Buffer.alloc(10 * 1024 * 1024)]), 'image/jpeg', 'huge.jpg');
      expect(big.status).toBe(413);
      const disguised = await client.upload(SAMPLE_FILES.exe, 'image/jpeg', 'photo.jpg');
      expect(disguised.status).toBe(415);
      expect(((await disguised.json()) as { error: string }).error).toBe('type_mismatch');
      const program = await client.upload(SAMPLE_FILES.exe, 'application/x-msdownload', 'setup.exe');
      expect(program.status).toBe(415);
      expect(((await program.json()) as { error: string }).error).toBe('type_not_allowed');
      expect((await client.upload(SAMPLE_FILES.png, 'image/jpeg', 'really-a.png')).status).toBe(415);
      expect((await client.upload(SAMPLE_FILES.pdf, 'text/html', 'page.html')).status).toBe(415);
      expect((await client.upload(SAMPLE_FILES.exe, 'text/plain', 'notes.txt')).status).toBe(415);
      expect((await client.upload(Buffer.alloc(0), 'application/pdf', 'empty.pdf')).status).toBe(400);
      expect(await counts()).toEqual(before);
    });

    it('takes each allowed type whose bytes agree; a retried upload is stored and handled once', async () => {
      const client = await ChatClient.open(app.url);
      await reachFilesStep(client, settled);
      const samples: [Buffer, string, string][] = [
        [SAMPLE_FILES.pdf, 'application/pdf', 'receipt.pdf'],
        [SAMPLE_FILES.png, 'image/png', 'label.png'],
        [SAMPLE_FILES.text, 'text/plain; charset=utf-8', 'notes.txt'],
        [SAMPLE_FILES.mp4, 'video/mp4', 'clip.mp4'],
        [SAMPLE_FILES.heic, 'image/heic', 'IMG_0001.HEIC'],
      ];
      for (const [bytes, type, name] of samples) await accepted(client.upload(bytes, type, name));
      const files = () => app.db.collection('uploads.files').countDocuments({ 'metadata.ownerId': { $exists: true } });
      const stored = await files();
      const id = messageId();
      await accepted(client.upload(SAMPLE_FILES.pdf, 'application/pdf', '../../etc/passwd', id));
      const transcript = await client.transcript();
      const again = await accepted(client.upload(SAMPLE_FILES.pdf, 'application/pdf', '../../etc/passwd', id));
      expect(await again.json()).toMatchObject({ duplicate: true });
      expect(await files()).toBe(stored + 1);
      expect(await client.transcript()).toEqual(transcript);
      const names = transcript.flatMap((entry) => entry.files ?? []).map((file) => file.name);
      expect(names).toEqual(['receipt.pdf', 'label.png', 'notes.txt', 'clip.mp4', 'IMG_0001.HEIC', 'passwd']);
      // an id already used for a text cannot carry a file
      const textId = messageId();
      await accepted(client.say('/help', textId));
      expect((await client.upload(SAMPLE_FILES.pdf, 'application/pdf', 'x.pdf', textId)).status).toBe(409);
    });
  });

  it('takes a file between dialogs only while staff wait for the customer\'s answer, and adds it to that claim', async () => {
    const { client, number } = await registeredClaim();
    const claim = await app.claims.findByNumber(number);
    if (!claim) throw new Error('no claim');
    await app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'take' });
    await settled();
    expect((await client.upload(SAMPLE_FILES.pdf, 'application/pdf', 'receipt.pdf')).status).toBe(409);
    await app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'request_info', question: 'Could you send the receipt?' });
    await settled();
    await accepted(client.upload(SAMPLE_FILES.pdf, 'application/pdf', 'receipt.pdf'));
    const after = await app.claims.findByNumber(number);
    const added = after?.history.filter((event) => event.type === 'customer_info').at(-1);
    expect(added?.attachments?.map((file) => file.fileName)).toEqual(['receipt.pdf']);
    expect(after?.status).toBe('in_review');
  });

  it('no customer text, name, phone or file name reaches the logs', async () => {
    // a whole intake with a file, a refused file and a decision happen here, whatever ran before
    const { client, number } = await registeredClaim();
    await accepted(client.say('/add'));
    expect((await client.upload(SAMPLE_FILES.exe, 'image/jpeg', 'passwd')).status).toBe(415);
    const claim = await app.claims.findByNumber(number);
    if (!claim) throw new Error('no claim');
    await app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'take' });
    await app.idle();
    const text = logLines.join('\n');
    expect(logRecords(logLines)).toContainEqual(expect.objectContaining({ component: 'web', msg: 'customer chat ready' }));
    expect(text).toMatch(/file refused/);
    for (const secret of ['Anna Petrova', 'Petrova', '912 345', '79123456789', 'Kettle KT-200', 'stopped heating', 'kettle base', 'ORD-7777', 'receipt.pdf', 'passwd', 'We will replace']) {
      expect(text, secret).not.toContain(secret);
    }
  });
});
