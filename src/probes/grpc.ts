import { isIP } from 'node:net';
import type * as GrpcJs from '@grpc/grpc-js';
import type { GrpcCheck } from '../checks/definition.js';
import { cut } from '../lib/cut.js';
import { formatDuration } from '../lib/duration.js';
import { describeTransportError, tlsReasonInText } from '../lib/transport-error.js';
import { literalRefusal } from '../security/connect-guard.js';
import { allowedAddresses, targetRefusedError, type TargetPolicy } from '../security/targets.js';
import type { ProbeConnections } from '../tls/connections.js';
import { readCert, withCert } from '../tls/peer.js';
import type { GrpcLib, GrpcRoute } from './grpc-channels.js';
import { decodeReply, encodeRequest, HEALTH_CHECK_METHOD, readServingStatus } from './grpc-health.js';
import { stopwatch, type Finding, type Result } from './result.js';
import { sniOf } from '../tls/sni.js';

export interface GrpcProbeDeps {
  now: () => number;
  targets: TargetPolicy;
  connections: Pick<ProbeConnections, 'materials' | 'grpc'>;
}

/** Where to connect: each address is judged by the target policy now (DNS may have changed); the first allowed. */
async function route(check: GrpcCheck, deps: GrpcProbeDeps): Promise<GrpcRoute | Finding> {
  const authority = `${check.host.includes(':') ? `[${check.host}]` : check.host}:${check.port}`;
  let address = check.host;
  let family = isIP(check.host);
  if (family !== 0) {
    const why = literalRefusal(deps.targets, check.host);
    if (why) throw targetRefusedError(check.host, why);
  } else {
    const first = (await allowedAddresses(deps.targets, check.host))[0] as { address: string; family: number };
    ({ address, family } = first);
  }
  const r: GrpcRoute = { address, family, port: check.port, authority };
  if (!check.tls) return r;
  const profile = deps.connections.materials().profile(check.tls);
  if (typeof profile === 'string') return { status: 'Unknown', message: profile };
  return { ...r, tls: { profile, servername: sniOf(check.host, check.tls) } };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

// A failed call in words: the gRPC status, and the transport or TLS reason when its details carry one.
function failure(lib: GrpcLib, err: GrpcJs.ServiceError, check: GrpcCheck, signal: AbortSignal): Finding {
  const name = lib.status[err.code] ?? String(err.code);
  // Cancelled (megaphone closing, the check replaced): said as for any probe.
  if (signal.aborted && (signal.reason as { name?: string } | undefined)?.name !== 'TimeoutError')
    return { status: 'Critical', ...describeTransportError(signal.reason, signal, check.timeoutMs) };
  // The poll's deadline and the call's are the same: whichever fires first, it reads the same.
  if (signal.aborted || err.code === lib.status.DEADLINE_EXCEEDED) {
    const message = `DEADLINE_EXCEEDED: timed out after ${formatDuration(check.timeoutMs)}`;
    return { status: 'Critical', message, code: 'DEADLINE_EXCEEDED' };
  }
  if (err.code === lib.status.NOT_FOUND)
    return {
      status: 'Unknown',
      message: `service ${JSON.stringify(check.service)} unknown to the server (NOT_FOUND)`,
      code: name,
    };
  if (err.code === lib.status.UNIMPLEMENTED)
    return {
      status: 'Critical',
      message: 'UNIMPLEMENTED: the server has no grpc.health.v1.Health service',
      code: name,
    };
  const details = err.details ?? '';
  const tls = tlsReasonInText(details);
  const sys = /\b(E[A-Z]{3,})\b/.exec(details)?.[1];
  const why = tls
    ? `${tls.reason} (${tls.code})`
    : sys
      ? describeTransportError({ code: sys }, signal, check.timeoutMs).message
      : cut(details, 200);
  return { status: 'Critical', message: `${name}${why ? `: ${why}` : ''}`, code: name };
}

/**
 * grpc://host:port: grpc.health.v1.Health/Check for `service`. SERVING OK, NOT_SERVING Critical, SERVICE_UNKNOWN
 * (or NOT_FOUND) Unknown, no answer (UNAVAILABLE, DEADLINE_EXCEEDED) Critical with the status. Never throws.
 */
export async function probeGrpc(check: GrpcCheck, signal: AbortSignal, deps: GrpcProbeDeps): Promise<Result> {
  const done = stopwatch(deps.now);
  let lib: GrpcLib;
  let where: GrpcRoute | Finding;
  try {
    // The address lookup (and the first load of grpc-js) count against the poll's deadline too.
    [lib, where] = await untilAborted(Promise.all([deps.connections.grpc.load(), route(check, deps)]), signal);
  } catch (err) {
    return done({ status: 'Critical', ...describeTransportError(err, signal, check.timeoutMs) });
  }
  if ('status' in where) return done(where);
  const client = deps.connections.grpc.client(lib, check.id, where);
  return new Promise<Result>((resolve) => {
    const onAbort = () => call.cancel();
    const call = client.makeUnaryRequest(
      HEALTH_CHECK_METHOD,
      encodeRequest,
      decodeReply,
      check.service,
      new lib.Metadata(),
      { deadline: Date.now() + check.timeoutMs },
      (err, reply) => {
        signal.removeEventListener('abort', onAbort);
        if (err || !reply) return resolve(done(failure(lib, err as GrpcJs.ServiceError, check, signal)));
        const reading = readServingStatus(reply.status, check.service);
        const cert = check.tls && readCert(call.getAuthContext()?.sslPeerCertificate);
        resolve(done(check.tls ? withCert(reading, cert, check.tls, deps.now()) : reading));
      },
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
