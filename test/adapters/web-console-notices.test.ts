import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/** #25 "Alerts without Slack": the console's notifications on a desk with no Slack at all. */

interface NoticeList {
  unread: number;
  notices: { id: string; kind: string; source: string; number: string; read: boolean; text: string }[];
}

describe('console notifications on a desk without Slack (#25)', () => {
  let desk: ConsoleDesk;
  let ivan: ConsoleBrowser; // specialist, quality (ru)
  let sergey: ConsoleBrowser; // head of every department (en)
  let olga: ConsoleBrowser; // operator, support only
  let claim: Claim; // quality

  const list = async (who: ConsoleBrowser, query = ''): Promise<NoticeList> => {
    const res = await who.get(`/console/api/notices${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as NoticeList;
  };
  const mine = async (who: ConsoleBrowser) => (await list(who)).notices.filter((notice) => notice.number === claim.number);

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [ivan, sergey, olga] = await Promise.all([desk.signIn('ivan'), desk.signIn('sergey'), desk.signIn('olga')]);
    claim = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7301') }), 'web-console-notices-1')).claim;
  });
  afterAll(() => desk.stop());

  it('tells the department of a new claim: its members, nobody else', async () => {
    await eventually(async () => (await mine(ivan)).some((notice) => notice.kind === 'new_claim'));
    const notice = (await mine(sergey)).find((candidate) => candidate.kind === 'new_claim');
    expect(notice).toMatchObject({ source: 'claim', read: false });
    expect(notice?.text).toBe(t('en', 'staff.notify.new', { kind: 'claim', number: claim.number, department: 'Quality department', category: 'Defective product' }));
    // the category's notify list names logistics too, which sergey heads as well: he hears of the claim once
    expect((await mine(sergey)).map((candidate) => candidate.kind)).toEqual(['new_claim']);
    // olga works in support only
    expect(await mine(olga)).toEqual([]);
  });

  it('tells the assignee, in their language, with a count for the header, once', async () => {
    const assigned = await sergey.post(`/console/api/claims/${claim.number}/actions`, { action: 'assign', assigneeId: 'ivan' });
    expect(assigned.status).toBe(200);
    await eventually(async () => (await mine(ivan)).some((notice) => notice.kind === 'assignment'));
    const notice = (await mine(ivan)).find((candidate) => candidate.kind === 'assignment');
    expect(notice?.text).toBe(t('ru', 'staff.ping.assigned', { who: 'Sergey Volkov', kind: 'претензия', number: claim.number }));
    const count = (await (await ivan.get('/console/api/notices/count')).json()) as { unread: number };
    expect(count.unread).toBe((await list(ivan)).notices.filter((candidate) => !candidate.read).length);
    expect(count.unread).toBeGreaterThanOrEqual(2);
    // a later change of the claim delivers nothing twice
    await desk.app.registry.staffMessage(claim.id, { kind: 'note', staffId: 'ivan', text: 'checking' });
    await desk.app.idle();
    const again = await mine(ivan);
    expect(again.filter((candidate) => candidate.kind === 'assignment')).toHaveLength(1);
  });

  it('tells the heads of an SLA breach', async () => {
    const past = new Date(Date.now() - 3_600_000);
    await desk.app.db.collection('claims').updateOne({ _id: new ObjectId(claim.id) }, { $set: { 'sla.firstResponseDueAt': past, slaNextCheckAt: past } });
    const events = await desk.app.registry.runSlaChecks(claim.id);
    expect(events.map((event) => event.type)).toContain('sla_breach');
    await eventually(async () => (await mine(sergey)).some((notice) => notice.kind === 'sla_breach'));
    const notice = (await mine(sergey)).find((candidate) => candidate.kind === 'sla_breach');
    expect(notice?.text).toBe(t('en', 'staff.sla.breach.first_response', { number: claim.number, due: formatDateTime(past, 'en', 'Europe/Moscow') }));
    // the breach goes to heads, not to the specialist
    expect((await mine(ivan)).some((candidate) => candidate.kind === 'sla_breach')).toBe(false);
  });

  it('marks read per member: one notice, then all; another member’s ids change nothing', async () => {
    const before = await list(ivan);
    const first = before.notices.find((notice) => !notice.read);
    expect(first).toBeDefined();
    // sergey cannot mark ivan's notice
    const foreign = await sergey.post('/console/api/notices/read', { ids: [first?.id] });
    expect(foreign.status).toBe(200);
    expect(((await foreign.json()) as { marked: number }).marked).toBe(0);
    expect((await list(ivan)).unread).toBe(before.unread);

    const marked = await ivan.post('/console/api/notices/read', { ids: [first?.id] });
    expect(((await marked.json()) as { marked: number; unread: number })).toEqual({ marked: 1, unread: before.unread - 1 });
    expect((await list(ivan)).notices.find((notice) => notice.id === first?.id)?.read).toBe(true);
    // sergey's are untouched by ivan's reading
    expect((await list(sergey)).unread).toBeGreaterThan(0);

    const all = await ivan.post('/console/api/notices/read', { all: true });
    expect(((await all.json()) as { unread: number }).unread).toBe(0);
    expect((await list(ivan)).notices.every((notice) => notice.read)).toBe(true);
  });

  it('pages by the last notice seen', async () => {
    const whole = await list(sergey);
    expect(whole.notices.length).toBeGreaterThanOrEqual(2);
    const first = await list(sergey, '?limit=1');
    expect(first.notices.map((notice) => notice.id)).toEqual([whole.notices[0]?.id]);
    const next = await list(sergey, `?limit=1&before=${first.notices[0]?.id ?? ''}`);
    expect(next.notices.map((notice) => notice.id)).toEqual([whole.notices[1]?.id]);
  });

  it('answers 401 without a session and 400 to bad input, changing nothing', async () => {
    expect((await desk.anonymous().get('/console/api/notices')).status).toBe(401);
    expect((await desk.anonymous().get('/console/api/notices/count')).status).toBe(401);
    expect((await desk.anonymous().post('/console/api/notices/read', { all: true })).status).toBe(401);
    const unread = (await list(sergey)).unread;
    expect((await sergey.get('/console/api/notices?limit=0')).status).toBe(400);
    expect((await sergey.get('/console/api/notices?before=nope')).status).toBe(400);
    expect((await sergey.post('/console/api/notices/read', { ids: ['nope'] })).status).toBe(400);
    expect((await sergey.post('/console/api/notices/read', { all: false })).status).toBe(400);
    expect((await sergey.post('/console/api/notices/read', {})).status).toBe(400);
    expect((await list(sergey)).unread).toBe(unread);
  });
});
