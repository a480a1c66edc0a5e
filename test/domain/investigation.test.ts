import { beforeAll, describe, expect, it } from 'vitest';
import { changePolicy, plan, type ChangePolicy } from '../../src/domain/claim-changes.js';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import type { Investigation } from '../../src/domain/investigation.js';
import { type Claim, type ClaimStatus } from '../../src/domain/lifecycle.js';
import { exampleDesk } from '../support/fixtures.js';
import { claimFixture, changed, refused } from '../support/claims.js';

/** The investigation record (#24), without a database: where it may be edited, its limits, its history. */

const HOUR = 3_600_000;
const created = new Date('2026-05-01T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * HOUR);

let policy: ChangePolicy;
beforeAll(async () => {
  policy = changePolicy(await exampleDesk());
});

function claim(extra: Partial<Claim> = {}): Claim {
  return claimFixture({ kind: 'quality_claim', status: 'investigating', version: 3, assigneeId: 'ivan', ...extra });
}

const record = {
  facts: 'Batch 12 of the KT-200: 14 returns of 2000, all with a cut heating-element seal.',
  whys: [
    { why: 'Why did the kettle stop heating?', because: 'Water reached the heating element.' },
    { why: 'Why did water reach it?', because: 'The seal was cut.' },
    { why: 'Why was the seal cut?', because: 'The pressing die was worn.' },
  ],
  causeCategory: 'machines',
  rootCause: 'A worn pressing die cut the seals of batch 12',
};
const command = (investigation: unknown, staffId = 'ivan') => ({ type: 'record_investigation', staffId, investigation }) as never;

describe('record_investigation: where it may be edited', () => {
  const table: readonly [ClaimStatus, 'ok' | DomainErrorCode][] = [
    ['new', 'INVALID_TRANSITION'],
    ['in_review', 'INVALID_TRANSITION'],
    ['investigating', 'ok'],
    ['awaiting_customer', 'INVALID_TRANSITION'],
    ['resolved', 'INVALID_TRANSITION'],
    ['closed', 'INVALID_TRANSITION'],
  ];
  for (const [status, want] of table) {
    it(`${want === 'ok' ? 'records' : 'refuses'} an investigation of a ${status} claim`, () => {
      const result = plan(claim({ status, ...(status === 'awaiting_customer' ? { resumeStatus: 'investigating' } : {}) }), command(record), policy, at(5));
      if (want === 'ok') expect(changed(result).events.map((event) => event.type)).toEqual(['investigation_recorded']);
      else expect(refused(result)).toBe(want);
    });
  }
});

describe('record_investigation: its limits', () => {
  const pair = { why: 'Why?', because: 'Because.' };
  const table: readonly [string, unknown, 'ok' | DomainErrorCode][] = [
    ['five why/because pairs', { whys: [pair, pair, pair, pair, pair] }, 'ok'],
    ['six pairs', { whys: [pair, pair, pair, pair, pair, pair] }, 'INVALID_CLAIM'],
    ['a why without its because', { whys: [{ why: 'Why?', because: ' ' }] }, 'INVALID_CLAIM'],
    ['a because without its why', { whys: [{ why: '', because: 'Because.' }] }, 'INVALID_CLAIM'],
    ['a why of 500 characters', { whys: [{ why: 'w'.repeat(500), because: 'b' }] }, 'ok'],
    ['a why of 501 characters', { whys: [{ why: 'w'.repeat(501), because: 'b' }] }, 'INVALID_CLAIM'],
    ['facts of 3000 characters', { facts: 'f'.repeat(3000) }, 'ok'],
    ['facts of 3001 characters', { facts: 'f'.repeat(3001) }, 'INVALID_CLAIM'],
    ['a root cause of 200 characters', { rootCause: 'r'.repeat(200) }, 'ok'],
    ['a root cause of 201 characters', { rootCause: 'r'.repeat(201) }, 'INVALID_CLAIM'],
    ['a root cause of two lines', { rootCause: 'worn die\nand a tired operator' }, 'INVALID_CLAIM'],
    ['a cause category of the desk', { causeCategory: 'environment' }, 'ok'],
    ['a cause category the desk does not have', { causeCategory: 'luck' }, 'INVALID_CLAIM'],
    ['a field nobody knows', { facts: 'x', verdict: 'guilty' }, 'INVALID_CLAIM'],
  ];
  for (const [what, input, want] of table) {
    it(`${want === 'ok' ? 'takes' : 'refuses'} ${what}`, () => {
      const result = plan(claim(), command(input), policy, at(5));
      if (want === 'ok') expect(changed(result).events).toHaveLength(1);
      else expect(refused(result)).toBe(want);
    });
  }
});

describe('record_investigation: what is recorded', () => {
  it('records the whole record, who and when; the event names the parts, with the cause and summary but never the facts', () => {
    const result = changed(plan(claim(), command(record), policy, at(5)));
    expect(result.set.investigation).toEqual({ ...record, updatedAt: at(5), updatedBy: 'ivan' });
    const [event] = result.events;
    expect(event).toMatchObject({
      type: 'investigation_recorded',
      at: at(5),
      actor: { kind: 'staff', staffId: 'ivan' },
      changed: ['facts', 'whys', 'causeCategory', 'rootCause'],
      causeCategory: 'machines',
      note: record.rootCause,
      notifyCustomer: false,
    });
    expect(JSON.stringify(event)).not.toContain('Batch 12 of the KT-200');
  });

  it('keeps the order of the 5 Whys and trims the texts; empty texts are "not recorded"', () => {
    const result = changed(plan(claim(), command({ facts: '   ', whys: [{ why: ' b ', because: ' 2 ' }, { why: 'a', because: '1' }], rootCause: '' }), policy, at(5)));
    expect(result.set.investigation).toEqual({ whys: [{ why: 'b', because: '2' }, { why: 'a', because: '1' }], updatedAt: at(5), updatedBy: 'ivan' });
  });

  it('names only what an edit changed, and plans nothing for the same record', () => {
    const before: Investigation = { ...record, updatedAt: at(5), updatedBy: 'ivan' };
    const same = changed(plan(claim({ investigation: before }), command(record, 'maria'), policy, at(6)));
    expect(same.events).toEqual([]);
    const reordered = changed(plan(claim({ investigation: before }), command({ ...record, whys: [...record.whys].reverse() }, 'maria'), policy, at(6)));
    expect(reordered.events[0]).toMatchObject({ changed: ['whys'], actor: { kind: 'staff', staffId: 'maria' } });
    expect(reordered.events[0]?.note).toBeUndefined();
    const cleared = changed(plan(claim({ investigation: before }), command({ ...record, causeCategory: undefined, rootCause: 'The die was worn' }), policy, at(6)));
    expect(cleared.events[0]).toMatchObject({ changed: ['causeCategory', 'rootCause'], note: 'The die was worn' });
    expect(cleared.events[0]?.causeCategory).toBeUndefined();
    expect(cleared.set.investigation).toEqual({ facts: record.facts, whys: record.whys, rootCause: 'The die was worn', updatedAt: at(6), updatedBy: 'ivan' });
  });
});
