import { z } from 'zod';
import { durationSchema, formatDuration } from '../lib/duration.js';
import { badRequest } from '../lib/errors.js';
import { MAX_INTERVAL_MS } from './timing.js';

/** `latency`: how long a poll may take before it counts as Warning or Critical (durations, parsed to ms). */
export const latencySchema = z.strictObject({
  warning: durationSchema({ min: 1, max: MAX_INTERVAL_MS }).optional(),
  critical: durationSchema({ min: 1, max: MAX_INTERVAL_MS }).optional(),
});

/** Compiled `latency`, in ms; a poll that took longer than one is Warning / Critical. */
export interface LatencyLimits {
  warningMs?: number;
  criticalMs?: number;
}

const shown = (ms: number) => formatDuration(ms);

/**
 * Checks `latency` against itself and the check's timeout; throws a 400 naming the fields. A limit at or above the
 * timeout could never be seen: the poll is cut at the timeout and is Critical for it.
 */
export function compileLatency(spec: z.output<typeof latencySchema>, timeoutMs: number): LatencyLimits {
  const { warning, critical } = spec;
  if (warning === undefined && critical === undefined)
    throw badRequest('`latency` needs `warning` or `critical` (or both)');
  if (warning !== undefined && critical !== undefined && warning > critical)
    throw badRequest(
      `\`latency.warning\` (${shown(warning)}) must not be above \`latency.critical\` (${shown(critical)})`,
    );
  for (const [key, ms] of [
    ['warning', warning],
    ['critical', critical],
  ] as const) {
    if (ms !== undefined && ms >= timeoutMs)
      throw badRequest(
        `\`latency.${key}\` (${shown(ms)}) must be below the check's timeout (${shown(timeoutMs)}): a poll is cut at ` +
          'its timeout and is Critical for it, so a slower answer is never seen',
      );
  }
  const out: LatencyLimits = {};
  if (warning !== undefined) out.warningMs = warning;
  if (critical !== undefined) out.criticalMs = critical;
  return out;
}
