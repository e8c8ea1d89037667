interface Resource {
  /** The global index at which what it serves last changed. */
  index: number;
  /** What it serves now, as far as a change is concerned (the `date` of `/` is not part of it). */
  key: string | undefined;
  waiters: Set<() => void>;
}

/**
 * One index for everything megaphone serves, growing with every change (history entries take
 * their ids from it too), and per resource (`/`, each group, `/checks`) the index of its last
 * change: what X-Megaphone-Index and ETags say, and what blocking queries wait on. The index starts
 * at the clock's milliseconds, so it keeps growing across restarts without being stored.
 */
export class ChangeFeed {
  private counter: number;
  private readonly resources = new Map<string, Resource>();

  constructor(start: number) {
    this.counter = start;
  }

  /** The index now (of the last change of anything). */
  get current(): number {
    return this.counter;
  }

  /** A new index, for a change of anything (a history entry). */
  next(): number {
    return ++this.counter;
  }

  /** Makes the next index at least `min` (history read back at start may hold later ones). */
  atLeast(min: number): void {
    this.counter = Math.max(this.counter, min - 1);
  }

  /** The index of the resource's last change (its first sight counts as one). */
  index(resource: string): number {
    return this.resource(resource).index;
  }

  /** Records what a resource serves now; when it differs from before, its index moves and its waiters wake. */
  update(resource: string, key: string): void {
    const r = this.resource(resource);
    if (r.key === key) return;
    this.bump(r);
    r.key = key;
  }

  /** The resource changed (no content key to compare). */
  touch(resource: string): void {
    this.bump(this.resource(resource));
  }

  /**
   * Calls `then` once the resource's index is past `after`, or after `ms`: at once (in a microtask)
   * when it already is (or `after` is ahead of it: an index from before a restart). Returns a cancel
   * function (the client went away): `then` is then never called. Nothing runs per waiter while
   * nothing changes: one timer each, all woken at once by a change. No AbortController per waiter:
   * an abort builds a DOMException, which cost more than the whole answer.
   */
  hold(resource: string, after: number, ms: number, then: () => void): () => void {
    const r = this.resource(resource);
    if (r.index !== after) {
      // Never synchronously: the caller has not got its cancel function yet.
      let cancelled = false;
      queueMicrotask(() => cancelled || then());
      return () => void (cancelled = true);
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const stop = () => {
      clearTimeout(timer);
      r.waiters.delete(done);
    };
    const done = () => {
      stop();
      then();
    };
    timer = setTimeout(done, ms);
    r.waiters.add(done);
    return stop;
  }

  /** hold() as a promise, ended early by `signal`. */
  wait(resource: string, after: number, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.hold(resource, after, ms, resolve);
      signal?.addEventListener('abort', () => (cancel(), resolve()), { once: true });
    });
  }

  /** True while requests wait for `resource` to change. */
  isHeld(resource: string): boolean {
    return (this.resources.get(resource)?.waiters.size ?? 0) > 0;
  }

  /** Requests held now, for /metrics. */
  get waiting(): number {
    let n = 0;
    for (const r of this.resources.values()) n += r.waiters.size;
    return n;
  }

  /** Answers every held request now (megaphone is stopping). */
  wakeAll(): void {
    for (const r of this.resources.values()) for (const wake of [...r.waiters]) wake();
  }

  /** Forgets a resource (a group removed by a reload); its waiters are answered. */
  drop(resource: string): void {
    const r = this.resources.get(resource);
    if (!r) return;
    this.resources.delete(resource);
    for (const wake of [...r.waiters]) wake();
  }

  private resource(name: string): Resource {
    let r = this.resources.get(name);
    if (!r) this.resources.set(name, (r = { index: this.next(), key: undefined, waiters: new Set() }));
    return r;
  }

  private bump(r: Resource): void {
    r.index = this.next();
    for (const wake of [...r.waiters]) wake();
  }
}
