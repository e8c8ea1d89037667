/** Most clients remembered at once before the expired ones are swept. */
const SWEEP_AT = 1024;

/**
 * Clients that may not open a connection for a while: each pipelined flood costs megaphone one read
 * of requests (64 KB, ~1 500 of them) before its connection is closed, so a client reconnecting in a
 * loop is made to wait between floods. Memory: one entry per client still cooling down.
 */
export class Cooldowns {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `key` may not connect for the next `ms`. */
  start(key: string): void {
    const now = this.now();
    if (this.until.size >= SWEEP_AT) for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
    this.until.set(key, now + this.ms);
  }

  /** True while `key` is cooling down. */
  active(key: string): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > this.now()) return true;
    this.until.delete(key);
    return false;
  }
}
