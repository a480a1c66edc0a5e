import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDesk, type ConsoleBrowser } from '../support/web-console.js';
import { draft, telegramCustomer } from '../support/fixtures.js';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { INVESTIGATION_FILES_BUCKET } from '../../src/store/files.js';

/** #24: files staff attach to an investigation's facts in the console. */

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2_000, 0x20)]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

interface FilesBody {
  files: { fileName: string | null; mimeType: string; sizeBytes: number; by: { id: string; name: string }; url: string }[];
}

describe('investigation files in the console (#24)', () => {
  let desk: ConsoleDesk;
  let ivan: ConsoleBrowser; // specialist, quality: may investigate
  let olga: ConsoleBrowser; // operator, support: may not
  let sergey: ConsoleBrowser; // head
  let claim: Claim;

  const upload = (who: ConsoleBrowser, body: Buffer, type: string, name?: string, number = claim.number) =>
    fetch(`${who.baseUrl}/console/api/claims/${number}/investigation/files${name ? `?name=${encodeURIComponent(name)}` : ''}`, {
      method: 'POST',
      headers: { 'content-type': type, origin: who.baseUrl, 'x-forwarded-for': who.address, ...(who.cookie ? { cookie: who.cookie } : {}) },
      body,
    });
  const stored = () => desk.app.db.collection(`${INVESTIGATION_FILES_BUCKET}.files`).countDocuments();
  const version = async () => (await desk.app.claims.findById(claim.id))?.version;

  beforeAll(async () => {
    desk = await ConsoleDesk.start();
    [ivan, olga, sergey] = await Promise.all([desk.signIn('ivan'), desk.signIn('olga'), desk.signIn('sergey')]);
    claim = (await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7601') }), 'console-investigation-files-1')).claim;
  });
  afterAll(() => desk.stop());

  it('refuses files before the investigation starts, storing nothing', async () => {
    const res = await upload(ivan, PDF, 'application/pdf', 'lab.pdf');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'invalid_transition', message: t('ru', 'console.investigation.not_investigating') });
    expect(await stored()).toBe(0);
  });

  it('attaches a file while investigating: stored, listed on the claim with who and when, a history event', async () => {
    expect((await ivan.post(`/console/api/claims/${claim.number}/actions`, { action: 'take' })).status).toBe(200);
    expect((await ivan.post(`/console/api/claims/${claim.number}/actions`, { action: 'investigate' })).status).toBe(200);
    const res = await upload(ivan, PDF, 'application/pdf', 'lab report.pdf');
    expect(res.status).toBe(201);
    const { files } = (await res.json()) as FilesBody;
    expect(files).toMatchObject([{ fileName: 'lab report.pdf', mimeType: 'application/pdf', sizeBytes: PDF.length, by: { id: 'ivan', name: 'Ivan Petrov' } }]);
    expect(await stored()).toBe(1);
    const page = (await (await sergey.get(`/console/api/claims/${claim.number}`)).json()) as { claim: { investigationFiles: FilesBody['files']; history: { type: string; text: string }[] } };
    expect(page.claim.investigationFiles.map((file) => file.fileName)).toEqual(['lab report.pdf']);
    const last = page.claim.history.at(-1);
    expect({ type: last?.type, text: last?.text }).toEqual({ type: 'investigation_file_added', text: t('en', 'staff.history.investigation_file_added', { who: 'Ivan Petrov', file: '\u2068lab report.pdf\u2069' }) });
  });

  it('lets staff who may view the claim download it, recorded in the audit trail', async () => {
    const { claim: shown } = (await (await ivan.get(`/console/api/claims/${claim.number}`)).json()) as { claim: { investigationFiles: FilesBody['files'] } };
    const url = shown.investigationFiles[0]?.url ?? '';
    const before = await desk.app.db.collection('audit').countDocuments({ kind: 'file_downloaded', claimId: claim.id });
    const res = await sergey.get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    expect(await desk.app.db.collection('audit').countDocuments({ kind: 'file_downloaded', claimId: claim.id })).toBe(before + 1);
    // every role may view claims of any department (the register is the desk's): olga too
    expect((await olga.get(url)).status).toBe(200);
    // a file id the claim does not hold
    expect((await sergey.get(url.replace(/[0-9a-f]{24}$/, '0123456789abcdef01234567'))).status).toBe(404);
    expect((await desk.anonymous().get(url)).status).toBe(401);
  });

  it('refuses a member without the investigate right, a wrong type, bytes that are not what they claim, and a file too big — changing nothing', async () => {
    const before = { version: await version(), stored: await stored() };
    const refused = await upload(olga, PDF, 'application/pdf', 'x.pdf');
    expect(refused.status).toBe(403);
    const html = await upload(ivan, Buffer.from('<html></html>'), 'text/html', 'x.html');
    expect(html.status).toBe(415);
    expect(await html.json()).toEqual({ error: 'unsupported_type', message: t('ru', 'console.investigation.file_type') });
    // a "PNG" that is a PDF
    expect((await upload(ivan, PDF, 'image/png', 'x.png')).status).toBe(415);
    const big = await upload(ivan, Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]), 'image/png', 'big.png');
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'too_large', message: t('ru', 'console.investigation.file_too_big', { mb: 10 }) });
    expect((await desk.anonymous().post(`/console/api/claims/${claim.number}/investigation/files`, '')).status).toBe(401);
    expect({ version: await version(), stored: await stored() }).toEqual(before);
  });
});
