/** Formatters made so far, by language and options: making one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * An `Intl.DateTimeFormat`, made once per language and options and kept (a desk uses a handful).
 * @example dateTimeFormat('en', { timeZone: 'Europe/Moscow', year: 'numeric' }).format(new Date())
 */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}
