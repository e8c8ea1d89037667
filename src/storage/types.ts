/**
 * The document, as lowdb's Adapter: `read()` gives the parsed JSON, or null when absent; `write(data)`
 * resolves with the bytes it stored (what compaction weighs the journal against).
 */
export interface DocumentAdapter {
  read(): Promise<unknown>;
  write(data: unknown): Promise<number>;
}

/** The lock a storage holds for this process (see Storage.lock). */
export interface StorageLock {
  /** Gives it up (at a clean exit); nothing when it is no longer this process's. */
  release(): Promise<void>;
}

/**
 * An append-only log kept beside a document (e.g. the registry's journal, the history).
 * Operations run one at a time, in call order.
 */
export interface AppendLog {
  /** Where it lives, for messages (a path, or "memory:NAME"). */
  readonly describe: string;
  /** The whole log; '' when it does not exist yet. */
  read(): Promise<string>;
  /**
   * Appends `text` and resolves once it is durable (written and fdatasync'd). On failure it rejects
   * with a StorageError (507 for ENOSPC, else 503) and leaves no trace: the log is cut back to its
   * last durable length before anything else is appended, so a refused write is never replayed.
   */
  append(text: string): Promise<void>;
  /** Replaces the whole log atomically (the one atomic write): a crash leaves the old log or the new one. */
  replace(text: string): Promise<void>;
  /** Releases the file handle; a later append opens it again. */
  close(): Promise<void>;
}

/**
 * Where durable state lives: one per data file. `document` is a lowdb-style Adapter whose `read()`
 * gives the parsed JSON, or null when absent, and throws a StorageError naming the file when it
 * is empty, corrupt or JSON `null`; `write(data)` is atomic and durable, and serialises `data`
 * before it returns, so the caller may change `data` as soon as the call returns.
 */
export interface Storage {
  readonly document: DocumentAdapter;
  /** The append-only log called `name` beside the document (e.g. "journal", "history"). */
  log(name: string): AppendLog;
  /** Where it lives, for messages (the data file's path). */
  readonly describe: string;
  /** Throws a StorageError naming the path and the cause when nothing can be written there (start-up stops). */
  checkWritable(): Promise<void>;
  /**
   * Takes the exclusive lock on the data file, its logs included, for this process: called before
   * anything is read. Throws a StorageError naming the file and the PID of the live process that
   * holds it; a lock whose holder is gone is taken over. Memory storage: nothing to lock.
   */
  lock(): Promise<StorageLock>;
}
