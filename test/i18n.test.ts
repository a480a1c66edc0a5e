import { describe, expect, it } from 'vitest';
import { CATALOGUES, placeholders, t, type MessageKey } from '../src/i18n/index.js';

describe('the message catalogues', () => {
  const keys = Object.keys(CATALOGUES.en).sort();

  it('Russian and English have exactly the same keys', () => {
    expect(Object.keys(CATALOGUES.ru).sort()).toEqual(keys);
  });

  it('every text is non-empty and uses the same placeholders in both languages', () => {
    for (const key of keys as MessageKey[]) {
      expect(CATALOGUES.en[key].trim(), key).not.toBe('');
      expect(CATALOGUES.ru[key].trim(), key).not.toBe('');
      expect(placeholders(CATALOGUES.ru[key]), key).toEqual(placeholders(CATALOGUES.en[key]));
    }
  });

  it('Russian texts are in Russian (a copied English text would slip through otherwise)', () => {
    const untranslated = (keys as MessageKey[]).filter((key) => CATALOGUES.ru[key] === CATALOGUES.en[key] && /[a-z]{3}/i.test(CATALOGUES.en[key]));
    expect(untranslated).toEqual([]);
  });

  it('fills placeholders and refuses to send a half-filled text', () => {
    expect(t('en', 'status.not_found', { number: '2026-000001' })).toContain('2026-000001');
    // a key picked at run time is checked at run time
    const picked = ((): MessageKey => 'status.not_found')();
    expect(() => t('en', picked)).toThrow(/number/);
  });

  it('makes a missing placeholder value a compile error (npm run typecheck checks these lines)', () => {
    const compileErrors = () => [
      // @ts-expect-error the text needs {number}
      t('en', 'status.not_found'),
      // @ts-expect-error {number} is there, but misspelt
      t('en', 'status.not_found', { numbr: '2026-000001' }),
      // @ts-expect-error a value that is neither text nor number
      t('en', 'status.not_found', { number: { id: 1 } }),
    ];
    // and were they run, the first would still be refused
    expect(compileErrors).toThrow(/number/);
    // a text without placeholders takes none
    expect(t('en', 'ask.intake.kind')).toBe(CATALOGUES.en['ask.intake.kind']);
  });
});
