import { StorageError } from '../lib/errors.js';

/** Log names are chosen by the code, never by a client: a plain word keeps a log beside its document. */
export const isLogName = (name: string): boolean => /^[a-z0-9][a-z0-9-]*$/i.test(name);

export function checkLogName(name: string): void {
  if (!isLogName(name))
    throw new StorageError(`log name ${JSON.stringify(name)} must be a plain word (letters, digits, -)`);
}
