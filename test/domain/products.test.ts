import { describe, expect, it } from 'vitest';
import type { DeskConfig } from '../../src/domain/desk.js';
import { parseActionFilter } from '../../src/domain/capa.js';
import { productGroup, productKey, productKeysOf } from '../../src/domain/products.js';
import { exampleDesk } from '../support/fixtures.js';

const CATALOGUE: Pick<DeskConfig, 'products'> = {
  products: [
    { id: 'kettle-kt200', name: { ru: 'Чайник КТ-200', en: 'Kettle KT-200' }, aliases: ['KT200', 'чайник белый 200'] },
    { id: 'toaster', name: { ru: 'Тостер Т-1', en: 'Toaster T-1' }, aliases: [] },
  ],
};

describe('product grouping', () => {
  it('folds case, spaces and punctuation (and ё)', () => {
    expect(productKey('Kettle KT-200')).toBe(productKey('kettle kt200'));
    expect(productKey('Ёлка  «Зимняя»')).toBe('елказимняя');
    expect(productKey(' -- ')).toBeUndefined();
    expect(productKey(undefined)).toBeUndefined();
  });

  it('without a catalogue the group is the key; with one, every name of a product leads to its id', () => {
    expect(productGroup({ products: [] }, 'Kettle KT-200')).toBe('kettlekt200');
    for (const name of ['Kettle KT-200', 'kettle kt200', 'ЧАЙНИК КТ 200', 'kt-200', 'Чайник, белый: 200', 'kettle-kt200']) expect(productGroup(CATALOGUE, name)).toBe('kettle-kt200');
    expect(productGroup(CATALOGUE, 'Kettle KT-300')).toBe('kettlekt300');
    expect(productGroup(CATALOGUE, undefined)).toBeUndefined();
  });

  it('is idempotent: a group (or a key stored before the catalogue) gives the same group', () => {
    expect(productGroup(CATALOGUE, productGroup(CATALOGUE, 'KT200'))).toBe('kettle-kt200');
    expect(productGroup(CATALOGUE, 'kettlekt200')).toBe('kettle-kt200');
    expect(productKeysOf(CATALOGUE, 'kettle-kt200').sort()).toEqual(['kettle-kt200', 'kettlekt200', 'kt200', 'чайникбелый200', 'чайниккт200'].sort());
    expect(productKeysOf(CATALOGUE, 'kettlekt300')).toEqual(['kettlekt300']);
  });

  it('the CAPA register filters by the group and every stored key of it', async () => {
    const desk = { ...(await exampleDesk()), products: CATALOGUE.products };
    const parsed = parseActionFilter({ product: 'KT 200' }, desk, new Date());
    expect(parsed.ok && parsed.filter.productKey).toBe('kettle-kt200');
    expect(parsed.ok && [...(parsed.filter.productKeys ?? [])].sort()).toEqual(productKeysOf(CATALOGUE, 'kettle-kt200').sort());
  });
});
