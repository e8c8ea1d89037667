import { StorageError } from '../lib/errors.js';
import { writeFailed } from './storage-error.js';
import type { AppendLog, DocumentAdapter, Storage } from './types.js';

/** Which operation a fault hits: document writes, log appends or log replaces. */
export type FaultOn = 'document' | 'append' | 'replace';

export interface Fault {
  on: FaultOn;
  /**
   * ENOSPC (→ 507) and EIO (→ 503) fail the operation with no effect, as the Storage contract
   * requires even after a partial write. `crash` stops the operation at `at` and every later
   * operation of this storage fails: reopen a store on `inner` to see what the "disk" kept.
   */
  kind: 'ENOSPC' | 'EIO' | 'crash';
  /** Operations of this kind to let through first; default 0 (the next one fails). */
  after?: number;
  /** How many fail; default 1; Infinity fails all of them until `heal()`. */
  times?: number;
  /**
   * Where a crash stops the operation: `before` its effect (default), `partial` (the first half of
   * an append reaches the log: a torn tail; an atomic write shows nothing), or `after` its whole
   * effect (done, but never acknowledged).
   */
  at?: 'before' | 'partial' | 'after';
  /** Only the log of this name (for append and replace); default every log. */
  log?: string;
}

/** A Storage that fails on purpose; for tests, instead of mocking `fs`. */
export interface FaultyStorage extends Storage {
  readonly inner: Storage;
  inject(fault: Fault): void;
  /** Drops every fault not yet fired (a crash stays a crash). */
  heal(): void;
  readonly crashed: boolean;
  /** Operations attempted so far, by kind: to aim a fault at the Nth one. */
  readonly seen: Readonly<Record<FaultOn, number>>;
}

type Armed = Required<Omit<Fault, 'log'>> & { log: string | undefined };

export function faultyStorage(inner: Storage): FaultyStorage {
  const armed: Armed[] = [];
  const seen: Record<FaultOn, number> = { document: 0, append: 0, replace: 0 };
  let crashed = false;
  const crashError = () => new StorageError(`${inner.describe}: simulated crash (nothing after it runs)`);

  // The fault that fires for this operation, if any; a fault waiting `after` more lets it through.
  function take(on: FaultOn, log: string | undefined): Armed | undefined {
    seen[on]++;
    for (const f of armed) {
      if (f.on !== on || f.times <= 0 || (f.log !== undefined && f.log !== log)) continue;
      if (f.after > 0) {
        f.after--;
        continue;
      }
      f.times--;
      return f;
    }
    return undefined;
  }

  // Decides synchronously, so a document write still serialises its data before returning.
  function guard<T>(
    on: FaultOn,
    what: string,
    log: string | undefined,
    whole: () => Promise<T>,
    half?: () => Promise<unknown>,
  ): Promise<T> {
    if (crashed) return Promise.reject(crashError());
    const f = take(on, log);
    if (!f) return whole();
    if (f.kind !== 'crash')
      return Promise.reject(writeFailed(what, Object.assign(new Error(`${f.kind} (injected)`), { code: f.kind })));
    crashed = true;
    const effect: Promise<unknown> =
      f.at === 'after' ? whole() : f.at === 'partial' && half ? half() : Promise.resolve();
    return effect.then(() => {
      throw crashError();
    });
  }

  const alive = <T>(op: () => Promise<T>): Promise<T> => (crashed ? Promise.reject(crashError()) : op());

  const document: DocumentAdapter = {
    read: () => alive(() => inner.document.read()),
    write: (data) =>
      guard('document', `cannot write data file ${inner.describe}`, undefined, () => inner.document.write(data)),
  };

  function log(name: string): AppendLog {
    const real = inner.log(name);
    return {
      describe: real.describe,
      read: () => alive(() => real.read()),
      append: (text) =>
        guard(
          'append',
          `cannot append to ${real.describe}`,
          name,
          () => real.append(text),
          () => real.append(text.slice(0, Math.floor(text.length / 2))),
        ),
      replace: (text) => guard('replace', `cannot replace ${real.describe}`, name, () => real.replace(text)),
      // A crashed process closes nothing; the next "process" opens its own.
      close: () => (crashed ? Promise.resolve() : real.close()),
    };
  }

  return {
    inner,
    describe: inner.describe,
    document,
    log,
    checkWritable: () => alive(() => inner.checkWritable()),
    lock: () => alive(() => inner.lock()),
    inject(fault) {
      armed.push({ after: 0, times: 1, at: 'before', ...fault, log: fault.log });
    },
    heal: () => void armed.splice(0),
    get crashed() {
      return crashed;
    },
    seen,
  };
}
