import { Low, type Adapter } from 'lowdb';

interface Op<T> {
  mutate: (draft: T) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Durable state behind lowdb with group commit: updates queued while a write is in flight are
 * applied together and written once. A promise resolves only after its change is on disk; a
 * failed write rejects every change in it and leaves the state as it was.
 */
export class DurableStore<T> {
  private readonly queue: Op<T>[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(
    private readonly db: Low<T>,
    private readonly clone: (state: T) => T,
  ) {}

  /**
   * Reads the file (missing → `initial`). Throws when it is unreadable. `clone` copies the state
   * into the draft a batch mutates (default structuredClone); a shallower copy is fine when
   * mutators only replace what they change, never edit shared objects in place.
   */
  static async open<T>(adapter: Adapter<T>, initial: T, clone: (state: T) => T = structuredClone): Promise<DurableStore<T>> {
    const db = new Low<T>(adapter, initial);
    await db.read();
    return new DurableStore(db, clone);
  }

  /** The committed state. Treat as read-only. */
  get data(): T {
    return this.db.data;
  }

  /** Applies `mutate` to a draft and resolves with its return value once the change is durable. */
  update<R>(mutate: (draft: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ mutate, resolve: resolve as (v: unknown) => void, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits for queued writes to finish. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const committed = this.db.data;
        const draft = this.clone(committed);
        const outcomes = batch.map((op) => {
          try {
            return { ok: true as const, value: op.mutate(draft) };
          } catch (error) {
            return { ok: false as const, error };
          }
        });
        this.db.data = draft;
        try {
          await this.db.write();
        } catch (error) {
          this.db.data = committed;
          for (const op of batch) op.reject(error);
          continue;
        }
        batch.forEach((op, i) => {
          const o = outcomes[i];
          if (o?.ok) op.resolve(o.value);
          else op.reject(o?.error);
        });
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
