import type { TcpCheck } from '../checks/definition.js';
import { describeTransportError } from '../lib/transport-error.js';
import { stopwatch, type Finding, type Result } from './result.js';
import type { TargetPolicy } from '../security/targets.js';
import { connectGuarded } from '../security/connect-guard.js';

/**
 * OK when a TCP connection to host:port opens before the signal's deadline; Critical with the reason otherwise. Never
 * throws.
 */
export function probeTcp(
  check: TcpCheck,
  signal: AbortSignal,
  now: () => number,
  targets: TargetPolicy,
): Promise<Result> {
  const done = stopwatch(now);
  return new Promise<Result>((resolve) => {
    let settled = false;
    // The target rules apply at connect time too (literals and every resolved address).
    const socket = connectGuarded(targets, { host: check.host, port: check.port });
    const finish = (r: Finding) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(done(r));
    };
    const onAbort = () =>
      finish({ status: 'Critical', ...describeTransportError(signal.reason, signal, check.timeoutMs) });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ status: 'OK', message: `connected to ${check.host}:${check.port}` }));
    socket.once('error', (err) =>
      finish({ status: 'Critical', ...describeTransportError(err, signal, check.timeoutMs) }),
    );
  });
}
