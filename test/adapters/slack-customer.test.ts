import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { logRecords } from '../support/log.js';
import { DatabaseRelay } from '../support/db-outage.js';
import type { StoredMessage } from '../support/slack-api.js';
import { eventBody, dmMessageEvent, sendSigned, slackSignature, TEST_SIGNING_SECRET } from '../support/slack-requests.js';
import { QUALITY, SlackDesk, TEAM } from '../support/slack-desk.js';

interface Section {
  type: string;
  text?: { type: string; text: string };
  elements?: { action_id: string; value: string; text: { text: string } }[];
}

const sections = (message: StoredMessage | undefined): Section[] => (Array.isArray(message?.blocks) ? (message.blocks as Section[]) : []);
/** What the customer reads: the message's sections. */
const shown = (message: StoredMessage | undefined) =>
  sections(message)
    .filter((block) => block.type === 'section')
    .map((block) => block.text?.text ?? '')
    .join('');

/** A customer in a DM with the app, pressing buttons by their labels. */
class SlackCustomer {
  private seen = 0;
  replies: string[] = [];

  constructor(
    private readonly desk: SlackDesk,
    readonly userId: string,
  ) {}

  get last(): string {
    return this.replies.at(-1) ?? '';
  }

  private async collect(): Promise<void> {
    await this.desk.settled();
    const messages = this.desk.dmMessages(this.userId);
    this.replies = messages.slice(this.seen).map(shown);
    this.seen = messages.length;
  }

  async says(text: string): Promise<void> {
    const res = await this.desk.dm(this.userId, text);
    expect(res.status).toBe(200);
    await this.collect();
  }

  async sendsFile(name: string, mimetype: string, caption = ''): Promise<void> {
    const res = await this.desk.dm(this.userId, caption, { files: [{ id: `F${randomBytes(4).toString('hex').toUpperCase()}`, name, mimetype, size: 2048, filetype: name.split('.').pop() ?? 'bin' }] });
    expect(res.status).toBe(200);
    await this.collect();
  }

  /** Presses the newest button with this label. */
  async presses(label: string): Promise<void> {
    const buttons = this.desk
      .dmMessages(this.userId)
      .flatMap((message) => sections(message).flatMap((block) => block.elements ?? []))
      .filter((element) => element.text.text === label);
    const button = buttons.at(-1);
    if (!button) throw new Error(`no button "${label}" in the DM`);
    const res = await this.desk.choose(this.userId, button.value);
    expect(res.status).toBe(200);
    await this.collect();
  }

  async command(text: string): Promise<void> {
    const res = await this.desk.command(this.userId, '/claimdesk', text, 'C0SOMEWHERE');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await this.collect();
  }
}

describe('Slack: a customer files a claim by direct message', () => {
  let desk: SlackDesk;
  const ANNA = 'U0ANNA0001';

  beforeAll(async () => {
    desk = await SlackDesk.start();
    desk.fake.addUser({ id: ANNA, name: 'anna', realName: 'Anna Petrova', locale: 'en-US' });
  });
  afterAll(async () => {
    await desk.stop();
  });

  it('the same dialogs as in Telegram: buttons as Block Kit, typed numbers as a fallback, files as references; the claim reaches the staff channel', async () => {
    const anna = new SlackCustomer(desk, ANNA);
    await anna.says('Hello, my kettle broke');
    expect(anna.last).toContain(t('en', 'ask.intake.kind'));
    // the notification text carries the choices numbered, for clients without blocks
    expect(desk.dmMessages(ANNA).at(-1)?.text).toContain(`1. ${t('en', 'kind.claim')}`);
    await anna.says('1'); // a typed number picks the first choice
    expect(anna.last).toBe(t('en', 'ask.intake.category'));
    await anna.presses('Defective product');
    await anna.says('Kettle KT-200');
    expect(anna.last).toBe(t('en', 'ask.intake.order'));
    await anna.presses(t('en', 'button.skip'));
    await anna.says('The kettle stopped heating after two days of use.');
    // the privacy notice (#26), agreed with its button in the DM
    expect(anna.last).toContain(t('en', 'consent.notice'));
    await anna.presses(t('en', 'button.consent_agree'));
    expect(anna.last).toContain(t('en', 'ask.intake.files', { max: 20 }).slice(0, 30));
    await anna.sendsFile('../base photo.jpg', 'image/jpeg', 'the base');
    await anna.presses(t('en', 'button.files_done', { count: 1 }));
    expect(anna.last).toBe(t('en', 'ask.intake.remedy'));
    await anna.presses(t('en', 'remedy.replacement'));
    expect(anna.last).toBe(t('en', 'ask.intake.name'));
    await anna.says('Anna Petrova');
    expect(anna.last).toBe(t('en', 'ask.intake.reach'));
    // Slack turns a typed e-mail address into a mailto link; the desk reads the address
    await anna.says('<mailto:anna@example.com|anna@example.com>');
    expect(anna.last).toContain('anna@example.com');
    expect(anna.last).toContain('Kettle KT-200');
    await anna.presses(t('en', 'button.submit'));
    const number = /\d{4}-\d{6}/.exec(anna.replies.join('\n'))?.[0];
    expect(number).toBeDefined();

    const claim = await desk.app.claims.findByNumber(number ?? '');
    expect(claim).toMatchObject({
      customer: { channel: 'slack', userId: ANNA, teamId: TEAM },
      conversation: { channel: 'slack', chatId: desk.fake.dmChannelFor(ANNA), teamId: TEAM },
      contact: { name: 'Anna Petrova', email: 'anna@example.com' },
      locale: 'en',
      attachments: [expect.objectContaining({ channel: 'slack', kind: 'photo', fileName: 'base photo.jpg', mimeType: 'image/jpeg' })],
    });
    await desk.settled();
    const post = desk.fake.messagesIn(QUALITY).find((message) => JSON.stringify(message.blocks).includes(number ?? '-'));
    expect(JSON.stringify(post?.blocks)).toContain(t('ru', 'staff.channel.slack'));
  });

  it('the dialogs\' commands go through /claimdesk (Slack keeps "/…" typed in a DM for itself)', async () => {
    const anna = new SlackCustomer(desk, ANNA);
    await anna.command('status');
    expect(anna.replies.join('\n')).toContain(t('en', 'status.list_title'));
    await anna.command('');
    // the help names the commands the way Slack users type them
    const help = anna.replies.join('\n');
    expect(help).toContain('/claimdesk new — ');
    expect(help).toContain('/claimdesk status — ');
    expect(help).not.toMatch(/(^|\s)\/status/);
  });
});

describe('Slack: requests are signed, answered after recording, and a retry is handled once', () => {
  let desk: SlackDesk;
  let relay: DatabaseRelay;
  const BORIS = 'U0BORIS001';

  beforeAll(async () => {
    relay = await DatabaseRelay.start(inject('mongoUri'));
    desk = await SlackDesk.start({ mongoUri: relay.uri });
  });
  afterAll(async () => {
    relay.restore();
    await desk.stop();
    await relay.close();
  });

  const signedDm = (text: string, eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`) =>
    eventBody({ teamId: TEAM, eventId, event: dmMessageEvent({ teamId: TEAM, userId: BORIS, channel: desk.fake.dmChannelFor(BORIS), text, ts: desk.fake.nextTs() }) });
  const conversation = () => desk.app.db.collection('conversations').findOne({ _id: `slack:${desk.fake.dmChannelFor(BORIS)}` as never });

  it('a forged, a missing or a stale signature gets 401 and nothing is written or sent', async () => {
    const body = signedDm('hello');
    const forged = await sendSigned(desk.eventsUrl, { ...body, signature: `v0=${'0'.repeat(64)}` });
    const wrongSecret = await sendSigned(desk.eventsUrl, { ...body, secret: 'ffffffffffffffffffffffffffffffff' });
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const old = await sendSigned(desk.eventsUrl, { ...body, timestamp: stale, signature: slackSignature(TEST_SIGNING_SECRET, stale, body.body) });
    const unsigned = await fetch(desk.eventsUrl, { method: 'POST', headers: { 'content-type': body.contentType }, body: body.body });
    expect([forged.status, wrongSecret.status, old.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    await desk.settled();
    expect(await conversation()).toBeNull();
    expect(desk.dmMessages(BORIS)).toEqual([]);
  });

  it('answers Slack\'s URL verification; a signed body that is not JSON gets 400', async () => {
    const verify = await sendSigned(desk.eventsUrl, { body: JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }), contentType: 'application/json' });
    expect(verify.json()).toEqual({ challenge: 'abc123' });
    const broken = await sendSigned(desk.eventsUrl, { body: '{"type": "event_callback",', contentType: 'application/json' });
    expect(broken.status).toBe(400);
  });

  it('a redelivered event (same id, X-Slack-Retry-Num) is recognised: one reply', async () => {
    const body = signedDm('Hello there');
    const first = await sendSigned(desk.eventsUrl, body);
    const retry = await sendSigned(desk.eventsUrl, { ...body, headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await desk.settled();
    expect(desk.dmMessages(BORIS)).toHaveLength(1);
    expect(logRecords(desk.logLines)).toContainEqual(expect.objectContaining({ component: 'slack', msg: 'Slack redelivered a request', retryNum: 1 }));
  });

  it('with the database unreachable the event gets 500 (Slack retries); the retry is recorded once', async () => {
    const before = desk.dmMessages(BORIS).length;
    const body = signedDm('1');
    relay.cut();
    const failed = await sendSigned(desk.eventsUrl, body);
    expect(failed.status).toBe(500);
    relay.restore();
    const retried = await sendSigned(desk.eventsUrl, { ...body, headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_error' } });
    expect(retried.status).toBe(200);
    const again = await sendSigned(desk.eventsUrl, { ...body, headers: { 'X-Slack-Retry-Num': '2', 'X-Slack-Retry-Reason': 'http_error' } });
    expect(again.status).toBe(200);
    await desk.settled();
    // "1" answered the kind question: exactly one reply (the category question), in the desk's
    // language, since Slack told nothing about this user
    expect(desk.dmMessages(BORIS).slice(before).map(shown)).toEqual([t('ru', 'ask.intake.category')]);
    // no customer text in the log lines
    expect(desk.logLines.join('\n')).not.toContain('Hello there');
  });
});
