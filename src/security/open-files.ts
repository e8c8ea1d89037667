import { readFileSync } from 'node:fs';

/** The open-file limit assumed when the process's own cannot be read (the common soft default). */
export const DEFAULT_OPEN_FILES = 1024;

/**
 * The process's soft limit on open files (`ulimit -n`; Node raises it to the hard limit at start),
 * from /proc/self/limits; DEFAULT_OPEN_FILES where that cannot be read, undefined never.
 */
export function readOpenFileLimit(read: (file: string) => string = (f) => readFileSync(f, 'utf8')): number {
  try {
    const soft = /^Max open files\s+(\S+)/m.exec(read('/proc/self/limits'))?.[1];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(soft);
    return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_OPEN_FILES;
  } catch {
    return DEFAULT_OPEN_FILES;
  }
}
