import { describe, expect, it } from 'vitest';
import { changed, claimFixture, hoursAfter, refused } from '../support/claims.js';
import { changePolicy, plan } from '../../src/domain/claim-changes.js';
import { INVESTIGATION_FILES_MAX, investigationFiles } from '../../src/domain/investigation-files.js';
import { changedClaim } from '../../src/domain/claim-changes.js';
import { exampleDesk } from '../support/fixtures.js';
import type { Attachment } from '../../src/domain/claim.js';

/** #24: files attached to the investigation's facts, planned like every claim change. */

const file = (fileId: string): Attachment => ({ channel: 'web', kind: 'document', fileId, fileName: 'lab.pdf', mimeType: 'application/pdf', sizeBytes: 2_000 });
const attach = (fileId: string) => ({ type: 'attach_investigation_file' as const, staffId: 'ivan', file: file(fileId) });

describe('attach_investigation_file', async () => {
  const policy = changePolicy(await exampleDesk());
  const investigating = claimFixture({ status: 'investigating', assigneeId: 'ivan' });

  it('records the file with who and when while the claim is under investigation', () => {
    const change = changed(plan(investigating, attach('a'.repeat(24)), policy, hoursAfter(3)));
    expect(change.events).toMatchObject([{ type: 'investigation_file_added', actor: { kind: 'staff', staffId: 'ivan' }, at: hoursAfter(3), investigationFile: file('a'.repeat(24)), notifyCustomer: false }]);
    expect(investigationFiles(changedClaim(investigating, change))).toEqual([{ file: file('a'.repeat(24)), by: 'ivan', at: hoursAfter(3) }]);
  });

  it.each(['new', 'in_review', 'awaiting_customer', 'resolved', 'closed'] as const)('refuses a claim that is %s', (status) => {
    expect(refused(plan(claimFixture({ status }), attach('b'.repeat(24)), policy, hoursAfter(3)))).toBe('INVALID_TRANSITION');
  });

  it('records a file once, and at most the limit', () => {
    let claim = changedClaim(investigating, changed(plan(investigating, attach('c'.repeat(24)), policy, hoursAfter(3))));
    expect(changed(plan(claim, attach('c'.repeat(24)), policy, hoursAfter(4))).events).toEqual([]);
    for (let i = 1; i < INVESTIGATION_FILES_MAX; i++) claim = changedClaim(claim, changed(plan(claim, attach(String(i).padStart(24, '0')), policy, hoursAfter(4))));
    expect(investigationFiles(claim)).toHaveLength(INVESTIGATION_FILES_MAX);
    expect(refused(plan(claim, attach('d'.repeat(24)), policy, hoursAfter(5)))).toBe('INVALID_CLAIM');
  });

  it('refuses a file the desk does not store', () => {
    expect(refused(plan(investigating, { ...attach('e'.repeat(24)), file: { ...file('e'.repeat(24)), channel: 'telegram' } }, policy, hoursAfter(3)))).toBe('INVALID_CLAIM');
  });
});
