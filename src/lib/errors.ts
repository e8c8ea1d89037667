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

/** The data file could not be read or written: 507 when the disk is full, else 503; `errno` is the fs code, if any. */
export class StorageError extends MegaphoneError {
  constructor(
    message: string,
    status = 503,
    readonly errno?: string,
  ) {
    super(message, 'E_STORAGE', status);
    this.name = 'StorageError';
  }
}

const show = (id: string) => JSON.stringify(id);

export const badRequest = (message: string, code = 'E_VALIDATION') => new MegaphoneError(message, code, 400);

export const checkNotFound = (id: string) =>
  new MegaphoneError(`no check with id ${show(id)}`, 'E_CHECK_NOT_FOUND', 404);

export const routeNotFound = (method: string, path: string) =>
  new MegaphoneError(`no route for ${method} ${path}`, 'E_NOT_FOUND', 404);

/** A check the API may not replace or delete: it comes from the config file or a discovery rule. */
export const notApiCheck = (id: string, owner: string, verb: 'replaced' | 'deleted' | 'registered') =>
  new MegaphoneError(
    `check ${show(id)} is declared by ${owner} and cannot be ${verb} over the API`,
    'E_NOT_API_CHECK',
    409,
  );

export const notPushCheck = (id: string, kind: string) =>
  new MegaphoneError(
    `check ${show(id)} is a ${kind} check; only push (ttl) checks take reports`,
    'E_NOT_PUSH_CHECK',
    409,
  );

export const tooManyChecks = (limit: number) =>
  new MegaphoneError(`too many checks: limit is ${limit} (limits.maxChecks)`, 'E_TOO_MANY_CHECKS', 429);

/** A check or webhook target outside `targets.allow` (or always refused): at registration and at connect. */
export const targetRefused = (target: string, why: string, atConnect = false) =>
  new MegaphoneError(`target ${target} refused${atConnect ? ' at connect' : ''}: ${why}`, 'E_TARGET_REFUSED', 400);

export const forbidden = (message: string) => new MegaphoneError(message, 'E_FORBIDDEN', 403);

export const methodNotAllowed = (method: string, path: string, allowed: string) =>
  new MegaphoneError(`method ${method} not allowed on ${path} (allowed: ${allowed})`, 'E_METHOD_NOT_ALLOWED', 405);
