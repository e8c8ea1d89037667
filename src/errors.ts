/** An error with a stable code, an HTTP status for the API, and a message naming the bad value. */
export class MegaphoneError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'MegaphoneError';
  }
}

/** A configuration problem: start-up stops with this one line. */
export class ConfigError extends MegaphoneError {
  constructor(message: string) {
    super(message, 'E_CONFIG', 400);
    this.name = 'ConfigError';
  }
}

/** The data file could not be read or written. */
export class StorageError extends MegaphoneError {
  constructor(message: string, status = 503) {
    super(message, 'E_STORAGE', status);
    this.name = 'StorageError';
  }
}

export const badRequest = (message: string, code = 'E_VALIDATION') => new MegaphoneError(message, code, 400);
export const notFound = (message: string, code = 'E_NOT_FOUND') => new MegaphoneError(message, code, 404);
export const conflict = (message: string, code = 'E_CONFLICT') => new MegaphoneError(message, code, 409);
