import { createLogger, type LogLevel, type LogRecord, type Logger } from '../../src/log.js';

/** Parses collected log lines: each must be one JSON object (the logger's format), or this throws. */
export function logRecords(lines: readonly string[]): LogRecord[] {
  return lines.map((line) => {
    const record = JSON.parse(line) as unknown;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`not a JSON log line: ${line}`);
    return record as LogRecord;
  });
}

/** A logger that collects its JSON lines, and the lines parsed. */
export interface CollectingLog {
  readonly log: Logger;
  readonly lines: string[];
  readonly records: () => LogRecord[];
}

/**
 * The desk's logger writing into an array, for tests that read what was logged.
 * @example const { log, records } = collectingLog(); … expect(records()).toContainEqual(expect.objectContaining({ component: 'http', msg: 'listening' }));
 */
export function collectingLog(level: LogLevel = 'debug'): CollectingLog {
  const lines: string[] = [];
  return { log: createLogger(level, (line) => lines.push(line)), lines, records: () => logRecords(lines) };
}
