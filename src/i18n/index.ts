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

/**
 * A message in a language, with its `{placeholders}` filled in. A placeholder without a value is
 * a programming error and throws, so a half-filled text never reaches a customer.
 * @example t('en', 'registered.number', { number: '2026-000123' })
 */
export function t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  return CATALOGUES[locale][key].replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
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
