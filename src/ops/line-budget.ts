/** A key's lines in its current window: how many were written and how many were not. */
interface Window {
  start: number;
  used: number;
  dropped: number;
}

/** Lines a budget held back: for `key` (or, past `maxKeys`, for keys it could not track: `key` undefined). */
export interface Dropped<K> {
  key: K | undefined;
  dropped: number;
}

/**
 * At most `perWindow` lines per key in each window of `windowMs` (from the key's first line); the
 * rest are counted, to be reported once the window is over. Memory is bounded by `maxKeys`.
 */
export class LineBudget<K> {
  private readonly windows = new Map<K, Window>();
  /** Lines of keys that found the map full, since the last sweep. */
  private untracked = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  /** Whether a line for `key` may be written now, and what its previous window held back (to report first). */
  take(key: K): { allowed: boolean; previous?: Dropped<K> } {
    const now = this.now();
    let w = this.windows.get(key);
    let previous: Dropped<K> | undefined;
    if (w && now - w.start >= this.windowMs) {
      if (w.dropped > 0) previous = { key, dropped: w.dropped };
      this.windows.delete(key);
      w = undefined;
    }
    if (!w) {
      if (this.windows.size >= this.maxKeys) {
        this.untracked++;
        return { allowed: false, previous };
      }
      this.windows.set(key, (w = { start: now, used: 0, dropped: 0 }));
    }
    if (w.used < this.perWindow) {
      w.used++;
      return { allowed: true, previous };
    }
    w.dropped++;
    return { allowed: false, previous };
  }

  /** Ends the windows that are over (every window with `all`), returning what each held back. */
  sweep(all = false): Dropped<K>[] {
    const now = this.now();
    const out: Dropped<K>[] = [];
    for (const [key, w] of this.windows) {
      if (!all && now - w.start < this.windowMs) continue;
      if (w.dropped > 0) out.push({ key, dropped: w.dropped });
      this.windows.delete(key);
    }
    if (this.untracked > 0) out.push({ key: undefined, dropped: this.untracked });
    this.untracked = 0;
    return out;
  }
}
