import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, eventually } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import { COLLECTIONS } from '../../src/store/collections.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { FileStore } from '../../src/store/files.js';
import { AuditLog } from '../../src/store/audit.js';
import type { AuditEntry } from '../../src/domain/audit.js';

/** Personal data no audit record may ever hold (#26). */
const CANARY = { name: 'Canaryname Zyxwvut', phone: '+79990001122', email: 'canary.zyx@example.com' };
const CANARY_PARTS = ['Canaryname', 'Zyxwvut', '79990001122', '0001122', 'canary.zyx'];

interface ClaimBody {
  claim: {
    contact: { name: string; phone?: string; email?: string };
    personalData: { masked: boolean; hiddenFiles: number };
    attachments: { url: string | null }[];
  };
}
interface AuditBody {
  total: number;
  entries: { kind: string; channel: string; staff: { id: string } | null; claimNumber: string | null; personalData: boolean | null; reason: string | null; detail: string }[];
}

/** The role × data matrix of #26 over the console: the claim page, its files, the register's CSV, and the audit trail. */
describe('personal data in the web console', () => {
  let desk: ConsoleDesk;
  let olga: ConsoleBrowser; // operator, support
  let ivan: ConsoleBrowser; // specialist, quality
  let maria: ConsoleBrowser; // quality: every department
  let sergey: ConsoleBrowser; // head: every department
  let support: Claim; // a web claim of support, with a file
  let quality: Claim;
  let fileId: string;

  const audit = () => desk.app.db.collection<AuditEntry>(COLLECTIONS.audit).find({}, { projection: { _id: 0 } }).toArray();

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [olga, ivan, maria, sergey] = await Promise.all([desk.signIn('olga'), desk.signIn('ivan'), desk.signIn('maria'), desk.signIn('sergey')]);
    fileId = await new FileStore(desk.app.db).put({ bytes: Buffer.from('%PDF-1.7 the receipt'), fileName: 'receipt.pdf', mimeType: 'application/pdf', ownerId: 'visitor-pd' });
    const web = { customer: { channel: 'web' as const, userId: 'visitor-pd' }, conversation: { channel: 'web' as const, chatId: 'visitor-pd' } };
    support = (
      await desk.app.registry.submit(
        draft({ ...web, category: 'refund', contact: CANARY, attachments: [{ channel: 'web', kind: 'document', fileId, fileName: 'receipt.pdf', mimeType: 'application/pdf', sizeBytes: 20 }] }),
        'pd-support',
      )
    ).claim;
    quality = (await desk.app.registry.submit(draft({ category: 'defect', contact: CANARY, customer: { channel: 'telegram', userId: '8801' }, conversation: { channel: 'telegram', chatId: '8801' } }), 'pd-quality')).claim;
  });
  afterAll(() => desk.stop());

  const MATRIX = [
    { who: 'olga', department: 'support', sees: true },
    { who: 'olga', department: 'quality', sees: false },
    { who: 'ivan', department: 'support', sees: false },
    { who: 'ivan', department: 'quality', sees: true },
    { who: 'maria', department: 'support', sees: true },
    { who: 'sergey', department: 'quality', sees: true },
  ] as const;
  const browser = (who: string) => ({ olga, ivan, maria, sergey })[who] as ConsoleBrowser;

  for (const row of MATRIX) {
    it(`${row.who} ${row.sees ? 'sees' : 'gets masked'} the personal data of a ${row.department} claim, and the view is recorded only when shown`, async () => {
      const claim = row.department === 'support' ? support : quality;
      const viewsBefore = (await audit()).filter((entry) => entry.kind === 'personal_data_viewed' && entry.staffId === row.who && entry.claimId === claim.id).length;
      const res = await browser(row.who).get(`/console/api/claims/${claim.number}`);
      expect(res.status).toBe(200);
      const { claim: shown } = (await res.json()) as ClaimBody;
      const text = JSON.stringify(shown);
      if (row.sees) {
        expect(shown.contact).toEqual(CANARY);
        expect(shown.personalData).toEqual({ masked: false, hiddenFiles: 0 });
      } else {
        expect(shown.contact).toEqual({ name: 'C•••', phone: '+7 ••• ••• 11-22', email: 'c•••@example.com' });
        expect(shown.personalData.masked).toBe(true);
        expect(shown.attachments).toEqual([]);
        for (const part of CANARY_PARTS) expect(text).not.toContain(part);
        expect(text).not.toContain('receipt.pdf');
      }
      const viewsAfter = (await audit()).filter((entry) => entry.kind === 'personal_data_viewed' && entry.staffId === row.who && entry.claimId === claim.id);
      expect(viewsAfter.length - viewsBefore).toBe(row.sees ? 1 : 0);
      if (row.sees) expect(viewsAfter.at(-1)).toMatchObject({ channel: 'console', claimNumber: claim.number });
    });
  }

  it('lets only those who see the personal data download a customer’s file, and records each download', async () => {
    const path = `/console/api/claims/${support.number}/files/${fileId}`;
    const refused = await ivan.get(path);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('missing_right');
    expect((await audit()).filter((entry) => entry.kind === 'file_downloaded')).toHaveLength(0);
    const res = await olga.get(path);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.7 the receipt');
    expect((await audit()).filter((entry) => entry.kind === 'file_downloaded')).toEqual([expect.objectContaining({ staffId: 'olga', claimId: support.id, claimNumber: support.number, channel: 'console' })]);
  });

  it('exports the register with the personal-data columns only to quality and heads, and records every export', async () => {
    const header = (csv: string) => csv.split('\r\n')[0] ?? '';
    for (const [who, withData] of [['olga', false], ['ivan', false], ['maria', true], ['sergey', true]] as const) {
      const res = await browser(who).get('/console/api/export.csv?sep=comma');
      expect(res.status).toBe(200);
      const csv = await res.text();
      const locale = who === 'sergey' ? 'en' : 'ru';
      expect(header(csv).includes(t(locale, 'register.csv.phone')), who).toBe(withData);
      expect(header(csv).includes(t(locale, 'register.csv.customer_name')), who).toBe(withData);
      expect(csv.includes(CANARY.name), who).toBe(withData);
      expect(csv.includes('79990001122'), who).toBe(withData);
      expect(csv.includes(CANARY.email), who).toBe(withData);
      expect(csv.split('\r\n').filter((line) => line !== '')).toHaveLength(3);
    }
    const exports = (await audit()).filter((entry) => entry.kind === 'register_exported');
    expect(exports.map((entry) => [entry.staffId, entry.personalData])).toEqual([
      ['olga', false],
      ['ivan', false],
      ['maria', true],
      ['sergey', true],
    ]);
  });

  it('records sign-ins, ok and failed, with the staff id only when the login is one', async () => {
    expect((await desk.anonymous().post('/console/api/login', { login: 'ivan', password: 'wrong-password' })).status).toBe(401);
    // a login that is nobody's (here someone's e-mail) is never kept
    expect((await desk.anonymous().post('/console/api/login', { login: CANARY.email, password: 'claimdesk-demo' })).status).toBe(401);
    const signIns = (await audit()).filter((entry) => entry.kind === 'sign_in');
    expect(signIns.map((entry) => entry.staffId).sort()).toEqual(['ivan', 'maria', 'olga', 'sergey']);
    expect(signIns.every((entry) => entry.channel === 'console' && typeof entry.address === 'string')).toBe(true);
    const failed = (await audit()).filter((entry) => entry.kind === 'sign_in_failed');
    expect(failed).toEqual([expect.objectContaining({ staffId: 'ivan', reason: 'invalid' }), expect.objectContaining({ reason: 'invalid' })]);
    expect(failed[1]).not.toHaveProperty('staffId');
  });

  it('shows the audit trail to heads only, with filters and a CSV', async () => {
    for (const who of [olga, ivan, maria]) {
      const res = await who.get('/console/api/audit');
      expect(res.status).toBe(403);
      expect((await who.get('/console/api/audit.csv')).status).toBe(403);
    }
    expect((await desk.anonymous().get('/console/api/audit')).status).toBe(401);
    const all = (await (await sergey.get('/console/api/audit')).json()) as AuditBody;
    expect(all.total).toBe((await audit()).length);
    const exports = (await (await sergey.get('/console/api/audit?kind=register_exported&staff=maria')).json()) as AuditBody;
    expect(exports.entries).toHaveLength(1);
    expect(exports.entries[0]).toMatchObject({ kind: 'register_exported', staff: { id: 'maria' }, personalData: true, detail: t('en', 'console.audit.detail.with_personal_data') });
    const past = (await (await sergey.get('/console/api/audit?from=2020-01-01&to=2020-12-31')).json()) as AuditBody;
    expect(past.total).toBe(0);
    const wide = (await (await sergey.get(`/console/api/audit?from=2020-01-01&to=2099-12-31&kind=file_downloaded`)).json()) as AuditBody;
    expect(wide.entries.map((entry) => entry.claimNumber)).toEqual([support.number]);
    for (const query of ['kind=everything', 'staff=nobody', 'from=2026-13-01', 'limit=1000', 'surprise=1']) expect((await sergey.get(`/console/api/audit?${query}`)).status, query).toBe(400);
    const csv = await (await sergey.get('/console/api/audit.csv?kind=file_downloaded')).text();
    const lines = csv.split('\r\n').filter((line) => line !== '');
    expect(lines[0]).toBe(['at', 'kind', 'channel', 'staff', 'claim', 'detail', 'address'].map((key) => t('en', `console.audit.col.${key}` as 'console.audit.col.at')).join(','));
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toContain(`,${t('en', 'console.audit.kind.file_downloaded')},console,olga,${support.number},`);
  });

  it('holds no personal data in any audit record (the canary)', async () => {
    const records = await audit();
    expect(records.length).toBeGreaterThan(10);
    const text = JSON.stringify(records);
    for (const part of CANARY_PARTS) expect(text).not.toContain(part);
  });

  it('deletes only records older than a given time (the retention’s store side)', async () => {
    const log = new AuditLog(desk.app.db);
    await log.record({ at: new Date(Date.now() - 1096 * 86_400_000), kind: 'sign_in', channel: 'console', staffId: 'olga' });
    const before = (await audit()).length;
    expect(await log.pruneBefore(new Date(Date.now() - 1095 * 86_400_000))).toBe(1);
    expect((await audit()).length).toBe(before - 1);
  });
});

describe('the audit retention', () => {
  it('is enforced by the housekeeping job with the desk’s audit.retentionDays (no TTL index: outside the portable subset the local server honours)', async () => {
    const desk = await ConsoleDesk.start({
      desk: (config) => {
        config.audit = { retentionDays: 2 };
        config.jobs = { housekeepingEvery: '1 second' };
      },
    });
    try {
      const log = new AuditLog(desk.app.db);
      const day = 86_400_000;
      await log.record({ at: new Date(Date.now() - 3 * day), kind: 'sign_in', channel: 'console', staffId: 'olga' });
      await log.record({ at: new Date(Date.now() - 1 * day), kind: 'sign_in', channel: 'console', staffId: 'ivan' });
      const left = () => desk.app.db.collection<AuditEntry>(COLLECTIONS.audit).find({}).toArray();
      await eventually(async () => (await left()).length === 1);
      expect((await left()).map((entry) => entry.staffId)).toEqual(['ivan']);
      expect(desk.logLines.some((line) => line.includes('pruned audit records past their retention'))).toBe(true);
    } finally {
      await desk.stop();
    }
  });
});
