/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Values a log line may carry: ids, counts, codes and flags. Never names, phones, e-mails or
 * message text — a customer's personal data must not reach the logs.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  debug(component: string, message: string, fields?: LogFields): void;
  info(component: string, message: string, fields?: LogFields): void;
  warn(component: string, message: string, fields?: LogFields): void;
  error(component: string, message: string, fields?: LogFields): void;
}

function render(fields: LogFields | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : String(value)}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/**
 * A line logger: `2026-11-23T10:00:00.000Z info  [http] listening port=3000`.
 * @example const log = createLogger('info'); log.info('db', 'connected', { kind: 'mongod' });
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const at = (lineLevel: LogLevel) => (component: string, message: string, fields?: LogFields) => {
    if (ORDER[lineLevel] < ORDER[level]) return;
    write(`${new Date().toISOString()} ${lineLevel.padEnd(5)} [${component}] ${message}${render(fields)}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Calls `report` at most once a minute for each kind of error (by `kindOf`). */
export function onceAMinute<E>(report: (error: E) => void, kindOf: (error: E) => string): (error: E) => void {
  const last = new Map<string, number>();
  return (error) => {
    const kind = kindOf(error);
    const now = Date.now();
    if (now - (last.get(kind) ?? 0) < 60_000) return;
    last.set(kind, now);
    report(error);
  };
}

/** An error's name for a log line (never its message, which may quote personal data). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
