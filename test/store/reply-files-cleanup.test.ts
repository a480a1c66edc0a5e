import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimRepository } from '../../src/store/claims.js';
import { ClaimRegistry } from '../../src/registry.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { FileStore, REPLY_FILES_BUCKET } from '../../src/store/files.js';
import { replyFilesCleanup } from '../../src/jobs/housekeeping.js';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk, telegramCustomer } from '../support/fixtures.js';

/** #25: a reply's files are stored before the reply is recorded; those of a reply never recorded (a crash between) are swept. */
describe('the sweep of reply files whose reply was never recorded', () => {
  let t: TestDatabase;
  let files: FileStore;
  let repository: ClaimRepository;
  let registry: ClaimRegistry;

  beforeAll(async () => {
    t = await openTestDatabase('reply_files_cleanup');
    await ensureIndexes(t.db);
    files = new FileStore(t.db, REPLY_FILES_BUCKET);
    repository = new ClaimRepository(t.db);
    registry = new ClaimRegistry(await exampleDesk(), repository);
  });
  afterAll(() => t.close());

  const pdf = Buffer.from('%PDF-1.7 act');
  const stored = () => t.db.collection(`${REPLY_FILES_BUCKET}.files`).find({}, { projection: { _id: 1, 'metadata.attached': 1 } }).toArray();

  it('keeps the files a recorded reply holds, deletes the others once they are an hour old, and looks at a kept file once', async () => {
    const { claim } = await registry.submit(draft(telegramCustomer('8801')), 'reply-files-cleanup-1');
    const put = (target: string) => files.put({ bytes: pdf, fileName: 'act.pdf', mimeType: 'application/pdf', ownerId: 'staff:ivan', target });
    const sent = await put(`claim:${claim.id}`);
    const orphan = await put(`claim:${claim.id}`);
    const noClaim = await put('claim:no-such-claim');
    await registry.staffMessage(claim.id, { kind: 'reply', staffId: 'ivan', text: 'The act.', files: [{ channel: 'web', kind: 'document', fileId: sent, fileName: 'act.pdf', mimeType: 'application/pdf', sizeBytes: pdf.length }] });

    // younger than an hour: nothing is touched (its reply may be being recorded right now)
    expect(await replyFilesCleanup(files, repository).pruneReplyFiles()).toBe(0);
    expect(await stored()).toHaveLength(3);

    const later = () => new Date(Date.now() + 2 * 3_600_000);
    expect(await replyFilesCleanup(files, repository, later).pruneReplyFiles()).toBe(2);
    const left = await stored();
    expect(left.map((file) => [String(file._id), (file.metadata as { attached?: boolean } | undefined)?.attached])).toEqual([[sent, true]]);
    expect((await files.read(sent))?.equals(pdf)).toBe(true);
    expect(await files.read(orphan)).toBeUndefined();
    expect(await files.read(noClaim)).toBeUndefined();
    // the kept file is not looked at again
    expect(await replyFilesCleanup(files, { findById: () => Promise.reject(new Error('not asked')) }, later).pruneReplyFiles()).toBe(0);
  });
});
