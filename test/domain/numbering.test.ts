import { describe, expect, it } from 'vitest';
import { claimNumberParts, formatClaimNumber, parseClaimNumber, yearIn } from '../../src/domain/numbering.js';

describe('claim numbers', () => {
  it('formats the year and a six-digit sequence', () => {
    expect(formatClaimNumber(2026, 123)).toBe('2026-000123');
    expect(formatClaimNumber(2027, 1)).toBe('2027-000001');
    expect(formatClaimNumber(2026, 1_234_567)).toBe('2026-1234567');
  });

  it('refuses a sequence below 1 or a silly year', () => {
    expect(() => formatClaimNumber(2026, 0)).toThrow(RangeError);
    expect(() => formatClaimNumber(26, 5)).toThrow(RangeError);
    expect(() => formatClaimNumber(2026, 1.5)).toThrow(RangeError);
  });

  it.each([
    ['2026-000123', '2026-000123'],
    ['2026-123', '2026-000123'],
    [' №2026/123 ', '2026-000123'],
    ['#2026 7', '2026-000007'],
    ['no. 2026-42', '2026-000042'],
    ['№ 2026-000123', '2026-000123'],
    ['Nº 2026–5', '2026-000005'],
    ['N°2026—5', '2026-000005'],
    ['nr. 2026 - 5', '2026-000005'],
    ['2026−12', '2026-000012'],
    ['２０２６-１２３', '2026-000123'],
    ['2026-0000123', '2026-000123'],
    ['2026-1234567', '2026-1234567'],
    ['\t2026-77\n', '2026-000077'],
  ])('reads %j as %s', (typed, canonical) => {
    expect(parseClaimNumber(typed)).toBe(canonical);
  });

  it.each(['', 'abc', '2026', '123', '2026-0', '1999-5', '{"$gt": ""}', '2026-12a', '2026--5', '2026-1234567890', '20261-23', '2026-12-01', 'claim 2026-5', '#', '-2026-5'])('does not read %j as a number', (typed) => {
    expect(parseClaimNumber(typed)).toBeUndefined();
  });

  it('splits a canonical number into its year and sequence, and nothing else', () => {
    expect(claimNumberParts('2026-000123')).toEqual({ year: 2026, sequence: 123 });
    expect(claimNumberParts('2026-1234567')).toEqual({ year: 2026, sequence: 1_234_567 });
    for (const other of ['2026-123', ' 2026-000123', '№2026-000123', '2026-0000123', 'x']) expect(claimNumberParts(other)).toBeUndefined();
  });

  it('takes the year in the desk time zone', () => {
    const newYearsEveInMoscow = new Date('2026-12-31T21:30:00Z'); // 00:30 on 1 Jan 2027 in Moscow
    expect(yearIn(newYearsEveInMoscow, 'Europe/Moscow')).toBe(2027);
    expect(yearIn(newYearsEveInMoscow, 'UTC')).toBe(2026);
  });
});
