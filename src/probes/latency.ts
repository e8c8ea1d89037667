import type { LatencyLimits } from '../checks/latency.js';
import { severity, type Status } from '../status.js';
import { clipMessage, type Result } from './result.js';

/** The status `latency` gives a poll that took `ms`, and why; undefined when it is within the limits. */
function slowness(limits: LatencyLimits, ms: number): { status: Status; why: string } | undefined {
  if (limits.criticalMs !== undefined && ms > limits.criticalMs)
    return { status: 'Critical', why: `critical above ${limits.criticalMs} ms` };
  if (limits.warningMs !== undefined && ms > limits.warningMs)
    return { status: 'Warning', why: `warning above ${limits.warningMs} ms` };
  return undefined;
}

/**
 * A result judged by response time too: the worse of the probe's status and the latency's. When the latency is worse,
 * its reason leads the message ("slow: answered in 700 ms (warning above 500 ms); …"); otherwise the result stands.
 */
export function judgeLatency(limits: LatencyLimits, result: Result): Result {
  const slow = slowness(limits, result.latencyMs);
  if (!slow || severity(slow.status) <= severity(result.status)) return result;
  const lead = `slow: answered in ${result.latencyMs} ms (${slow.why})`;
  return { ...result, status: slow.status, message: clipMessage(result.message ? `${lead}; ${result.message}` : lead) };
}
