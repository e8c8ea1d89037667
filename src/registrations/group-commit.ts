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
  /** The working copy batches are applied to and written from; equal to the committed state between batches. */
  private draft: T | undefined;

  private constructor(
    private readonly db: Low<T>,
    private readonly clone: (state: T) => T,
  ) {}

  /**
   * Reads the file (missing → `initial`). Throws when it is unreadable. `clone` copies the state
   * into the draft batches mutate (default structuredClone); a shallower copy is fine when
   * mutators only replace what they change, never edit shared objects in place. Mutators must be
   * deterministic: each runs on the draft, and again on the committed state once its batch is written.
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
        // The draft is kept between batches (a copy per batch was O(stored checks) each time).
        const draft = (this.draft ??= this.clone(this.db.data));
        const outcomes = batch.map((op) => {
          try {
            return { ok: true as const, value: op.mutate(draft) };
          } catch (error) {
            return { ok: false as const, error };
          }
        });
        try {
          await this.db.adapter.write(draft);
        } catch (error) {
          // The draft holds the failed batch: start the next one from the committed state.
          this.draft = undefined;
          for (const op of batch) op.reject(error);
          continue;
        }
        // Durable: the committed state catches up by replaying the batch (O(batch), not a copy).
        for (const op of batch) {
          try {
            op.mutate(this.db.data);
          } catch {
            // It threw on the draft too, at the same point; its caller gets that error below.
          }
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
