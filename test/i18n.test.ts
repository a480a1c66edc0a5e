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
    expect(() => t('en', 'status.not_found')).toThrow(/number/);
  });
});
