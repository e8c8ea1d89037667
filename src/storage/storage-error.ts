import { StorageError } from '../lib/errors.js';

/** The errno code of a failed fs call (`ENOSPC`, `EIO` …), or of the StorageError made from one, if it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (err instanceof StorageError) return err.errno;
  const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failed write as the API answers it: 507 when the disk is full, else 503, naming what failed and why. */
export function writeFailed(what: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const code = errnoCode(err);
  return new StorageError(
    `${what}: ${code ?? (err instanceof Error ? err.message : String(err))}`,
    code === 'ENOSPC' ? 507 : 503,
    code,
  );
}
