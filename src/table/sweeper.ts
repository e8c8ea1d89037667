import { expiresAfter, expiry } from '../checks/staleness.js';
import type { CheckState } from './check-state.js';
import type { CheckTable } from './check-table.js';
import type { EventBus } from './events.js';

/** How often staleness and push ttls are re-evaluated (also done lazily when a summary is read). */
export const SWEEP_MS = 1000;

/**
 * Applies what time does to checks: a push check past its ttl turns Critical, a polled check with
 * no result for 3 intervals turns Unknown (stale). Runs on a timer and lazily before every read, so
 * an old OK is never served even when the event loop or a poll is stuck.
 */
export class StalenessSweeper {
  private lastSweep = 0;
  /** No check can expire before this (a lower bound), so a sweep before it skips the scan of every check. */
  private quietUntil = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly table: CheckTable,
    bus: EventBus,
    private readonly now: () => number,
  ) {
    // A new check, new timing, or a result with an old time may move the soonest expiry earlier.
    bus.on('upserted', (state) => this.mayExpireAt(state));
    bus.on('result', (_id, _result, state) => this.mayExpireAt(state));
  }

  /** Sweeps every `everyMs` until stop(). */
  start(everyMs = SWEEP_MS): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.sweep(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sweeps unless one ran within the last SWEEP_MS: what readers call before they read. */
  sweepIfDue(): void {
    if (this.now() - this.lastSweep >= SWEEP_MS) this.sweep();
  }

  sweep(): void {
    const now = this.now();
    this.lastSweep = now;
    // Nothing can have expired yet: skip the scan (it cost ~1-2 % of a core per second at 10 000 checks).
    if (now <= this.quietUntil) return;
    let soonest = Infinity;
    let scanned = false;
    // Listeners called during the scan may lower the bound (mayExpireAt); keep what they set.
    this.quietUntil = Infinity;
    try {
      for (const state of this.table.all()) {
        const e = expiry(state.check, state.result?.at, state.registeredAt, now);
        if (!e) {
          soonest = Math.min(soonest, expiresAfter(state.check, state.result?.at, state.registeredAt));
          continue;
        }
        // Expired, it reads the same until a result or new timing comes (and those lower the bound): no rescan for it.
        state.stale = e.stale;
        this.table.set(state, state.check.statusoverride ?? e.status, e.message, now);
      }
      scanned = true;
    } finally {
      this.quietUntil = scanned ? Math.min(this.quietUntil, soonest) : -Infinity;
    }
  }

  private mayExpireAt(state: CheckState): void {
    this.quietUntil = Math.min(this.quietUntil, expiresAfter(state.check, state.result?.at, state.registeredAt));
  }
}
