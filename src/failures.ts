import { isDomainError, type DomainErrorCode } from './domain/errors.js';
import { isDatabaseUnavailable } from './store/health.js';
import type { Failure } from '../flows/runner.js';

/** Refusals that can pass when tried again (another writer, or another submit still running). */
const RETRYABLE_REFUSALS: ReadonlySet<DomainErrorCode> = new Set(['CONCURRENT_UPDATE', 'REGISTRATION_STUCK']);

/**
 * The desk's failure policy: what went wrong, as a code, and whether handling the update again can
 * succeed. Retryable: the database or the network to it unreachable, a coded error that says so,
 * a lost race. Anything else (a bug in a step, a document the code cannot read) is not: retrying
 * would fail the same way and, in polling, hold back every update after it.
 * @example failureOf(new MongoServerSelectionError('…')) // { code: 'DATABASE_UNAVAILABLE', retryable: true }
 */
export function failureOf(error: unknown): Failure {
  if (isDatabaseUnavailable(error)) return { code: 'DATABASE_UNAVAILABLE', retryable: true };
  if (isDomainError(error)) return { code: error.code, retryable: RETRYABLE_REFUSALS.has(error.code) };
  if (error instanceof Error && 'code' in error && 'retryable' in error && typeof error.code === 'string' && typeof error.retryable === 'boolean') {
    return { code: error.code, retryable: error.retryable };
  }
  return { code: error instanceof Error ? error.name : 'UNKNOWN', retryable: false };
}
