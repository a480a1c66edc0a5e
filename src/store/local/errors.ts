/** Why the local database could not be installed or started. */
export type LocalDbErrorCode = 'LOCALDB_INSTALL_FAILED' | 'LOCALDB_START_FAILED' | 'LOCALDB_NOT_INSTALLED' | 'LOCALDB_TOOLS_MISSING';

/**
 * A coded error of the local database launcher.
 * @example if (e instanceof LocalDbError && e.code === 'LOCALDB_NOT_INSTALLED') …
 */
export class LocalDbError extends Error {
  override readonly name = 'LocalDbError';
  constructor(
    readonly code: LocalDbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
