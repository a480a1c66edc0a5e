import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { LocalSmtp } from '../support/smtp.js';
import { eventually, exampleDesk } from '../support/fixtures.js';
import { noticeVersion } from '../../src/domain/desk.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/**
 * #25, the console as a full workspace: registering a claim received by phone, e-mail, letter or
 * in person (the dialog's rules, the same registry path), its notices by e-mail through a real
 * local SMTP server, and — with neither e-mail nor messenger — the text staff tell the customer.
 */

interface ClaimBody {
  claim: {
    number: string;
    status: string;
    channel: string;
    department: string;
    history: { type: string; text: string }[];
    actions: { action: string; allowed: boolean }[];
    registeredBy: { id: string; name: string } | null;
    tellCustomer: { text: string }[];
    links: { duplicateOf: string | null; duplicates: string[] };
  };
  message?: string;
}

const form = (over: Record<string, unknown> = {}) => ({
  requestId: crypto.randomUUID(),
  channel: 'phone',
  kind: 'claim',
  category: 'refund',
  product: 'Kettle KT-200',
  orderOrBatch: '',
  amount: '1 299,90',
  purchaseDate: '',
  description: 'Paid twice for one kettle, please refund one payment.',
  desiredRemedy: 'refund',
  name: 'Anna Ivanova',
  phone: '8 (912) 345-67-89',
  email: 'anna@example.com',
  locale: 'en',
  consent: true,
  ...over,
});

describe('the web console: registering claims and their notices by e-mail (#25)', () => {
  let smtp: LocalSmtp;
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support

  beforeAll(async () => {
    smtp = await LocalSmtp.start();
    desk = await ConsoleDesk.start({ extraEnv: { SMTP_URL: smtp.url, SMTP_FROM: 'Claims desk <desk@example.com>' }, notifications: { sweepEvery: '1 hour', retry: { delayMs: 200, maxDelayMs: 400, maxRetries: 3 } } });
    olga = await desk.signIn('olga');
  });
  afterAll(async () => {
    await desk.stop();
    await smtp.stop();
  });

  const stored = async (number: string): Promise<Claim> => {
    const claim = await desk.app.claims.findByNumber(number);
    if (!claim) throw new Error(`no claim ${number}`);
    return claim;
  };
  const count = () => desk.app.db.collection('claims').countDocuments();

  it('registers a phone claim through the registry: numbered, routed, the channel and the registrar recorded; the acknowledgement goes by e-mail', async () => {
    const res = await olga.post('/console/api/claims', form());
    expect(res.status).toBe(201);
    const body = (await res.json()) as ClaimBody;
    expect(body.claim).toMatchObject({ status: 'new', channel: 'phone', department: 'support', registeredBy: { id: 'olga', name: 'Olga Smirnova' } });
    expect(body.message).toBe(t('ru', 'console.register.done', { number: body.claim.number }));
    const claim = await stored(body.claim.number);
    // the dialog's rules: the phone normalised, the e-mail kept, the SLA of the refund category (360 h)
    expect(claim.contact).toEqual({ name: 'Anna Ivanova', phone: '+79123456789', email: 'anna@example.com' });
    expect(claim.sla.resolutionHours).toBe(360);
    expect(claim.customer.channel).toBe('phone');
    // the consent staff confirmed, to the notice the desk asks now, when it was registered (#26)
    expect(claim.consent?.version).toBe(noticeVersion(await exampleDesk()));
    expect(Math.abs((claim.consent?.at.getTime() ?? 0) - claim.createdAt.getTime())).toBeLessThan(60_000);
    expect(body.claim.history[0]?.text).toBe(t('ru', 'staff.history.registered_by', { who: 'Olga Smirnova', channel: t('ru', 'staff.channel.phone') }));

    await eventually(() => smtp.to('anna@example.com').length === 1);
    const [mail] = smtp.to('anna@example.com');
    const notice = t('en', 'notice.registered', { number: claim.number, due: formatDateTime(claim.sla.resolutionDueAt, 'en', 'Europe/Moscow') });
    expect(mail?.from).toBe('desk@example.com');
    expect(mail?.subject).toBe(t('en', 'email.subject', { desk: 'Claims desk', number: claim.number }));
    expect(mail?.text).toBe(`${notice}\n\n${t('en', 'email.footer', { desk: 'Claims desk', number: claim.number })}`);
    expect(mail?.html).toContain(`<p>${notice}</p>`);
    await eventually(async () => (await stored(claim.number)).history[0]?.deliveredAt instanceof Date);

  });

  it('the same request id twice registers one claim', async () => {
    const requestId = crypto.randomUUID();
    const first = (await (await olga.post('/console/api/claims', form({ requestId, email: '' }))).json()) as ClaimBody;
    const before = await count();
    const second = await olga.post('/console/api/claims', form({ requestId, email: '' }));
    expect(second.status).toBe(201);
    expect(((await second.json()) as ClaimBody).claim.number).toBe(first.claim.number);
    expect(await count()).toBe(before);
  });

  it('bad input is a 400 naming the fields, and nothing is stored', async () => {
    const before = await count();
    const refused = async (over: Record<string, unknown>) => {
      const res = await olga.post('/console/api/claims', form(over));
      expect(res.status).toBe(400);
      return ((await res.json()) as { message: string }).message;
    };
    expect(await refused({ description: 'short' })).toContain('description');
    expect(await refused({ phone: '', email: '' })).toContain('contact.phone');
    expect(await refused({ email: 'not-an-address' })).toContain('contact.email');
    expect(await refused({ phone: '12' })).toContain('contact.phone');
    expect(await refused({ name: ' ' })).toContain('contact.name');
    expect(await refused({ category: 'no-such-category' })).toContain('no-such-category');
    // a category not offered for the kind (service is for complaints)
    expect(await refused({ category: 'service' })).toContain('service');
    expect(await refused({ channel: 'telegram' })).toContain('channel');
    expect(await refused({ locale: 'de' })).toContain('locale');
    // the refund category asks the amount (required) and the purchase date, read as the dialog reads them
    expect(await refused({ amount: '' })).toContain('amount: required by the category');
    expect(await refused({ amount: '12 €' })).toContain('amount: expected a positive amount in RUB');
    expect(await refused({ purchaseDate: 'tomorrow' })).toContain('purchaseDate: expected a past date');
    // the customer's agreement to the privacy notice, confirmed by staff (#26)
    expect(await refused({ consent: false })).toContain('consent');
    expect(await count()).toBe(before);
  });

  it('nobody signed in is refused', async () => {
    const res = await desk.anonymous().post('/console/api/claims', form());
    expect(res.status).toBe(401);
  });

  it('a reply reaches the customer by e-mail, without chat instructions', async () => {
    const { claim } = (await (await olga.post('/console/api/claims', form({ email: 'boris@example.com', name: 'Boris' }))).json()) as ClaimBody;
    await eventually(() => smtp.to('boris@example.com').length === 1);
    const res = await olga.post(`/console/api/claims/${claim.number}/actions`, { action: 'reply', text: 'We have found the second payment.' });
    expect(res.status).toBe(200);
    await eventually(() => smtp.to('boris@example.com').length === 2);
    expect(smtp.to('boris@example.com')[1]?.text).toBe(`${t('en', 'notice.offline.reply', { number: claim.number, text: 'We have found the second payment.' })}\n\n${t('en', 'email.footer', { desk: 'Claims desk', number: claim.number })}`);
  });

  it('an address the mail server refuses for good is recorded once, staff told, and not retried', async () => {
    smtp.refused.add('gone@example.com');
    const { claim } = (await (await olga.post('/console/api/claims', form({ email: 'gone@example.com' }))).json()) as ClaimBody;
    await eventually(async () => (await stored(claim.number)).history[0]?.deliveryFailure === 'unreachable');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await stored(claim.number);
    expect(after.history.filter((event) => event.type === 'delivery_failed')).toHaveLength(1);
    expect(smtp.to('gone@example.com')).toEqual([]);
  });

  it('an address refused for now is retried until it is taken', async () => {
    smtp.deferred.add('later@example.com');
    const { claim } = (await (await olga.post('/console/api/claims', form({ email: 'later@example.com' }))).json()) as ClaimBody;
    // a failed run is recorded on the job: codes only, never the address the server's text may quote
    const jobs = () => desk.app.db.collection('agendaJobs').find({ 'data.claimId': { $exists: true } }).toArray();
    await eventually(async () => (await jobs()).some((job) => typeof job.failReason === 'string'));
    expect(JSON.stringify(await jobs())).not.toContain('later@example.com');
    expect((await stored(claim.number)).history[0]?.deliveryFailure).toBeUndefined();
    smtp.deferred.delete('later@example.com');
    await eventually(() => smtp.to('later@example.com').length === 1, 15_000);
    await eventually(async () => (await stored(claim.number)).history[0]?.deliveredAt instanceof Date);
  });

  it('with neither e-mail nor messenger, the claim page gives staff the text to read out or print', async () => {
    const { claim } = (await (await olga.post('/console/api/claims', form({ email: '', channel: 'letter' }))).json()) as ClaimBody;
    await eventually(async () => (await stored(claim.number)).history[0]?.deliveryFailure === 'no_channel');
    await olga.post(`/console/api/claims/${claim.number}/actions`, { action: 'reply', text: 'Please send us the receipt.' });
    const stale = await stored(claim.number);
    await eventually(async () => (await stored(claim.number)).history.filter((event) => event.notifyCustomer && event.deliveryFailure === 'no_channel').length === 2);
    const { claim: shown } = (await (await olga.get(`/console/api/claims/${claim.number}`)).json()) as ClaimBody;
    expect(shown.tellCustomer.map((notice) => notice.text)).toEqual([
      t('en', 'notice.registered', { number: claim.number, due: formatDateTime(stale.sla.resolutionDueAt, 'en', 'Europe/Moscow') }),
      t('en', 'notice.offline.reply', { number: claim.number, text: 'Please send us the receipt.' }),
    ]);
    expect(shown.history.map((line) => line.text)).toContain(t('ru', 'staff.history.tell_customer'));
    expect(smtp.received.some((mail) => mail.text.includes(claim.number))).toBe(false);
  });
});

describe('the web console: moving a claim and linking a duplicate (#25)', () => {
  let smtp: LocalSmtp;
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality

  beforeAll(async () => {
    smtp = await LocalSmtp.start();
    desk = await ConsoleDesk.start({ extraEnv: { SMTP_URL: smtp.url, SMTP_FROM: 'desk@example.com' } });
    [olga, ivan] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan')]);
  });
  afterAll(async () => {
    await desk.stop();
    await smtp.stop();
  });

  const register = async (over: Record<string, unknown> = {}): Promise<ClaimBody['claim']> => {
    const res = await olga.post('/console/api/claims', form(over));
    expect(res.status).toBe(201);
    return ((await res.json()) as ClaimBody).claim;
  };
  const act = (who: ConsoleBrowser, number: string, body: unknown) => who.post(`/console/api/claims/${number}/actions`, body);
  const stored = async (number: string): Promise<Claim> => {
    const claim = await desk.app.claims.findByNumber(number);
    if (!claim) throw new Error(`no claim ${number}`);
    return claim;
  };

  it('moves a claim to a category of another department: the SLA by its policy, the move in the history; refusals change nothing', async () => {
    const claim = await register();
    const version = (await stored(claim.number)).version;
    expect((await act(olga, claim.number, { action: 'move', category: 'delivery', reason: '' })).status).toBe(400);
    expect((await act(olga, claim.number, { action: 'move', reason: 'Somewhere' })).status).toBe(400);
    expect((await act(olga, claim.number, { action: 'move', category: 'nope', reason: 'Somewhere' })).status).toBe(400);
    const other = await act(ivan, claim.number, { action: 'move', category: 'delivery', reason: 'Not ours' });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: 'other_department', message: t('ru', 'staff.refused.other_department') });
    expect((await stored(claim.number)).version).toBe(version);

    const res = await act(olga, claim.number, { action: 'move', category: 'delivery', reason: 'The courier broke it' });
    expect(res.status).toBe(200);
    const { claim: moved } = (await res.json()) as ClaimBody;
    expect({ department: moved.department, status: moved.status }).toEqual({ department: 'logistics', status: 'new' });
    const after = await stored(claim.number);
    expect(after.sla.resolutionHours).toBe(72);
    expect(moved.history.map((line) => line.text)).toContain(
      t('ru', 'staff.history.moved', { who: 'Olga Smirnova', from: 'Поддержка клиентов / Возврат денег', to: 'Логистика / Доставка: задержка, повреждение, не тот товар', reason: '\n\u2068The courier broke it\u2069' }),
    );
    // now in logistics: Olga (support) may not act on it any more
    expect((await act(olga, claim.number, { action: 'move', category: 'refund', reason: 'Back' })).status).toBe(403);
  });

  it('links a duplicate: closed with the link, its customer told by e-mail which number to follow, the links on both claims', async () => {
    const original = await register({ email: 'dup@example.com' });
    const duplicate = await register({ email: 'dup@example.com', description: 'Paid twice for one kettle, second call.' });
    await eventually(() => smtp.to('dup@example.com').length === 2);
    expect((await act(olga, duplicate.number, { action: 'link_duplicate', original: duplicate.number })).status).toBe(400);
    expect((await act(olga, duplicate.number, { action: 'link_duplicate', original: '2026-999999' })).status).toBe(400);
    expect((await act(olga, duplicate.number, { action: 'link_duplicate', original: 'kettle' })).status).toBe(400);
    expect((await act(ivan, duplicate.number, { action: 'link_duplicate', original: original.number })).status).toBe(403);
    expect((await stored(duplicate.number)).status).toBe('new');

    const res = await act(olga, duplicate.number, { action: 'link_duplicate', original: original.number, note: 'Second call' });
    expect(res.status).toBe(200);
    const { claim: closed } = (await res.json()) as ClaimBody;
    expect({ status: closed.status, links: closed.links }).toEqual({ status: 'closed', links: { duplicateOf: original.number, duplicates: [] } });
    const { claim: shown } = (await (await olga.get(`/console/api/claims/${original.number}`)).json()) as ClaimBody;
    expect(shown.links).toEqual({ duplicateOf: null, duplicates: [duplicate.number] });
    await eventually(() => smtp.to('dup@example.com').length === 3);
    expect(smtp.to('dup@example.com')[2]?.text).toContain(t('en', 'notice.duplicate', { number: duplicate.number, original: original.number }));
    // a closed duplicate cannot be linked again to something else
    expect((await act(olga, duplicate.number, { action: 'link_duplicate', original: (await register()).number })).status).toBe(409);
  });
});
