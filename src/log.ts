import { pino, stdTimeFunctions, type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How lines are written: JSON lines (default), or human-readable through pino-pretty (`LOG_FORMAT=pretty`). */
export type LogFormat = 'json' | 'pretty';

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

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Fields that hold personal data wherever they appear, at the top of a line or one level down: a
 * guard only — no caller logs them (lines carry ids, counts and codes), but a field added by
 * mistake is censored rather than written.
 */
const PERSONAL_FIELDS = ['name', 'displayName', 'firstName', 'lastName', 'username', 'phone', 'email', 'text', 'description', 'comment', 'note', 'fileName', 'contact', 'remedy', 'password'] as const;
const REDACT_PATHS = [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((field) => `*.${field}`), 'contact.*', 'customer.*'];

/** A line as JSON: `{"level":"info","time":"…","component":"http","msg":"listening","url":"…"}`. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly time: string;
  readonly component: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface LoggerOptions {
  /** JSON lines (default) or pino-pretty's human-readable lines. */
  readonly format?: LogFormat;
}

/**
 * The desk's logger on pino: one JSON line per call, `component` and `msg` beside the fields, with
 * the known personal fields redacted as a guard. `write` receives each line without its newline
 * (default: standard output); tests pass a function that collects them.
 * @example const log = createLogger('info'); log.info('db', 'connected', { kind: 'mongod' });
 * // {"level":"info","time":"2026-11-23T10:00:00.000Z","component":"db","msg":"connected","kind":"mongod"}
 */
export function createLogger(level: LogLevel, write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const out = write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pretty = options.format === 'pretty' ? prettyFactory({ colorize: write === undefined && process.stdout.isTTY, translateTime: 'SYS:standard', ignore: 'component', messageFormat: '[{component}] {msg}' }) : undefined;
  // synchronous: a line is written before the call returns (nothing lost when the process exits)
  const destination: DestinationStream = {
    write: (chunk: string) => {
      const line = pretty ? pretty(chunk) : chunk;
      out(line.endsWith('\n') ? line.slice(0, -1) : line);
    },
  };
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
  const at = (lineLevel: LogLevel) => (component: string, message: string, fields?: LogFields) => {
    logger[lineLevel]({ component, ...fields }, message);
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
