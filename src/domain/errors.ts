/** Every way a business rule can refuse a request. Callers branch on `code`, never on the message. */
export type DomainErrorCode =
  | 'INVALID_TRANSITION'
  | 'DECISION_REQUIRED'
  | 'INVALID_CLAIM'
  | 'INVALID_CONFIG'
  | 'UNKNOWN_CATEGORY'
  | 'CLAIM_NOT_FOUND'
  | 'CONCURRENT_UPDATE'
  | 'REGISTRATION_STUCK'
  /** staff asked to record telling a customer the desk tells itself (#25, src/domain/customer-told.ts) */
  | 'NOTHING_TO_TELL';

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

/**
 * A business rule's "no" as data, for pure functions that plan rather than throw (see
 * src/domain/claim-changes.ts). The service in front turns it into a {@link DomainError}.
 * @example const refused = refusal('INVALID_TRANSITION', 'cannot assign a closed claim', { number });
 */
export interface Refusal {
  readonly refusal: DomainErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** A {@link Refusal} with a code, a message (for logs and developers, never branched on) and details. */
export function refusal(code: DomainErrorCode, message: string, details: Refusal['details'] = {}): Refusal {
  return { refusal: code, message, details };
}

/** The coded error a refusal is raised as. */
export function refusalError(refused: Refusal): DomainError {
  return new DomainError(refused.refusal, refused.message, refused.details);
}
