import type { CatalogueProduct, DeskConfig } from './desk.js';
import type { LocalizedText } from './locale.js';

/**
 * How claims are grouped by product (#24): by the desk's optional product catalogue first (a
 * product's id, names and aliases all lead to it), otherwise by the name's normalised key
 * ({@link productKey}). Reports, the CAPA register's filter, the CAPA effectiveness and the
 * similar claims all group through {@link productGroup}.
 */

/**
 * A product name as a grouping key: case, spaces and punctuation folded, so "Kettle KT-200" and
 * "kettle kt200" are one product. Undefined for a name with no letters or digits.
 * @example productKey('Kettle KT-200') // 'kettlekt200'
 */
export function productKey(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const key = name.normalize('NFKC').toLowerCase().replace(/ё/g, 'е').replace(/[^\p{L}\p{N}]+/gu, '');
  return key === '' ? undefined : key.slice(0, 120);
}

/** The catalogue's lookup: every name's key → the product's id. */
export type ProductLookup = ReadonlyMap<string, string>;

const lookups = new WeakMap<readonly CatalogueProduct[], ProductLookup>();

/**
 * The lookup of a catalogue (built once per catalogue): the key of each product's id, Russian
 * and English name and aliases leads to its id. The desk config refuses a key used by two products.
 * @example productLookup(desk.products).get('kt200') // 'kettle-kt200'
 */
export function productLookup(products: readonly CatalogueProduct[]): ProductLookup {
  const known = lookups.get(products);
  if (known) return known;
  const lookup = new Map<string, string>();
  for (const product of products) {
    for (const name of [product.id, product.name.ru, product.name.en, ...product.aliases]) {
      const key = productKey(name);
      if (key !== undefined && !lookup.has(key)) lookup.set(key, product.id);
    }
  }
  lookups.set(products, lookup);
  return lookup;
}

/**
 * The group a product name (or an already computed group or key) belongs to: the catalogue
 * product's id when one of its names matches, otherwise the name's normalised key; undefined
 * for no product. Idempotent: a group's group is itself.
 * @example productGroup(desk, 'Чайник КТ-200') // 'kettle-kt200' (an alias in the catalogue) or 'чайниккт200'
 */
export function productGroup(desk: Pick<DeskConfig, 'products'>, name: string | undefined): string | undefined {
  const key = productKey(name);
  if (key === undefined) return undefined;
  return productLookup(desk.products).get(key) ?? key;
}

/**
 * Every stored key that belongs to a group: the group itself and, for a catalogue product, the
 * keys of its names (actions opened before the catalogue named it keep the normalised key).
 * @example productKeysOf(desk, 'kettle-kt200') // ['kettle-kt200', 'kettlekt200', 'kt200', …]
 */
export function productKeysOf(desk: Pick<DeskConfig, 'products'>, group: string): string[] {
  const keys = new Set([group]);
  for (const [key, id] of productLookup(desk.products)) if (id === group) keys.add(key);
  return [...keys];
}

/** The catalogue product of a group, if the group is one. */
export function catalogueProduct(desk: Pick<DeskConfig, 'products'>, group: string): CatalogueProduct | undefined {
  return desk.products.find((product) => product.id === group);
}

/** A group's name to show: the catalogue's (both languages) or the name most often given for it. */
export type ProductName = LocalizedText | string;
