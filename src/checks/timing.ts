import { durationSchema, formatDuration } from '../lib/duration.js';
import { badRequest } from '../lib/errors.js';

/** Shortest and longest poll interval, for every check wherever it is declared (100 ms - 1 day). */
export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 86_400_000;
/** Longest push ttl (30 days): a report must be due some time. */
export const MAX_TTL_MS = 30 * 86_400_000;

/** `interval` (API, config `checks`, config `defaults`, discovery rules). */
export const intervalSchema = durationSchema({ min: MIN_INTERVAL_MS, max: MAX_INTERVAL_MS });
/** `timeout`: at least 1 ms here; below its interval is checked where both are known. */
export const timeoutSchema = durationSchema({ min: 1, max: MAX_INTERVAL_MS });
/** `ttl` of a push check. */
export const ttlSchema = durationSchema({ min: MIN_INTERVAL_MS, max: MAX_TTL_MS });

/** Timing a check falls back on: config `defaults` (already bounded by the schemas above). */
export interface CheckDefaults {
  interval: number;
  timeout: number;
  rise?: number;
  fall?: number;
}

/** A check's interval and timeout from its own values and the defaults. Throws a 400 naming the field. */
export function resolveTiming(
  own: { interval?: number; timeout?: number },
  defaults: CheckDefaults,
): { intervalMs: number; timeoutMs: number } {
  const intervalMs = own.interval ?? defaults.interval;
  if (own.timeout !== undefined) {
    if (own.timeout >= intervalMs) {
      throw badRequest(
        `\`timeout\` must be shorter than the interval (${formatDuration(intervalMs)}), got ` +
          `${formatDuration(own.timeout)}`,
      );
    }
    return { intervalMs, timeoutMs: own.timeout };
  }
  // No timeout given: the default, kept below the interval so polls never overlap their schedule.
  return { intervalMs, timeoutMs: Math.max(1, Math.min(defaults.timeout, Math.floor(intervalMs * 0.8))) };
}

/** True when a recompiled check polls or judges differently (interval, timeout, rise, fall). */
export function timingChanged(
  running: { intervalMs: number; timeoutMs: number; rise: number; fall: number },
  next: { intervalMs: number; timeoutMs: number; rise: number; fall: number },
): boolean {
  return (
    running.intervalMs !== next.intervalMs ||
    running.timeoutMs !== next.timeoutMs ||
    running.rise !== next.rise ||
    running.fall !== next.fall
  );
}
