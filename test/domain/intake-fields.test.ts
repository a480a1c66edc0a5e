import { describe, expect, it } from 'vitest';
import { decimalOf, fieldRequirement, formatDay, parseClaimAmount, parsePurchaseDate, shiftDay } from '../../src/domain/intake-fields.js';
import { priorConsent } from '../../src/domain/consent.js';

/** The intake's extra fields (#25) as people type them, and the consent a customer gave before (#26). */

describe('parseClaimAmount', () => {
  it.each([
    ['1 299,90', 'RUB', 129990],
    ['1299.90 ₽', 'RUB', 129990],
    ['1299,90 руб.', 'RUB', 129990],
    ['RUB 15', 'RUB', 1500],
    ['$12', 'USD', 1200],
    ['12.5 USD', 'USD', 1250],
    ['0,01', 'RUB', 1],
  ])('reads %j on a %s desk as %i hundredths in that currency', (typed, currency, minor) => {
    expect(parseClaimAmount(typed, currency)).toEqual({ ok: true, amount: { minor, currency } });
  });

  it.each([
    ['$12', 'RUB', 'other_currency'],
    ['12 €', 'RUB', 'other_currency'],
    ['1299 ₽', 'USD', 'other_currency'],
    ['0', 'RUB', 'not_positive'],
    ['-5', 'RUB', 'not_positive'],
    ['about a thousand', 'RUB', 'not_a_number'],
    ['12,3,4', 'RUB', 'not_a_number'],
    ['99999999999999999', 'RUB', 'too_large'],
  ])('refuses %j on a %s desk: %s', (typed, currency, problem) => {
    expect(parseClaimAmount(typed, currency)).toEqual({ ok: false, problem });
  });
});

describe('parsePurchaseDate', () => {
  const today = '2026-12-03';

  it.each([
    ['12.11.2026', '2026-11-12'],
    ['12.11.26', '2026-11-12'],
    ['1/2/2026', '2026-02-01'],
    ['2026-11-12', '2026-11-12'],
    ['12 ноября', '2026-11-12'],
    ['12 ноября 2025 г.', '2025-11-12'],
    ['3 декабря', '2026-12-03'],
    // a day without a year that is still to come this year is last year's
    ['25 декабря', '2025-12-25'],
    ['12 Nov', '2026-11-12'],
    ['12 November 2024', '2024-11-12'],
    ['November 12, 2026', '2026-11-12'],
    ['Nov 12th', '2026-11-12'],
    ['  Today ', '2026-12-03'],
    ['сегодня', '2026-12-03'],
    ['yesterday', '2026-12-02'],
    ['Вчера', '2026-12-02'],
    ['позавчера', '2026-12-01'],
    ['29.02.2024', '2024-02-29'],
  ])('reads %j as %s', (typed, date) => {
    expect(parsePurchaseDate(typed, today)).toEqual({ ok: true, date });
  });

  it.each([
    ['tomorrow', 'not_a_date'],
    ['last spring', 'not_a_date'],
    ['12 брюмера', 'not_a_date'],
    ['', 'not_a_date'],
    ['31.02.2026', 'no_such_day'],
    ['29.02.2026', 'no_such_day'],
    ['32 ноября', 'no_such_day'],
    ['13.13.2026', 'no_such_day'],
    ['04.12.2026', 'in_future'],
    ['12.11.2027', 'in_future'],
    ['1 января 1970', 'too_old'],
  ])('refuses %j: %s', (typed, problem) => {
    expect(parsePurchaseDate(typed, today)).toEqual({ ok: false, problem });
  });

  it('moves days across months and leap years', () => {
    expect(shiftDay('2026-03-01', -1)).toBe('2026-02-28');
    expect(shiftDay('2024-03-01', -1)).toBe('2024-02-29');
    expect(shiftDay('2026-01-01', -1)).toBe('2025-12-31');
  });
});

describe('showing the fields', () => {
  it('formats a day in each language and an amount as a plain decimal', () => {
    expect(formatDay('2026-11-12', 'en')).toBe('12 Nov 2026');
    expect(formatDay('2026-11-12', 'ru')).toMatch(/^12 нояб\. 2026/);
    expect(decimalOf({ minor: 249950, currency: 'RUB' })).toBe('2499.50');
    expect(decimalOf({ minor: 312, currency: 'RUB' }, ',')).toBe('3,12');
    expect(decimalOf({ minor: 5, currency: 'RUB' })).toBe('0.05');
  });

  it('tells which fields a category asks', () => {
    expect(fieldRequirement({ fields: { amount: 'required', purchaseDate: 'optional' } }, 'purchaseDate')).toBe('optional');
    expect(fieldRequirement({ fields: { amount: 'required' } }, 'purchaseDate')).toBeUndefined();
    expect(fieldRequirement({}, 'amount')).toBeUndefined();
    expect(fieldRequirement(undefined, 'amount')).toBeUndefined();
  });
});

describe('priorConsent', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 10, day));

  it('finds the earliest agreement to the version asked now, and none to another version', () => {
    const claims = [{ consent: { version: 'v2', at: at(20) } }, {}, { consent: { version: 'v2', at: at(10) } }, { consent: { version: 'v1', at: at(1) } }];
    expect(priorConsent(claims, 'v2')).toEqual({ version: 'v2', at: at(10) });
    expect(priorConsent(claims, 'v3')).toBeUndefined();
    expect(priorConsent([], 'v1')).toBeUndefined();
  });
});
