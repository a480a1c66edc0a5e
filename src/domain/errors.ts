/** Every way a business rule can refuse a request. Callers branch on `code`, never on the message. */
export type DomainErrorCode =
  | 'INVALID_TRANSITION'
  | 'DECISION_REQUIRED'
  | 'INVALID_CLAIM'
  | 'INVALID_CONFIG'
  | 'UNKNOWN_CATEGORY'
  | 'CLAIM_NOT_FOUND'
  | 'CONCURRENT_UPDATE'
  | 'REGISTRATION_STUCK';

/**
 * A coded error raised by `src/domain` and the repositories that enforce its rules.
 * @example
 * try { applyTransition(claim, { action: 'close' }, actor, now) }
 * catch (e) { if (e instanceof DomainError && e.code === 'INVALID_TRANSITION') … }
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number | boolean | undefined>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard for a DomainError with a given code. */
export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
