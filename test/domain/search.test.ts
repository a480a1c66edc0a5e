import { describe, expect, it } from 'vitest';
import { parseSearch, searchWords } from '../../src/domain/search.js';

/** #25: the console's search box, understood. */

describe('parseSearch', () => {
  it.each([
    ['№ 2026-000123', { kind: 'number', number: '2026-000123' }],
    ['2026-123', { kind: 'number', number: '2026-000123' }],
    ['  №2026 – 7 ', { kind: 'number', number: '2026-000007' }],
    ['#2026-000045', { kind: 'number', number: '2026-000045' }],
    ['+7 (912) 345-67-89', { kind: 'phone', phone: '+79123456789' }],
    ['8 912 345 67 89', { kind: 'phone', phone: '+79123456789' }],
    ['89123456789', { kind: 'phone', phone: '+79123456789' }],
    ['912-345-67-89', { kind: 'phone', phone: '+79123456789' }],
    ['+44 20 7946 0958', { kind: 'phone', phone: '+442079460958' }],
    ['Anna.Petrova@Example.COM', { kind: 'email', email: 'anna.petrova@example.com' }],
    ['  anna@example.com ', { kind: 'email', email: 'anna@example.com' }],
    ['Чайник не греет', { kind: 'words', words: ['чайник', 'не', 'греет'] }],
    ['KT-200', { kind: 'words', words: ['kt', '200'] }],
    ['Ёлка ёлка ЕЛКА', { kind: 'words', words: ['елка'] }],
    ['anna@', { kind: 'words', words: ['anna'] }],
    ['345-67', { kind: 'words', words: ['345', '67'] }],
    ['one two three four five six seven', { kind: 'words', words: ['one', 'two', 'three', 'four', 'five'] }],
  ] as const)('%s → %j', (input, expected) => {
    expect(parseSearch(input)).toEqual(expected);
  });

  it.each(['', '   ', 'a', 'я б', '!!!', '—'])('%j finds nothing to search for', (input) => {
    expect(parseSearch(input)).toBeUndefined();
  });
});

describe('searchWords', () => {
  it('lower-cases, folds ё and keeps letters and digits of two or more', () => {
    expect(searchWords('Чайник KT-200, ёмкость 1,7 л')).toEqual(['чайник', 'kt', '200', 'емкость']);
  });
});
