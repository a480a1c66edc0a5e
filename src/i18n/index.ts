import type { Locale } from '../domain/locale.js';
import { en } from './en.js';
import { ru } from './ru.js';
import { dateTimeFormat } from '../domain/date-format.js';

/** Every text the bot says, by key. The English catalogue defines the keys; Russian must have them all. */
export type MessageKey = keyof typeof en;
export type Catalogue = Readonly<Record<MessageKey, string>>;

/** The catalogues, by locale. */
export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { ru, en };

/** Values for a message's `{placeholders}`. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** The `{placeholder}` names of a text, as a union of string literals (never when it has none). */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;

/**
 * The values a message needs: one for each of its placeholders (a missing one is a compile error).
 * For a key known only as a union, the values every one of those messages needs.
 */
export type ParamsFor<K extends MessageKey> = Readonly<Record<PlaceholderNames<(typeof en)[K]>, string | number>>;

/** Whether a type is a union of several members (a key picked at run time from several). */
type IsUnion<T, All = T> = T extends unknown ? ([All] extends [T] ? false : true) : never;

/**
 * What `t()` takes after the key: for one known key, exactly its placeholders' values (none for a
 * text without placeholders); for a key picked at run time among several, values checked at run time.
 */
type ArgsFor<K extends MessageKey> = [IsUnion<K>] extends [false]
  ? [PlaceholderNames<(typeof en)[K]>] extends [never]
    ? [params?: MessageParams]
    : [params: ParamsFor<K>]
  : [params?: MessageParams];

/**
 * A message in a language, with its `{placeholders}` filled in. The values it needs are checked
 * by the compiler (ParamsFor); a placeholder still without a value at run time (a value typed
 * loosely) throws, so a half-filled text never reaches a customer.
 * @example t('en', 'registered.number', { number: '2026-000123' })
 */
export function t<K extends MessageKey>(locale: Locale, key: K, ...[params]: ArgsFor<K>): string {
  const values: MessageParams = params ?? {};
  return CATALOGUES[locale][key].replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`i18n: message "${key}" needs a value for {${name}}`);
    return String(value);
  });
}

/** The placeholder names a text uses, for the catalogue consistency test. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

const LANGUAGE_TAGS: Readonly<Record<Locale, string>> = { ru: 'ru-RU', en: 'en-GB' };

/**
 * A date and time as people read it in a language and the desk's time zone.
 * @example formatDateTime(new Date(), 'ru', 'Europe/Moscow') // '24 нояб. 2026 г., 14:05'
 */
export function formatDateTime(at: Date, locale: Locale, timeZone: string): string {
  return dateTimeFormat(LANGUAGE_TAGS[locale], { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
}
