import { Email, normalisePhone } from './contact.js';
import { parseClaimNumber } from './numbering.js';

/**
 * What staff typed into the console's search box, understood (#25 "Search"):
 * - `number`: a claim number in any typed form (`№ 2026-000123`, `2026-123`);
 * - `phone`: a phone number in any typed form, normalised as the desk stores it (`+79123456789`);
 * - `email`: an e-mail address, lower-cased as stored;
 * - `words`: anything else, as lower-case words (letters and digits) of at least
 *   {@link SEARCH_WORD_MIN} characters, at most {@link SEARCH_WORDS_MAX} of them — matched against
 *   the customer's name, the product and the description.
 */
export type SearchQuery =
  | { readonly kind: 'number'; readonly number: string }
  | { readonly kind: 'phone'; readonly phone: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'words'; readonly words: readonly string[] };

/** The shortest word searched for (shorter ones are dropped: they match nearly everything). */
export const SEARCH_WORD_MIN = 2;
/** The most words one search looks for; the rest are dropped. */
export const SEARCH_WORDS_MAX = 5;
/** The longest query read. */
export const SEARCH_INPUT_MAX = 200;

/** Characters a typed phone number is made of. */
const PHONE_LIKE = /^\+?[\d\s().\u2010-\u2015-]+$/u;

/**
 * Reads a search box's text; undefined when nothing searchable is left (empty, only short words).
 * A claim number wins over a phone number (`2026-000123` has ten digits too).
 * @example parseSearch('+7 (912) 345-67-89') // { kind: 'phone', phone: '+79123456789' }
 * @example parseSearch('чайник не греет') // { kind: 'words', words: ['чайник', 'не', 'греет'] }
 */
export function parseSearch(input: string): SearchQuery | undefined {
  const text = input.normalize('NFKC').trim().slice(0, SEARCH_INPUT_MAX);
  if (text === '') return undefined;
  const number = parseClaimNumber(text.replace(/^№\s*/u, ''));
  if (number) return { kind: 'number', number };
  if (text.includes('@')) {
    const email = Email.safeParse(text);
    if (email.success) return { kind: 'email', email: email.data };
  }
  if (PHONE_LIKE.test(text)) {
    const phone = normalisePhone(text.replace(/[\u2010-\u2015]/gu, '-'));
    if (phone) return { kind: 'phone', phone };
  }
  const words = [...new Set(searchWords(text))].slice(0, SEARCH_WORDS_MAX);
  return words.length > 0 ? { kind: 'words', words } : undefined;
}

/**
 * A text's words as search compares them: lower case, `ё` as `е`, letters and digits only, at
 * least {@link SEARCH_WORD_MIN} characters.
 * @example searchWords('Чайник KT-200, ёмкость') // ['чайник', 'kt', '200', 'емкость']
 */
export function searchWords(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().replace(/ё/gu, 'е').match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => Array.from(word).length >= SEARCH_WORD_MIN);
}
