import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { nextSequence } from '../../src/store/counters.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('counters');
});
afterAll(async () => {
  await t.close();
});

describe('sequences', () => {
  it('hands out 1…N exactly once each under heavy concurrency, starting from nothing', async () => {
    const values = await Promise.all(Array.from({ length: 120 }, () => nextSequence(t.db, 'race')));
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('keeps separate sequences apart (one per year)', async () => {
    expect(await nextSequence(t.db, 'claims-2026')).toBe(1);
    expect(await nextSequence(t.db, 'claims-2027')).toBe(1);
    expect(await nextSequence(t.db, 'claims-2026')).toBe(2);
  });
});
