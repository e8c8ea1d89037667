/**
 * Resources by key, each shared by the users (checks) that took it: made on first use, closed with its last user. A
 * user holds one key at a time; taking another lets go of the first.
 */
export class Shared<T> {
  private readonly items = new Map<string, { value: T; users: Set<string> }>();
  private readonly held = new Map<string, string>();

  constructor(private readonly close: (value: T) => void) {}

  /** The resource under `key` for `user`, made by `make` when there is none. */
  take(user: string, key: string, make: () => T): T {
    if (this.held.get(user) !== key) {
      this.release(user);
      this.held.set(user, key);
    }
    let item = this.items.get(key);
    if (!item) this.items.set(key, (item = { value: make(), users: new Set() }));
    item.users.add(user);
    return item.value;
  }

  /** `user` needs its resource no more: the last user closes it. */
  release(user: string): void {
    const key = this.held.get(user);
    if (key === undefined) return;
    this.held.delete(user);
    const item = this.items.get(key);
    if (!item) return;
    item.users.delete(user);
    if (item.users.size > 0) return;
    this.items.delete(key);
    this.close(item.value);
  }

  /** Forgets every resource and user, and returns the resources (for the caller to close as it needs). */
  clear(): T[] {
    const values = [...this.items.values()].map((i) => i.value);
    this.items.clear();
    this.held.clear();
    return values;
  }

  /** How many resources are open. */
  get size(): number {
    return this.items.size;
  }
}
