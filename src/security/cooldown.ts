/** Most clients remembered at once before the forgotten ones are swept. */
const SWEEP_AT = 1024;

interface Entry {
  until: number;
  ms: number;
}

/**
 * Clients that may not open a connection for a while: each pipelined flood costs megaphone one read
 * of requests (64 KB, ~1 500 of them) before its connection is closed, so a client flooding in a
 * loop is made to wait between floods, twice as long each time (from `ms` up to `maxMs`); a client
 * quiet for twice its last wait starts again from `ms`. Memory: one entry per client remembered.
 */
export class Cooldowns {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ms: number,
    private readonly maxMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `key` may not connect for a while: `ms`, or twice its last wait if it flooded again soon after. */
  start(key: string): void {
    const now = this.now();
    if (this.entries.size >= SWEEP_AT)
      for (const [k, e] of this.entries) if (this.forgotten(e, now)) this.entries.delete(k);
    const last = this.entries.get(key);
    const ms = last && !this.forgotten(last, now) ? Math.min(last.ms * 2, this.maxMs) : this.ms;
    this.entries.set(key, { until: now + ms, ms });
  }

  /** True while `key` is waiting. */
  active(key: string): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.until > this.now();
  }

  private forgotten(e: Entry, now: number): boolean {
    return now > e.until + 2 * e.ms;
  }
}
