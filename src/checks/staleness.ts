import { formatDuration } from '../lib/duration.js';
import type { Status } from '../status.js';
import { isPolled, type Check } from './definition.js';

/** A polled check whose latest result is older than this many intervals reads as stale. */
export const STALE_INTERVALS = 3;

// A moment, to the second: `2026-12-08T01:02:03Z`. Messages name when, never how long ago: an age
// would tick every second, and every tick would be a change (ETags, indexes, blocking queries).
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Epoch ms after which `expiry` has something to say (Infinity: never). Pure. */
export function expiresAfter(check: Check, lastResultAt: number | undefined, registeredAt: number): number {
  if (check.kind === 'push') return lastResultAt === undefined ? Infinity : lastResultAt + check.ttlMs;
  if (!isPolled(check)) return Infinity;
  return (lastResultAt ?? registeredAt) + STALE_INTERVALS * check.intervalMs;
}

/**
 * What time alone does to a check: a push check past its ttl is Critical, a polled check with no
 * result for 3 intervals is Unknown ("stale"). Undefined when time changes nothing. Pure; once it
 * says something, it says the same until a result or new timing comes (nothing ticks).
 */
export function expiry(
  check: Check,
  lastResultAt: number | undefined,
  registeredAt: number,
  now: number,
): { status: Status; message: string; stale: boolean } | undefined {
  if (check.kind === 'push') {
    if (lastResultAt === undefined || now - lastResultAt <= check.ttlMs) return undefined;
    return {
      status: 'Critical',
      message: `no report since ${at(lastResultAt)} (ttl ${formatDuration(check.ttlMs)})`,
      stale: false,
    };
  }
  if (!isPolled(check)) return undefined;
  const ref = lastResultAt ?? registeredAt;
  if (now - ref <= STALE_INTERVALS * check.intervalMs) return undefined;
  const message = lastResultAt === undefined ? `stale: no result since ${at(ref)}` : `stale: last result at ${at(ref)}`;
  return { status: 'Unknown', message, stale: true };
}
