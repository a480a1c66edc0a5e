import { describe, expect, it } from 'vitest';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import { PRODUCT_WEIGHT, similarClaims, similarForViewer, terms, type SimilarCandidate } from '../../src/domain/similarity.js';

const NO_CATALOGUE: Pick<DeskConfig, 'products'> = { products: [] };
const OPTIONS = { top: 5, threshold: 0.2 };
let seq = 0;
const claim = (number: string, description: string, product?: string, extra: Partial<SimilarCandidate> = {}): SimilarCandidate => ({
  id: `id-${number}`,
  number,
  status: 'resolved',
  createdAt: new Date(Date.UTC(2026, 4, 1) + ++seq * 3_600_000),
  department: 'quality',
  description,
  ...(product !== undefined ? { product } : {}),
  ...extra,
});

// earlier claims written by hand: two about a leaking kettle (ru), one about a kettle that does not heat,
// one about a late delivery, one about a toaster that burns bread, and the same in English
const RU = [
  claim('2026-000001', 'Чайник протекает снизу, вода течёт на стол.', 'Чайник КТ-200'),
  claim('2026-000002', 'Из чайника течёт вода, протекает шов на дне.', 'Чайник КТ-300'),
  claim('2026-000003', 'Чайник перестал нагреваться через два дня.', 'Чайник КТ-200'),
  claim('2026-000004', 'Курьер опоздал на три дня, коробка помята.'),
  claim('2026-000005', 'Тостер сжигает хлеб даже на минимальном режиме.', 'Тостер Т-1'),
];
const EN = [
  claim('2026-000011', 'The kettle leaks from the bottom, water runs onto the table.', 'Kettle KT-200'),
  claim('2026-000012', 'Water is leaking out of the kettle through the seam.', 'Kettle KT-300'),
  claim('2026-000013', 'The kettle stopped heating after two days.', 'Kettle KT-200'),
  claim('2026-000014', 'The courier was three days late and the box was dented.'),
  claim('2026-000015', 'The toaster burns the bread even on the lowest setting.', 'Toaster T-1'),
];

describe('similar claims', () => {
  it('terms: folded, stop words out, Russian and English stemmed, codes kept', () => {
    expect(terms('Чайники ПРОТЕКАЮТ, а чайник протёк')).toEqual(['чайник', 'протекают', 'чайник', 'протек'].map((word) => terms(word)[0]));
    expect(terms('Чайники')).toEqual(terms('чайник'));
    expect(terms('The kettles are leaking')).toEqual(['kettl', 'leak']);
    expect(terms('KT200 и 220В')).toEqual(['kt200', '220в']);
    expect(terms('и а в the of')).toEqual([]);
  });

  it('Russian: a leaking kettle finds the two leaking kettles first, not the one that does not heat', () => {
    const found = similarClaims({ description: 'Чайник течёт, вода протекает через дно.', product: 'чайник кт 200' }, RU, NO_CATALOGUE, OPTIONS);
    expect(found.map((match) => match.claim.number).slice(0, 2).sort()).toEqual(['2026-000001', '2026-000002']);
    expect(found.map((match) => match.claim.number)).not.toContain('2026-000004');
    expect(found.map((match) => match.claim.number)).not.toContain('2026-000005');
    // the same product (КТ-200, spelled otherwise) counts
    expect(found.find((match) => match.claim.number === '2026-000001')?.sameProduct).toBe(true);
    expect(found.find((match) => match.claim.number === '2026-000002')?.sameProduct).toBe(false);
  });

  it('English: a toaster burning toast finds the toaster, a late courier the delivery', () => {
    expect(similarClaims({ description: 'My toaster burned the bread black.', product: 'Toaster T1' }, EN, NO_CATALOGUE, OPTIONS)[0]?.claim.number).toBe('2026-000015');
    const late = similarClaims({ description: 'The courier came two days late.' }, EN, NO_CATALOGUE, OPTIONS);
    expect(late[0]?.claim.number).toBe('2026-000014');
    expect(late.some((match) => match.sameProduct)).toBe(false);
  });

  it('the score is the formula: weights (1 + ln tf)·idf, cosine, plus the product weight', () => {
    // corpus: q = "leak leak kettle", d1 = "leak", d2 = "toaster" (N = 3)
    // df: leak 2, kettl 1, toaster 1 → idf(leak) = ln(4/3) + 1, idf(kettl) = ln(4/2) + 1
    const idfLeak = Math.log(4 / 3) + 1;
    const idfKettle = Math.log(2) + 1;
    const q = { leak: (1 + Math.log(2)) * idfLeak, kettl: idfKettle };
    const cosine = (q.leak * idfLeak) / (Math.hypot(q.leak, q.kettl) * idfLeak);
    const found = similarClaims({ description: 'leak leak kettle', product: 'KT-200' }, [claim('A', 'leak', 'kt200'), claim('B', 'toaster')], NO_CATALOGUE, { top: 5, threshold: 0.01 });
    expect(found).toHaveLength(1);
    expect(found[0]?.text).toBeCloseTo(cosine, 12);
    expect(found[0]?.score).toBeCloseTo(PRODUCT_WEIGHT + (1 - PRODUCT_WEIGHT) * cosine, 12);
  });

  it('keeps the top K above the threshold, best first, ties newest first; the claim itself is left out', () => {
    const same = [claim('X1', 'kettle leaks'), claim('X2', 'kettle leaks'), claim('X3', 'kettle leaks')];
    const found = similarClaims({ id: 'id-X2', description: 'kettle leaks' }, same, NO_CATALOGUE, { top: 1, threshold: 0.2 });
    expect(found.map((match) => match.claim.number)).toEqual(['X3']);
    expect(similarClaims({ description: 'kettle leaks' }, [claim('Y', 'toaster burns')], NO_CATALOGUE, OPTIONS)).toEqual([]);
    // only the product in common: the product weight alone, kept at a threshold below it and dropped above
    const productOnly = [claim('Z', 'toaster burns', 'KT-200')];
    expect(similarClaims({ description: 'kettle leaks', product: 'kt 200' }, productOnly, NO_CATALOGUE, { top: 5, threshold: PRODUCT_WEIGHT })[0]?.score).toBeCloseTo(PRODUCT_WEIGHT, 12);
    expect(similarClaims({ description: 'kettle leaks', product: 'kt 200' }, productOnly, NO_CATALOGUE, { top: 5, threshold: PRODUCT_WEIGHT + 0.01 })).toEqual([]);
  });

  it('the catalogue makes two names one product', () => {
    const desk: Pick<DeskConfig, 'products'> = { products: [{ id: 'kettle', name: { ru: 'Чайник КТ-200', en: 'Kettle KT-200' }, aliases: ['KT-200 white'] }] };
    const found = similarClaims({ description: 'toaster', product: 'KT 200 White' }, [claim('C', 'kettle leaks', 'Чайник КТ-200')], desk, { top: 5, threshold: 0.2 });
    expect(found[0]?.sameProduct).toBe(true);
    expect(similarClaims({ description: 'toaster', product: 'KT 200 White' }, [claim('C', 'kettle leaks', 'Чайник КТ-200')], NO_CATALOGUE, { top: 5, threshold: 0.2 })).toEqual([]);
  });

  it('a description only for a viewer who may see the claim\'s personal data', () => {
    const match = { claim: RU[0] as SimilarCandidate, score: 0.5, text: 0.5, sameProduct: false };
    const member = (roles: StaffMember['roles'], departments: string[]): StaffMember => ({ id: 'm', name: 'M', roles, departments, locale: 'ru' });
    expect(similarForViewer(member(['operator'], ['quality']), match).description).toBe(RU[0]?.description);
    expect(similarForViewer(member(['operator'], ['logistics']), match).description).toBeUndefined();
    expect(similarForViewer(undefined, match).description).toBeUndefined();
    expect(similarForViewer(undefined, match).number).toBe('2026-000001');
  });
});
