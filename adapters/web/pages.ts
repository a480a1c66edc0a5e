import { Locale, pickLocale } from '../../src/domain/locale.js';

/** What the web pages (the customer chat and the staff console) share. */

/**
 * Escapes text for HTML text and quoted attribute values.
 * @example escapeHtml('<b>"x"</b>') // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The page's language: `?lang=ru|en` when given, else the first language of Accept-Language the
 * desk speaks (by preference), else the desk's default. `explicit` tells whether `?lang` chose it
 * (then the conversation starts in it too, rather than in the browser's language).
 * @example pageLocale('?lang=en', 'ru-RU,ru;q=0.9', 'ru') // { locale: 'en', explicit: true }
 */
export function pageLocale(search: string, acceptLanguage: string | undefined, fallback: Locale): { readonly locale: Locale; readonly explicit: boolean } {
  const asked = Locale.safeParse(new URLSearchParams(search).get('lang')?.toLowerCase());
  if (asked.success) return { locale: asked.data, explicit: true };
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const base = entry.tag.toLowerCase().split(/[-_]/)[0] ?? '';
    // only languages the desk speaks, or ones it maps to Russian (uk, be, kk, ky)
    if (['ru', 'en', 'uk', 'be', 'kk', 'ky'].includes(base)) return { locale: pickLocale(base, fallback), explicit: false };
  }
  return { locale: fallback, explicit: false };
}
