import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

/** Most lines held in memory waiting for the disk; beyond, the oldest are dropped (and counted). */
const MAX_PENDING = 10_000;
/** Pending lines that trigger a write without waiting for the timer. */
const FLUSH_LINES = 256;

/**
 * An append-only JSON-lines file written in batches: lines wait up to `flushMs`, then one
 * write and one fdatasync take them all. `rewrite` compacts it atomically (temp, fsync, rename).
 */
export class Journal<T> {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private fh: FileHandle | undefined;
  /** Lines in the file now (for deciding when to compact). */
  lines = 0;
  dropped = 0;
  errors = 0;

  constructor(
    readonly file: string,
    private readonly logger: Logger,
    private readonly flushMs = 1000,
  ) {}

  /** Reads every whole, parseable line; a torn or corrupt line (a crash mid-write) is skipped. */
  static async load<T>(file: string, valid: (v: unknown) => v is T): Promise<{ entries: T[]; skipped: number }> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
      throw err;
    }
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
    return this.enqueue(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      this.fh ??= await open(this.file, 'a', 0o600);
      await this.fh.write(batch.join(''));
      await this.fh.datasync();
      this.lines += batch.length;
    });
  }

  /** Replaces the file with exactly `entries`; pending lines are dropped (the caller's entries include them). */
  rewrite(entries: readonly T[]): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    return this.enqueue(async () => {
      const tmp = `${this.file}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await this.fh?.close();
      this.fh = undefined;
      await rename(tmp, this.file);
      const dir = await open(path.dirname(this.file), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      this.lines = entries.length;
    });
  }

  async close(): Promise<void> {
    await this.flush();
    await this.enqueue(async () => {
      await this.fh?.close();
      this.fh = undefined;
    });
  }

  // One file operation at a time, in order; a failure is logged and counted, never thrown at a caller.
  private enqueue(op: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(op).catch((err: unknown) => {
      this.errors++;
      this.logger.error({ err, file: this.file }, 'history write failed');
    });
    return this.chain;
  }
}
