import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { logRecords } from '../support/log.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import { COLLECTIONS } from '../../src/store/collections.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { FileStore } from '../../src/store/files.js';

interface ClaimBody {
  claim: {
    number: string;
    status: string;
    assignee: { id: string } | null;
    history: { text: string }[];
    actions: { action: string; allowed: boolean; reason?: string }[];
    templates: { id: string; text: string }[];
    contact: { name: string };
    decision: { outcome: string } | null;
  };
}
interface ErrorBody {
  error: string;
  message: string;
}

describe('the web console API', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality
  let sergey: ConsoleBrowser; // head, every department (English)
  let refund: Claim; // support
  let defect: Claim; // quality

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [olga, ivan, sergey] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan'), desk.signIn('sergey')]);
    refund = (await desk.app.registry.submit(draft({ category: 'refund', desiredRemedy: 'refund', ...telegramCustomer('7001') }), 'web-console-1')).claim;
    defect = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7002'), locale: 'en' }), 'web-console-2')).claim;
  });
  afterAll(() => desk.stop());

  const actionsCount = () => desk.app.db.collection(COLLECTIONS.staffActions).countDocuments({ via: 'console' });

  describe('sign-in', () => {
    it('signs a listed member in with an HttpOnly, SameSite=Strict session cookie limited to /console', async () => {
      const res = await desk.anonymous().post('/console/api/login', { login: 'Maria', password: 'claimdesk-demo' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ staff: { id: 'maria', name: 'Maria Kuznetsova', roles: ['quality'], departments: ['quality', 'support', 'logistics'], locale: 'ru' } });
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^claimdesk_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43\d{3}$/);
    });

    it('answers a wrong password and an unknown login alike, and lets neither in', async () => {
      const wrong = await desk.anonymous().post('/console/api/login', { login: 'olga', password: 'not-the-password' }, { 'accept-language': 'en' });
      const unknown = await desk.anonymous().post('/console/api/login', { login: 'nobody', password: 'claimdesk-demo' }, { 'accept-language': 'en' });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(await wrong.json()).toEqual({ error: 'invalid_credentials', message: t('en', 'console.login.invalid') });
      expect(await unknown.json()).toEqual({ error: 'invalid_credentials', message: t('en', 'console.login.invalid') });
      expect(wrong.headers.get('set-cookie')).toBeNull();
    });

    it('makes a login wait after five failures, even for the right password, and says how long; logs staff id and address only', async () => {
      const guesser = desk.anonymous('203.0.113.50');
      for (let i = 0; i < 5; i++) expect((await guesser.post('/console/api/login', { login: 'ivan', password: `guess-${i}` })).status).toBe(401);
      const waiting = await desk.anonymous().post('/console/api/login', { login: 'ivan', password: 'claimdesk-demo' }, { 'accept-language': 'ru' });
      expect(waiting.status).toBe(429);
      const seconds = Number(waiting.headers.get('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
      expect(((await waiting.json()) as ErrorBody).message).toBe(t('ru', 'console.login.wait', { seconds }));
      // a session made before keeps working, and after the wait the owner is in
      expect((await ivan.get('/console/api/me')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      expect((await desk.anonymous().post('/console/api/login', { login: 'ivan', password: 'claimdesk-demo' })).status).toBe(200);
      const lines = desk.logLines.join('\n');
      const records = logRecords(desk.logLines);
      expect(records).toContainEqual(expect.objectContaining({ component: 'console', msg: 'sign-in failed', staffId: 'ivan', address: '203.0.113.50' }));
      expect(records).toContainEqual(
        expect.objectContaining({ component: 'console', msg: 'sign-in refused: too many failed attempts', staffId: 'ivan', address: expect.stringMatching(/^10\.\d+\.\d+\.\d+$/) as unknown, by: 'login', retryAfterSeconds: expect.any(Number) as unknown }),
      );
      expect(lines).not.toContain('guess-');
    });

    it('limits sign-in attempts per client address: a flood from one address leaves the others alone', async () => {
      const flood = desk.anonymous('198.51.100.77');
      const answers: string[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await flood.post('/console/api/login', { login: `nobody-${String(i)}`, password: 'x' });
        answers.push(`${String(res.status)} ${((await res.json()) as ErrorBody).error}`);
      }
      // five checks, then the address must wait (whatever login it tries), and past ten a minute it is not even looked up
      expect(answers).toEqual([...Array<string>(5).fill('401 invalid_credentials'), ...Array<string>(5).fill('429 throttled'), '429 busy']);
      expect((await desk.anonymous().post('/console/api/login', { login: 'maria', password: 'claimdesk-demo' })).status).toBe(200);
    });

    it('refuses forged, missing and signed-out sessions', async () => {
      expect((await desk.anonymous().get('/console/api/me')).status).toBe(401);
      const forged = desk.anonymous();
      forged.cookie = `claimdesk_console=${'A'.repeat(43)}`;
      expect((await forged.get('/console/api/me')).status).toBe(401);
      forged.cookie = 'claimdesk_console=../../etc';
      expect((await forged.get(`/console/api/claims/${refund.number}`)).status).toBe(401);
      const maria = await desk.signIn('maria');
      expect((await maria.get('/console/api/me')).status).toBe(200);
      const out = await maria.post('/console/api/logout', {});
      expect(out.headers.get('set-cookie')).toMatch(/^claimdesk_console=; .*Max-Age=0/);
      expect((await maria.get('/console/api/me')).status).toBe(401);
    });

    it('refuses bad sign-in input without a session', async () => {
      const browser = desk.anonymous();
      expect((await browser.post('/console/api/login', 'login=olga&password=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
      expect((await browser.post('/console/api/login', { login: { $ne: '' }, password: 'x' })).status).toBe(400);
      expect((await browser.post('/console/api/login', { login: 'olga', password: 'claimdesk-demo' }, { origin: 'https://evil.example' })).status).toBe(403);
    });
  });

  it('tells who is signed in and the desk vocabulary in their language', async () => {
    const res = await sergey.get('/console/api/me');
    const body = (await res.json()) as { staff: { id: string }; desk: { statuses: { id: string; label: string }[]; categories: { id: string; label: string }[] } };
    expect(body.staff.id).toBe('sergey');
    expect(body.desk.statuses).toContainEqual({ id: 'awaiting_customer', label: t('en', 'staff.status.awaiting_customer') });
    expect(body.desk.categories).toContainEqual({ id: 'defect', label: 'Defective product', department: 'quality' });
    expect(JSON.stringify(body)).not.toContain('scrypt');
  });

  it('shows a claim with what each action needs, and the templates in the customer\'s language', async () => {
    const res = await ivan.get(`/console/api/claims/${refund.number}`);
    expect(res.status).toBe(200);
    const { claim } = (await res.json()) as ClaimBody;
    // ivan is in quality: he may look at a support claim (its personal data masked, #26) but not act on it
    expect(claim.contact.name).toBe('A•••');
    expect(claim.actions.map((a) => [a.action, a.allowed])).toEqual([['take', false], ['assign', false], ['resolve', false], ['reply', false], ['move', false], ['link_duplicate', false], ['note', false]]);
    expect(claim.actions[0]?.reason).toBe(t('ru', 'staff.refused.other_department'));
    expect(claim.templates.find((tpl) => tpl.id === 'accepted-replacement')?.text).toMatch(new RegExp(`^По вашей претензии № ${refund.number} от `));
    const en = (await (await olga.get(`/console/api/claims/${defect.number}`)).json()) as ClaimBody;
    expect(en.claim.templates.find((tpl) => tpl.id === 'accepted-replacement')?.text).toMatch(/^Your claim No\./);
  });

  it('acts by the same rules as Slack: a refusal changes nothing and is recorded', async () => {
    const before = await actionsCount();
    const refused = await ivan.post(`/console/api/claims/${refund.number}/actions`, { action: 'take' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'other_department', message: t('ru', 'staff.refused.other_department') });
    expect((await desk.app.claims.findById(refund.id))?.status).toBe('new');

    const taken = await olga.post(`/console/api/claims/${refund.number}/actions`, { action: 'take' });
    expect(taken.status).toBe(200);
    const { claim } = (await taken.json()) as ClaimBody;
    expect([claim.status, claim.assignee?.id]).toEqual(['in_review', 'olga']);
    expect(claim.history.map((event) => event.text)).toContain(t('ru', 'staff.history.take', { who: 'Olga Smirnova' }));
    expect(await actionsCount()).toBe(before + 2);
    // the customer hears of it in Telegram, through the notification job
    await eventually(() => desk.telegram.to('7001').some((m) => m.text.startsWith(t('ru', 'notice.take', { number: refund.number, due: '' }).slice(0, 20))));
  });

  it('resolves with a decision; bad decisions are answered 400 and change nothing', async () => {
    const path = `/console/api/claims/${refund.number}/actions`;
    expect((await olga.post(path, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund' } })).status).toBe(400);
    expect((await olga.post(path, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'cash', responseText: 'x' } })).status).toBe(400);
    expect((await olga.post(path, { action: { $ne: 'take' } })).status).toBe(400);
    expect((await desk.app.claims.findById(refund.id))?.status).toBe('in_review');
    const decision = { outcome: 'accepted', remedy: 'refund', responseText: 'We will refund the full price within 10 days.' };
    // an operator (olga) registers and asks, but deciding takes a specialist, quality or a head: the refusal names the right
    const refused = await olga.post(path, { action: 'resolve', decision });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'missing_right',
      message: t('ru', 'staff.refused.missing_right', { right: t('ru', 'staff.right.decide'), roles: ['specialist', 'quality', 'head'].map((role) => t('ru', `staff.role.${role}` as 'staff.role.head')).join(', ') }),
    });
    expect((await desk.app.claims.findById(refund.id))?.status).toBe('in_review');
    const res = await sergey.post(path, { action: 'resolve', decision });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ClaimBody).claim.decision?.outcome).toBe('accepted');
    await eventually(() => desk.telegram.to('7001').some((m) => m.text.includes('We will refund the full price within 10 days.')));
    // resolved: only reopen is offered, and taking again is a conflict with the status
    const again = await olga.post(path, { action: 'take' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).message).toBe(t('ru', 'staff.refused.invalid_transition', { status: t('ru', 'staff.status.resolved') }));
  });

  it('lets only a head assign someone else\'s claim, and only to the claim\'s department', async () => {
    const path = `/console/api/claims/${defect.number}/actions`;
    expect((await ivan.post(path, { action: 'take' })).status).toBe(200);
    const maria = await desk.signIn('maria');
    expect((await maria.post(path, { action: 'assign', assigneeId: 'maria' })).status).toBe(403);
    expect((await sergey.post(path, { action: 'assign', assigneeId: 'olga' })).status).toBe(400);
    const assigned = await sergey.post(path, { action: 'assign', assigneeId: 'maria' });
    expect(assigned.status).toBe(200);
    expect(((await assigned.json()) as ClaimBody).claim.assignee?.id).toBe('maria');
  });

  it('answers bad claim numbers and other sites\' requests without doing anything', async () => {
    expect((await olga.get('/console/api/claims/2026-999999')).status).toBe(404);
    // a number as people type it (no leading zeros, a dash from a phone) is the same claim
    const [year, sequence] = defect.number.split('-');
    const typed = await olga.get(`/console/api/claims/${encodeURIComponent(`${year ?? ''}–${String(Number(sequence))}`)}`);
    expect(typed.status).toBe(200);
    expect(((await typed.json()) as ClaimBody).claim.number).toBe(defect.number);
    expect((await olga.get('/console/api/claims/..%2F..%2Fetc')).status).toBe(400);
    expect((await olga.get('/console/api/claims/%7B%22%24gt%22%3A%22%22%7D')).status).toBe(400);
    const before = await actionsCount();
    const csrf = await olga.post(`/console/api/claims/${defect.number}/actions`, { action: 'request_info', question: 'Photo?' }, { origin: 'https://evil.example' });
    expect(csrf.status).toBe(403);
    // the same host and port over another scheme is another origin
    const otherScheme = await olga.post(`/console/api/claims/${defect.number}/actions`, { action: 'request_info', question: 'Photo?' }, { origin: desk.app.url.replace(/^http:/, 'https:') });
    expect(otherScheme.status).toBe(403);
    expect((await olga.post('/console/api/logout', {}, { origin: desk.app.url.replace(/^http:/, 'https:') })).status).toBe(403);
    expect(await actionsCount()).toBe(before);
  });

  describe('the register', () => {
    interface ListBody {
      total: number;
      claims: { number: string; status: string; assignee: { id: string } | null; overdue: boolean }[];
    }
    const numbers = async (browser: ConsoleBrowser, query: string) => {
      const res = await browser.get(`/console/api/claims?${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as ListBody).claims.map((claim) => claim.number).sort();
    };

    it('lists claims by filter, newest first, with the total', async () => {
      const all = (await (await olga.get('/console/api/claims')).json()) as ListBody;
      expect(all.total).toBe(2);
      expect(all.claims.map((claim) => claim.number)).toEqual([defect.number, refund.number]);
      expect(await numbers(olga, 'status=open')).toEqual([defect.number]);
      expect(await numbers(olga, 'status=resolved&department=support')).toEqual([refund.number]);
      expect(await numbers(olga, 'assignee=maria')).toEqual([defect.number]);
      expect(await numbers(olga, 'assignee=none')).toEqual([]);
      expect(await numbers(olga, `q=${refund.number}`)).toEqual([refund.number]);
      expect(await numbers(olga, 'channel=web')).toEqual([]);
      expect(await numbers(olga, 'page=2&limit=1')).toEqual([refund.number]);
    });

    it('refuses unknown and operator-looking parameters, naming them, and nobody signed out gets a thing', async () => {
      const unknown = await olga.get('/console/api/claims?stauts=new');
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as ErrorBody).message).toContain('stauts');
      for (const query of ['status=$ne', 'status[$ne]=new', 'assignee=nobody', 'q=.*', 'status=new&status=closed', 'from=2026-13-01', 'limit=1000']) {
        expect((await olga.get(`/console/api/claims?${query}`)).status, query).toBe(400);
      }
      expect((await desk.anonymous().get('/console/api/claims')).status).toBe(401);
      expect((await desk.anonymous().get('/console/api/reports')).status).toBe(401);
      expect((await desk.anonymous().get('/console/api/export.csv')).status).toBe(401);
    });

    it('reports the numbers of a filter', async () => {
      const res = await sergey.get('/console/api/reports');
      expect(res.status).toBe(200);
      const report = (await res.json()) as { total: number; decisions: { accepted: number; rejected: number; open: number }; pareto: { categories: { key: string; count: number }[] } };
      expect(report.total).toBe(2);
      expect(report.decisions).toMatchObject({ accepted: 1, rejected: 0, open: 1 });
      expect(report.pareto.categories.map((item) => [item.key, item.count]).sort()).toEqual([['defect', 1], ['refund', 1]]);
      const quality = (await (await sergey.get('/console/api/reports?department=quality')).json()) as { total: number };
      expect(quality.total).toBe(1);
      expect((await sergey.get('/console/api/reports?department=sales')).status).toBe(400);
    });

    it('exports the register as CSV for the filter, in the member\'s language', async () => {
      const res = await olga.get('/console/api/export.csv?status=resolved');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="claims-\d{4}-\d{2}-\d{2}\.csv"$/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
      expect(lines[0]?.startsWith(`${t('ru', 'register.csv.number')};`)).toBe(true);
      expect(lines.slice(1).filter((line) => line !== '').map((line) => line.split(';')[0])).toEqual([refund.number]);
      const english = await (await sergey.get('/console/api/export.csv?sep=comma')).text();
      // (Response.text() drops the byte order mark)
      expect(english.split('\r\n')[0]?.startsWith(`${t('en', 'register.csv.number')},`)).toBe(true);
      expect(english.split('\r\n').filter((line) => line !== '')).toHaveLength(3);
      expect((await olga.get('/console/api/export.csv?sep=tab')).status).toBe(400);
      expect(desk.logLines.some((line) => line.includes('claims register exported'))).toBe(true);
    });
  });

  it('lets staff download a web-chat file of a claim, and nothing else', async () => {
    const files = new FileStore(desk.app.db);
    const photo = Buffer.from('\x89PNG\r\n\x1a\n a photo of the dent');
    const onClaim = await files.put({ bytes: photo, fileName: 'вмятина "1".png', mimeType: 'image/png', ownerId: 'visitor-1' });
    const elsewhere = await files.put({ bytes: Buffer.from('%PDF-1.7 another customer'), fileName: 'other.pdf', mimeType: 'application/pdf', ownerId: 'visitor-2' });
    const web = { customer: { channel: 'web' as const, userId: 'visitor-1' }, conversation: { channel: 'web' as const, chatId: 'visitor-1' } };
    // a support claim: olga (support) may see its files
    const { claim } = await desk.app.registry.submit(draft({ ...web, category: 'refund', attachments: [{ channel: 'web', kind: 'photo', fileId: onClaim, fileName: 'вмятина "1".png', mimeType: 'image/png', sizeBytes: photo.length }] }), 'web-console-files');
    const res = await olga.get(`/console/api/claims/${claim.number}/files/${onClaim}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(photo);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="_______ _1_.png"; filename*=UTF-8''${encodeURIComponent('вмятина _1_.png')}`);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    // the claim page links it
    const { claim: shown } = (await (await olga.get(`/console/api/claims/${claim.number}`)).json()) as { claim: { attachments: { url: string | null }[] } };
    expect(shown.attachments[0]?.url).toBe(`/console/api/claims/${claim.number}/files/${onClaim}`);
    // another file, a made-up id, a Telegram file of another claim, nobody signed in
    expect((await olga.get(`/console/api/claims/${claim.number}/files/${elsewhere}`)).status).toBe(404);
    expect((await olga.get(`/console/api/claims/${claim.number}/files/000000000000000000000000`)).status).toBe(404);
    expect((await olga.get(`/console/api/claims/${refund.number}/files/${onClaim}`)).status).toBe(404);
    expect((await desk.anonymous().get(`/console/api/claims/${claim.number}/files/${onClaim}`)).status).toBe(401);
  });

  it('names a download by the checked type, never the customer\'s extension, without control or bidi characters', async () => {
    const files = new FileStore(desk.app.db);
    const gif = Buffer.from('GIF89a a polyglot <html>');
    const pdf = Buffer.from('%PDF-1.7 a page');
    const cases: [Buffer, string, string, string][] = [
      [gif, 'image/gif', 'poly.gif.html', 'poly.gif'],
      [pdf, 'application/pdf', 'page.html', 'page.pdf'],
      // a right-to-left override makes "invoice\u202Efdp.exe" look like "invoiceexe.pdf"
      [pdf, 'application/pdf', 'invoice\u202efdp.exe', 'invoicefdp.pdf'],
      [pdf, 'application/pdf', 'scan\u0000\u2066.PDF', 'scan.PDF'],
    ];
    const web = { customer: { channel: 'web' as const, userId: 'visitor-9' }, conversation: { channel: 'web' as const, chatId: 'visitor-9' } };
    const stored: string[] = [];
    for (const [bytes, mimeType, fileName] of cases) stored.push(await files.put({ bytes, fileName, mimeType, ownerId: 'visitor-9' }));
    const attachments = cases.map(([bytes, mimeType, fileName], i) => ({ channel: 'web' as const, kind: 'document' as const, fileId: stored[i] ?? '', fileName, mimeType, sizeBytes: bytes.length }));
    const { claim } = await desk.app.registry.submit(draft({ ...web, category: 'refund', attachments }), 'web-console-names');
    for (const [i, [, mimeType, , expected]] of cases.entries()) {
      const res = await olga.get(`/console/api/claims/${claim.number}/files/${stored[i] ?? ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(mimeType);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${expected}"; filename*=UTF-8''${encodeURIComponent(expected)}`);
    }
  });

  it('serves the page with a strict content security policy and no framing', async () => {
    const res = await desk.anonymous().get('/console', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(`<title>${t('en', 'console.title', { desk: 'Claims desk' }).replace(/&/g, '&amp;')}</title>`);
    expect((await desk.anonymous().get('/console/chart.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
  });
});
