import type { Check } from './definition.js';

/** True when a recompiled check polls or judges differently (interval, timeout, rise, fall) from the running one. */
export function timingChanged(running: Check, next: Check): boolean {
  return running.intervalMs !== next.intervalMs || running.timeoutMs !== next.timeoutMs || running.rise !== next.rise || running.fall !== next.fall;
}
