import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionOpening, CorrectiveAction } from '../../src/domain/capa.js';
import type { ClaimDraftInput } from '../../src/domain/claim.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { ClaimRegistry } from '../../src/registry.js';
import { SimilarClaims } from '../../src/similar-claims.js';
import { AnalysisQueries } from '../../src/store/analysis.js';
import { ClaimQueries } from '../../src/store/claim-queries.js';
import { ClaimRepository } from '../../src/store/claims.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { CorrectiveActionStore } from '../../src/store/corrective-actions.js';
import { TestClock } from '../support/chat.js';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { draft, exampleDesk } from '../support/fixtures.js';

/*
 * The analysis' store reads on a real database (#24). Claims (UTC; the desk's N is 30 days):
 *   K1 2026-04-10 defect  "Kettle KT-200"   the kettle leaks                                 ← action A1 opened for it 2026-05-01, verified 2026-05-11
 *   K2 2026-04-20 defect  "kettle kt200"    water leaks from the kettle
 *   K3 2026-04-25 defect  "KETTLE KT 200"   the kettle does not heat
 *   T1 2026-04-26 defect  "Toaster TS-1"    the toaster burns bread
 *   D1 2026-04-27 delivery (no product)     the courier was late
 *   K4 2026-05-20 defect  "Kettle KT-200"   the kettle leaks again at the seam
 *   now 2026-05-31T12:00Z: A1's after-window is 20 whole days (May 11 – May 31)
 */
const NOW = new Date('2026-05-31T12:00:00Z');
const DAY = 86_400_000;

let t: TestDatabase;
let desk: DeskConfig;
let actions: CorrectiveActionStore;
const clock = new TestClock(new Date('2026-04-01T00:00:00Z'));
const c: Record<string, Claim> = {};

async function open(number: number, about: Claim, extra: Partial<CorrectiveAction>): Promise<CorrectiveAction> {
  const opening: ActionOpening = {
    action: {
      kind: 'corrective',
      description: `action ${number}`,
      ownerId: 'ivan',
      dueAt: new Date('2026-05-10T00:00:00Z'),
      status: 'open',
      claimIds: [about.id],
      department: about.department,
      category: about.category,
      productKey: 'kettlekt200',
      createdBy: 'maria',
      createdAt: new Date('2026-05-01T00:00:00Z'),
      updatedAt: new Date('2026-05-01T00:00:00Z'),
      version: 1,
      history: [],
      ...extra,
    },
    nextCheckAt: new Date('2026-05-09T00:00:00Z'),
  };
  return actions.open(opening, 2026, false);
}

beforeAll(async () => {
  t = await openTestDatabase('analysis');
  await ensureIndexes(t.db);
  desk = await exampleDesk();
  actions = new CorrectiveActionStore(t.db);
  const registry = new ClaimRegistry(desk, new ClaimRepository(t.db, { now: clock.now }), clock.now);
  const register = async (label: string, iso: string, overrides: Partial<ClaimDraftInput>) => {
    clock.current = new Date(iso);
    c[label] = (await registry.submit(draft(overrides), `seed-${label}`)).claim;
  };
  await register('K1', '2026-04-10T10:00:00Z', { category: 'defect', concerns: { product: 'Kettle KT-200' }, description: 'The kettle leaks from the bottom onto the table.' });
  await register('K2', '2026-04-20T10:00:00Z', { category: 'defect', concerns: { product: 'kettle kt200' }, description: 'Water leaks from the kettle, a puddle every time.' });
  await register('K3', '2026-04-25T10:00:00Z', { category: 'defect', concerns: { product: 'KETTLE KT 200' }, description: 'The kettle does not heat the water any more.' });
  await register('T1', '2026-04-26T10:00:00Z', { category: 'defect', concerns: { product: 'Toaster TS-1' }, description: 'The toaster burns the bread black.' });
  await register('D1', '2026-04-27T10:00:00Z', { category: 'delivery', concerns: {}, description: 'The courier was three days late with my parcel.' });
  await register('K4', '2026-05-20T10:00:00Z', { category: 'defect', concerns: { product: 'Kettle KT-200' }, description: 'The kettle leaks again, at the seam of the bottom.' });
  const k1 = c.K1 as Claim;
  await open(1, k1, { status: 'verified', verifiedAt: new Date('2026-05-11T00:00:00Z'), claimIds: [k1.id, (c.K2 as Claim).id] });
  // not counted: a verified preventive action, and a corrective one only done
  await open(2, c.T1 as Claim, { kind: 'preventive', status: 'verified', verifiedAt: new Date('2026-05-11T00:00:00Z'), productKey: 'toasterts1' });
  await open(3, c.D1 as Claim, { status: 'done', productKey: undefined });
});
afterAll(async () => {
  await t.close();
});

describe('the analysis in the store', () => {
  it('the report: one product for every spelling, named as most claims spell it; the share with a verified corrective action', async () => {
    const report = await new ClaimQueries(t.db, { timezone: 'UTC', desk }).report({}, NOW);
    expect(report.total).toBe(6);
    expect(report.pareto.products.map((bar) => [bar.key, bar.count])).toEqual([['Kettle KT-200', 4], ['Toaster TS-1', 1]]);
    expect(report.repeatProducts).toEqual([{ product: 'Kettle KT-200', count: 4, customers: 1 }]);
    // K1 and K2 are linked to A1 (verified, corrective): 2 of 6
    expect(report.rootCause.verifiedAction).toEqual({ count: 2, of: 6, share: 2 / 6 });
  });

  it('the report names a catalogue product in the desk\'s language', async () => {
    const withCatalogue: DeskConfig = { ...desk, products: [{ id: 'kettle', name: { ru: 'Чайник КТ-200', en: 'Kettle KT-200 (catalogue)' }, aliases: ['Kettle KT200'] }] };
    const report = await new ClaimQueries(t.db, { timezone: 'UTC', desk: withCatalogue }).report({}, NOW);
    expect(report.pareto.products[0]).toMatchObject({ key: withCatalogue.products[0]?.name[desk.desk.defaultLocale], count: 4 });
  });

  it('CAPA effectiveness: the counts of the windows, in one pass', async () => {
    const report = await new AnalysisQueries(t.db, desk).effectiveness({}, NOW, 30);
    expect(report.actions.map((row) => row.number)).toEqual(['A-2026-0001']);
    const row = report.actions[0];
    // before: [Apr 1, May 1): K1, K2, K3 → 3 in 30 days = 3 per 30; after: [May 11, May 31): K4 → 1 in 20 days = 1.5 per 30
    expect(row?.before).toEqual({ claims: 3, days: 30, rate: 3 });
    expect(row?.after).toEqual({ claims: 1, days: 20, rate: 1.5 });
    expect(row?.outcome).toBe('fell');
    // a window of 10 days: before [Apr 21, May 1) K3 → 3 per 30; after [May 11, May 21) K4 → 3 per 30: did not fall
    const short = await new AnalysisQueries(t.db, desk).effectiveness({}, NOW, 10);
    expect(short.notFallen.map((item) => [item.number, item.before.claims, item.after.claims])).toEqual([['A-2026-0001', 1, 1]]);
    // the filter: another category, or verified outside the period, has none
    expect((await new AnalysisQueries(t.db, desk).effectiveness({ category: 'delivery' }, NOW)).actions).toEqual([]);
    expect((await new AnalysisQueries(t.db, desk).effectiveness({ from: new Date('2026-05-12T00:00:00Z') }, NOW)).actions).toEqual([]);
  });

  it('similar claims: earlier claims of the same category, the leaking kettles first, with their actions', async () => {
    const analysis = new AnalysisQueries(t.db, desk);
    const candidates = await analysis.similarCandidates('defect', new Date(NOW.getTime() - 180 * DAY), (c.K4 as Claim).createdAt, (c.K4 as Claim).id);
    expect(candidates.map((item) => item.number).sort()).toEqual(['K1', 'K2', 'K3', 'T1'].map((label) => (c[label] as Claim).number).sort());
    const similar = new SimilarClaims({ desk, candidates: (...args) => analysis.similarCandidates(...args), actions });
    const found = await similar.forClaim(c.K4 as Claim);
    expect(found.slice(0, 2).map((match) => match.claim.number).sort()).toEqual([(c.K1 as Claim).number, (c.K2 as Claim).number].sort());
    expect(found.map((match) => match.claim.number)).not.toContain((c.D1 as Claim).number);
    const k1 = found.find((match) => match.claim.number === (c.K1 as Claim).number);
    expect(k1?.actions.map((action) => action.number)).toEqual(['A-2026-0001']);
    // the first claim has nothing before it
    expect(await similar.forClaim(c.K1 as Claim)).toEqual([]);
  });
});
