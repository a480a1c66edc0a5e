import { z } from 'zod';

/** The languages the desk speaks. */
export const LOCALES = ['ru', 'en'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

/** A text given in every supported language. */
export const LocalizedText = z.object({
  ru: z.string().trim().min(1, 'expected a non-empty Russian text'),
  en: z.string().trim().min(1, 'expected a non-empty English text'),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

/** Maps a channel's language code (`ru`, `ru-RU`, `en-GB`, `uk`…) to a supported locale. */
export function pickLocale(languageCode: string | undefined, fallback: Locale): Locale {
  const base = (languageCode ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  if (base === 'ru' || base === 'en') return base;
  // customers writing from Belarus, Ukraine, Kazakhstan and Kyrgyzstan usually read Russian best
  if (base === 'be' || base === 'uk' || base === 'kk' || base === 'ky') return 'ru';
  return base === '' ? fallback : 'en';
}
