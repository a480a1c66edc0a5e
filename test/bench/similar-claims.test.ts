import { describe, expect, it } from 'vitest';
import { madeUpClaims, runSimilarBench } from '../../bench/similar-claims.js';

/** The similar-claims benchmark once with tiny sizes: the report's shape and sane values, never the speed. */
describe('similar-claims benchmark (smoke run)', () => {
  it('makes the same claims every run and reports its numbers', () => {
    expect(madeUpClaims(3)).toEqual(madeUpClaims(3));
    expect(new Set(madeUpClaims(50).map((claim) => claim.description)).size).toBe(50);
    const result = runSimilarBench({ claims: 50, searches: 2, reps: 1 });
    expect(result).toMatchObject({ claims: 50, searches: 2, reps: 1 });
    expect(result.msPerSearch).toBeGreaterThan(0);
    expect(result.termsPerMs).toBeGreaterThan(0);
    expect(result.termsShare).toBeGreaterThan(0);
    expect(result.termsShare).toBeLessThanOrEqual(1);
  });
});
