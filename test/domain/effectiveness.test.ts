import { describe, expect, it } from 'vitest';
import type { CorrectiveAction } from '../../src/domain/capa.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { claimRate, EffectivenessTally, effectivenessReport, effectivenessWindows, tallyRange, type ClaimMark } from '../../src/domain/effectiveness.js';

const DAY = 86_400_000;
const OPENED = new Date('2026-06-01T00:00:00Z');
const day = (n: number) => new Date(OPENED.getTime() + n * DAY);
const NO_CATALOGUE: Pick<DeskConfig, 'products'> = { products: [] };

function action(extra: Partial<CorrectiveAction> & Pick<CorrectiveAction, 'id' | 'number'>): CorrectiveAction {
  return {
    kind: 'corrective',
    description: 'Replace the worn die',
    ownerId: 'ivan',
    dueAt: day(10),
    status: 'verified',
    claimIds: ['c1'],
    department: 'quality',
    category: 'defect',
    productKey: 'kettlekt200',
    createdBy: 'maria',
    createdAt: OPENED,
    updatedAt: day(20),
    verifiedAt: day(20),
    version: 3,
    history: [],
    ...extra,
  };
}

const kettle = (at: Date): ClaimMark => ({ createdAt: at, category: 'defect', product: 'Kettle KT-200' });

function run(actions: readonly CorrectiveAction[], claims: readonly ClaimMark[], days: number, now: Date, desk = NO_CATALOGUE) {
  const windows = effectivenessWindows(actions, desk, days, now);
  const tally = new EffectivenessTally(windows, desk);
  for (const claim of claims) tally.add(claim);
  return effectivenessReport(windows, tally.counts(), days, now);
}

describe('CAPA effectiveness', () => {
  it('rates: claims per 30 days', () => {
    expect(claimRate(6, 90)).toBe(2);
    expect(claimRate(3, 45)).toBe(2);
    expect(claimRate(0, 90)).toBe(0);
    expect(claimRate(5, 0)).toBe(0);
  });

  it('counts the claims of the same product in the N days before opening and the days passed after verification', () => {
    // N = 30. Before: [May 2, June 1). After: verified June 21 (day 20), now = day 35 at noon → 15 whole days, [June 21, July 6).
    const now = new Date(day(35).getTime() + DAY / 2);
    const claims = [
      kettle(day(-31)), // before the before-window: not counted
      kettle(day(-30)), // the window's first instant: counted
      kettle(day(-10)),
      kettle(new Date(OPENED.getTime() - 1)), // the last millisecond before opening: counted
      { createdAt: day(-5), category: 'defect', product: 'kettle  kt200' }, // the same product, spelled differently
      { createdAt: day(-5), category: 'defect', product: 'Toaster T-1' }, // another product
      kettle(day(5)), // between opening and verification: in neither window
      kettle(day(20)), // the verification instant: after
      kettle(day(34)),
      kettle(day(35)), // the 16th day has not passed yet: not counted
    ];
    const report = run([action({ id: 'a1', number: 'A-2026-0001' })], claims, 30, now);
    const row = report.actions[0];
    // before: 4 claims in 30 days → 4 per 30 days; after: 2 claims in 15 days → 4 per 30 days: did not fall
    expect(row?.before).toEqual({ claims: 4, days: 30, rate: 4 });
    expect(row?.after).toEqual({ claims: 2, days: 15, rate: 4 });
    expect(row?.outcome).toBe('not_fallen');
    expect(report.notFallen.map((item) => item.number)).toEqual(['A-2026-0001']);
    expect(report.rateDays).toBe(30);
  });

  it('an action whose rate fell is not listed; one verified today is too early; none before or after is no_claims', () => {
    const now = day(50);
    const actions = [
      action({ id: 'fell', number: 'A-2026-0002' }),
      action({ id: 'early', number: 'A-2026-0003', productKey: 'toastert1', verifiedAt: new Date(now.getTime() - DAY / 2) }),
      action({ id: 'quiet', number: 'A-2026-0004', productKey: 'ironx9' }),
    ];
    // fell: 9 claims in 90 days before (3 per 30 days); after: verified day 20, now day 50 → 30 days, 1 claim (1 per 30 days)
    const claims = [...[-80, -70, -60, -50, -40, -30, -20, -10, -1].map((n) => kettle(day(n))), kettle(day(25)), { createdAt: day(-3), category: 'defect', product: 'Toaster T-1' }];
    const report = run(actions, claims, 90, now);
    const byId = new Map(report.actions.map((row) => [row.actionId, row]));
    expect(byId.get('fell')?.before.rate).toBe(3);
    expect(byId.get('fell')?.after).toEqual({ claims: 1, days: 30, rate: 1 });
    expect(byId.get('fell')?.outcome).toBe('fell');
    expect(byId.get('early')?.after).toEqual({ claims: 0, days: 0, rate: null });
    expect(byId.get('early')?.outcome).toBe('too_early');
    expect(byId.get('quiet')?.outcome).toBe('no_claims');
    expect(report.notFallen).toEqual([]);
  });

  it('compares by category when the action has no product; the after-window stops at N days', () => {
    const now = day(200);
    const claims: ClaimMark[] = [
      { createdAt: day(-3), category: 'delivery' },
      { createdAt: day(-2), category: 'delivery', product: 'Anything' },
      { createdAt: day(-1), category: 'defect' },
      { createdAt: day(30), category: 'delivery' },
      { createdAt: day(40), category: 'delivery' },
      { createdAt: day(59), category: 'delivery' },
      { createdAt: day(61), category: 'delivery' }, // after verification (day 20) + 40 days: outside
    ];
    const withoutProduct = action({ id: 'cat', number: 'A-2026-0005', category: 'delivery' });
    const { productKey: _none, ...rest } = withoutProduct;
    const report = run([rest], claims, 40, now);
    // before: 2 in 40 days = 1.5 per 30; after: 3 in 40 days = 2.25 per 30 → did not fall
    expect(report.actions[0]?.scope).toEqual({ kind: 'category', category: 'delivery' });
    expect(report.actions[0]?.before).toEqual({ claims: 2, days: 40, rate: 1.5 });
    expect(report.actions[0]?.after).toEqual({ claims: 3, days: 40, rate: 2.25 });
    expect(report.notFallen).toHaveLength(1);
  });

  it('measures only verified corrective actions', () => {
    const actions = [
      action({ id: 'p', number: 'A-2026-0006', kind: 'preventive' }),
      action({ id: 'c', number: 'A-2026-0007', kind: 'correction' }),
      action({ id: 'd', number: 'A-2026-0008', status: 'done' }),
      action({ id: 'x', number: 'A-2026-0009', status: 'cancelled' }),
      action({ id: 'v', number: 'A-2026-0010' }),
    ];
    expect(effectivenessWindows(actions, NO_CATALOGUE, 90, day(100)).map((window) => window.actionId)).toEqual(['v']);
  });

  it('groups by the product catalogue: an alias counts as its product', () => {
    const desk: Pick<DeskConfig, 'products'> = { products: [{ id: 'kettle-kt200', name: { ru: 'Чайник КТ-200', en: 'Kettle KT-200' }, aliases: ['KT200', 'чайник КТ 200 белый'] }] };
    const claims: ClaimMark[] = [
      { createdAt: day(-3), category: 'defect', product: 'KT200' },
      { createdAt: day(-2), category: 'defect', product: 'Чайник КТ 200 белый' },
      { createdAt: day(-1), category: 'defect', product: 'Kettle KT-200' },
      { createdAt: day(-1), category: 'defect', product: 'KT 300' },
    ];
    const report = run([action({ id: 'a', number: 'A-2026-0011', productKey: 'kt200' })], claims, 30, day(60), desk);
    expect(report.actions[0]?.scope).toEqual({ kind: 'product', product: 'kettle-kt200' });
    expect(report.actions[0]?.before.claims).toBe(3);
  });

  it('the store reads one range: from the earliest window to the latest, every category when one compares by product', () => {
    const now = day(50);
    const windows = effectivenessWindows([action({ id: 'a', number: 'A-2026-0012' })], NO_CATALOGUE, 30, now);
    expect(tallyRange(windows)).toEqual({ from: day(-30), to: day(50) });
    const { productKey: _none, ...byCategory } = action({ id: 'b', number: 'A-2026-0013' });
    expect(tallyRange(effectivenessWindows([byCategory], NO_CATALOGUE, 30, now))).toEqual({ from: day(-30), to: day(50), categories: ['defect'] });
    expect(tallyRange([])).toBeUndefined();
  });
});
