import { randomBytes } from 'node:crypto';
import { constants, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

// Never reuse or follow what is already there: a planted file or symlink makes open fail (EEXIST/ELOOP).
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A fresh, unguessable name in the same folder as `file`: `.NAME.<16 hex>.tmp`. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Creates `file` (mode 0600), failing if anything, even a dangling symlink, is at that name. */
export function createExclusive(file: string): Promise<FileHandle> {
  return open(file, CREATE_EXCLUSIVE, 0o600);
}

/** fsyncs a folder, so that a rename or a new file in it survives a crash. */
export async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface AtomicWriteOptions {
  /** Picks the temp name (tests plant things there); default `tempNameFor`. */
  tempName?: (file: string) => string;
}

/**
 * THE atomic write: a temp file created exclusively beside `file`, written, fsync'd, renamed over
 * `file`, then the folder fsync'd. A crash leaves the old file or the new one, whole; a failure
 * removes the temp file. Rejects with the fs error (callers name the file and map the code).
 */
export async function atomicWrite(
  file: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = (opts.tempName ?? tempNameFor)(file);
  const fh = await createExclusive(tmp);
  let renamed = false;
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    renamed = true;
    await syncFolder(path.dirname(file));
  } catch (err) {
    // Only ours to remove before the rename: afterwards that name may be someone else's.
    if (!renamed) await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
