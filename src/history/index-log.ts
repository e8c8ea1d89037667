/**
 * Entries in the order of their `index` (appended in that order), removable in any order, answering
 * "the live entries after index N" in O(log n) plus O(log n) per entry returned: a Fenwick tree
 * counts the live entries of every prefix. A removed entry leaves a hole until holes outnumber the
 * live entries; then the log is rebuilt without them (amortized O(1) per removal).
 */
export class IndexLog<T extends { index: number }> {
  private items: T[] = [];
  private alive: boolean[] = [];
  /** 1-based Fenwick tree over `alive`. */
  private tree: number[] = [0];
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** Adds an entry; one whose index is not above the last one's is put in its place (a rebuild). */
  append(e: T): void {
    const last = this.items[this.items.length - 1];
    if (last && e.index <= last.index) {
      this.rebuild([...this.liveItems(), e].sort((a, b) => a.index - b.index));
      return;
    }
    this.items.push(e);
    this.alive.push(true);
    const i = this.items.length;
    // The node covers (i - lowbit(i), i]: this entry plus the live ones before it in that range.
    this.tree[i] = 1 + this.prefix(i - 1) - this.prefix(i - (i & -i));
    this.live++;
  }

  /** Forgets an entry (by its index); one not held is ignored. */
  remove(e: T): void {
    const pos = this.firstAbove(e.index - 1);
    if (pos >= this.items.length || this.items[pos] !== e || !this.alive[pos]) return;
    this.alive[pos] = false;
    for (let i = pos + 1; i < this.tree.length; i += i & -i) this.tree[i]! -= 1;
    this.live--;
    const holes = this.items.length - this.live;
    if (holes > 1024 && holes > this.live) this.rebuild(this.liveItems());
  }

  /** Up to `limit` live entries with an index above `after`, oldest first. */
  after(after: number, limit: number): T[] {
    const out: T[] = [];
    let pos = this.firstAbove(after);
    while (out.length < limit && pos < this.items.length) {
      if (this.alive[pos]) out.push(this.items[pos++] as T);
      // Past a hole in O(log n): the next live entry is the (live before it + 1)-th.
      else pos = this.nth(this.prefix(pos) + 1);
    }
    return out;
  }

  /**
   * Where a replay of at most `limit` entries after `after` starts: `after` itself when at most
   * `limit` live entries follow it, else the index just before the newest `limit` of them.
   */
  startOfNewest(after: number, limit: number): number {
    const following = this.live - this.prefix(this.firstAbove(after));
    if (following <= limit) return after;
    return (this.items[this.nth(this.live - limit)] as T).index;
  }

  // Live entries among the first `n` positions.
  private prefix(n: number): number {
    let sum = 0;
    for (let i = n; i > 0; i -= i & -i) sum += this.tree[i] as number;
    return sum;
  }

  // The position (0-based) of the k-th live entry (1-based k); items.length when there is none.
  private nth(k: number): number {
    if (k > this.live || k < 1) return this.items.length;
    let pos = 0;
    for (let step = 2 ** Math.floor(Math.log2(this.tree.length)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.tree.length && (this.tree[next] as number) < k) {
        pos = next;
        k -= this.tree[next] as number;
      }
    }
    return pos;
  }

  // The first position whose entry's index is above `index` (binary search; holes keep their index).
  private firstAbove(index: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as T).index <= index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private liveItems(): T[] {
    return this.items.filter((_, i) => this.alive[i]);
  }

  private rebuild(items: T[]): void {
    this.items = items;
    this.alive = items.map(() => true);
    this.live = items.length;
    // Linear build: each node adds itself to its parent.
    this.tree = [0, ...items.map(() => 1)];
    for (let i = 1; i < this.tree.length; i++) {
      const parent = i + (i & -i);
      if (parent < this.tree.length) this.tree[parent]! += this.tree[i] as number;
    }
  }
}
