import type { Logger } from 'pino';
import { LineBudget } from '../ops/line-budget.js';
import { errnoCode } from './storage-error.js';
import type { AppendLog, Storage } from './types.js';

/** Lines per file, operation and errno in each window; what a window held back is counted on the next line. */
const LINES_PER_WINDOW = 5;
const WINDOW_MS = 60_000;
/** Keys tracked at once: files × operations × errnos is small, this only bounds a pathological mix. */
const MAX_KEYS = 256;

/**
 * `storage` with every failed operation logged at error, naming the file, the operation and the
 * errno (journal and history appends, compactions, document reads and writes, the lock), before
 * the caller answers 503/507 or counts it. A failing disk cannot flood the log: at most 5 lines a
 * minute per file, operation and errno, then one saying how many were held back.
 */
export function loggedStorage(storage: Storage, logger: Logger, now: () => number): Storage {
  const budget = new LineBudget<string>(LINES_PER_WINDOW, WINDOW_MS, MAX_KEYS, now);
  const failed = (op: string, file: string, err: unknown) => {
    const errno = errnoCode(err);
    const { allowed, previous } = budget.take(`${file}\n${op}\n${errno ?? ''}`);
    if (!allowed) return;
    const suppressed = previous?.dropped;
    logger.error({ file, op, errno, err, ...(suppressed ? { suppressed } : {}) }, `storage ${op} failed`);
  };
  // Logs a rejection and passes it on; a synchronous call (a document write serialises first) stays synchronous.
  const watch =
    <A extends unknown[], T>(op: string, file: string, fn: (...args: A) => Promise<T>) =>
    (...args: A): Promise<T> =>
      fn(...args).catch((err: unknown) => {
        failed(op, file, err);
        throw err;
      });

  const log = (name: string): AppendLog => {
    const inner = storage.log(name);
    const file = inner.describe;
    return {
      describe: file,
      read: watch('read', file, () => inner.read()),
      append: watch('append', file, (text: string) => inner.append(text)),
      replace: watch('replace', file, (text: string) => inner.replace(text)),
      close: watch('close', file, () => inner.close()),
    };
  };
  const file = storage.describe;
  return {
    describe: file,
    document: {
      read: watch('read', file, () => storage.document.read()),
      write: watch('write', file, (data: unknown) => storage.document.write(data)),
    },
    log,
    checkWritable: watch('check', file, () => storage.checkWritable()),
    lock: async () => {
      const held = await watch('lock', file, () => storage.lock())();
      return { release: watch('unlock', file, () => held.release()) };
    },
  };
}
