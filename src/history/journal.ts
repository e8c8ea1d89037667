import type { Logger } from 'pino';
import type { AppendLog } from '../storage/types.js';

/** Most lines held in memory waiting for the disk; beyond, the oldest are dropped (and counted). */
const MAX_PENDING = 10_000;
/** Pending lines that trigger a write without waiting for the timer. */
const FLUSH_LINES = 256;

/**
 * JSON lines kept in an AppendLog, written in batches: lines wait up to `flushMs`, then one
 * durable append takes them all. `rewrite` compacts it with the log's atomic replace.
 */
export class Journal<T> {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Lines in the file now (for deciding when to compact). */
  lines = 0;
  dropped = 0;
  errors = 0;

  constructor(
    private readonly log: AppendLog,
    private readonly logger: Logger,
    private readonly flushMs = 1000,
  ) {}

  /** Reads every whole, parseable line; a torn or corrupt line (a crash mid-write) is skipped. */
  static async load<T>(log: AppendLog, valid: (v: unknown) => v is T): Promise<{ entries: T[]; skipped: number }> {
    const text = await log.read();
    const entries: T[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const v: unknown = JSON.parse(line);
        if (valid(v)) entries.push(v);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    return { entries, skipped };
  }

  append(entry: T): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    if (this.pending.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes what is pending; resolves once it is on disk (or the write failed and was logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return this.enqueue(async () => undefined);
    // Taken now, not when the write runs: a rewrite queued after this one must not be overwritten by
    // lines recorded after it was asked for (they would be appended, then replaced away).
    const batch = this.pending;
    this.pending = [];
    return this.enqueue(async () => {
      await this.log.append(batch.join(''));
      this.lines += batch.length;
    });
  }

  /** Replaces the file with exactly `entries`; pending lines are dropped (the caller's entries include them). */
  rewrite(entries: readonly T[]): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    return this.enqueue(async () => {
      await this.log.replace(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      this.lines = entries.length;
    });
  }

  async close(): Promise<void> {
    await this.flush();
    await this.enqueue(() => this.log.close());
  }

  // One file operation at a time, in order; a failure is logged and counted, never thrown at a caller.
  private enqueue(op: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(op).catch((err: unknown) => {
      this.errors++;
      this.logger.error({ err, file: this.log.describe }, 'history write failed');
    });
    return this.chain;
  }
}
