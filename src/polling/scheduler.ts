import type { Result } from '../probes/result.js';
import { Semaphore } from '../lib/semaphore.js';

/** Runs one poll; must honour the signal and never throw. */
export type PollFn = (signal: AbortSignal) => Promise<Result>;

export interface SchedulerOptions {
  /** Most polls in flight at once. */
  concurrency: number;
  onResult: (id: string, result: Result) => void;
  /** 0 ≤ x < 1; injectable for tests. */
  random?: () => number;
}

interface Entry {
  id: string;
  intervalMs: number;
  timeoutMs: number;
  poll: PollFn;
  generation: number;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

// Each poll fires up to this share of its interval early, so checks registered together drift apart.
const JITTER = 0.1;
// Next-poll delays are whole multiples of this: Node keeps one timer list per distinct delay, and 10 000 distinct
// (fractional, jittered) delays meant 10 000 lists in its priority queue; 10 ms steps keep ~100 of them.
const TIMER_STEP_MS = 10;

/**
 * Polls each scheduled check at once, then every interval (with jitter), one poll in flight
 * per check, a global concurrency cap, and a deadline per poll covering the whole exchange.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly slots: Semaphore;
  private readonly random: () => number;
  private generation = 0;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.slots = new Semaphore(opts.concurrency);
    this.random = opts.random ?? Math.random;
  }

  /**
   * Adds or replaces a check's schedule; it is polled after `firstDelayMs` (default at once).
   * A replaced poll in flight is aborted.
   */
  schedule(id: string, intervalMs: number, timeoutMs: number, poll: PollFn, firstDelayMs = 0): void {
    if (this.stopped) return;
    this.unschedule(id);
    const entry: Entry = { id, intervalMs, timeoutMs, poll, generation: ++this.generation };
    this.entries.set(id, entry);
    if (firstDelayMs <= 0) {
      void this.run(entry);
      return;
    }
    entry.timer = setTimeout(() => void this.run(entry), firstDelayMs);
    entry.timer.unref();
  }

  /** Most polls in flight at once; a reload may change it (applies as slots free up). */
  set concurrency(limit: number) {
    this.slots.limit = limit;
  }

  unschedule(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    entry.controller?.abort(new Error('unscheduled'));
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.entries.keys()]) this.unschedule(id);
  }

  private current(entry: Entry): boolean {
    return this.entries.get(entry.id)?.generation === entry.generation;
  }

  private async run(entry: Entry): Promise<void> {
    entry.controller = new AbortController();
    await this.slots.acquire();
    const started = Date.now();
    try {
      if (!this.current(entry)) return;
      // A plain timer, not AbortSignal.timeout inside AbortSignal.any: Node 20 holds that timeout
      // signal only weakly, so under GC pressure it can vanish and the poll never times out.
      const controller = entry.controller;
      const deadline = setTimeout(
        () => controller.abort(new DOMException(`timed out after ${entry.timeoutMs} ms`, 'TimeoutError')),
        entry.timeoutMs,
      );
      const result = await entry
        .poll(controller.signal)
        .catch((err: unknown): Result => ({
          status: 'Unknown',
          message: `internal error: ${String(err)}`,
          latencyMs: Date.now() - started,
          at: started,
        }))
        .finally(() => clearTimeout(deadline));
      if (this.current(entry)) this.opts.onResult(entry.id, result);
    } finally {
      this.slots.release();
      entry.controller = undefined;
    }
    if (!this.current(entry)) return;
    const jitter = this.random() * JITTER * entry.intervalMs;
    const delay = Math.max(
      0,
      Math.round((started + entry.intervalMs - jitter - Date.now()) / TIMER_STEP_MS) * TIMER_STEP_MS,
    );
    entry.timer = setTimeout(() => void this.run(entry), delay);
    entry.timer.unref();
  }
}
