import type { Check, TcpCheck } from '../checks/definition.js';
import type { CheckTls } from '../checks/tls-spec.js';
import type { Result } from './result.js';
import { probeHttp, type HttpProbeDeps } from './http.js';
import { probeTcp } from './tcp.js';
import type { TargetPolicy } from '../security/targets.js';
import { probeCommand } from './command.js';
import { probeTls } from './tls.js';
import { probeGrpc } from './grpc.js';
import type { ProbeConnections } from '../tls/connections.js';
import { probeDns, type DnsResolvers } from './dns.js';
import { judgeLatency } from './latency.js';

export type ProbeDeps = HttpProbeDeps & {
  /** Where raw TCP probes may connect (HTTP probes: the dispatcher's connector enforces it). */
  targets: TargetPolicy;
  /** TLS material, pools per TLS profile, gRPC channels. */
  connections: ProbeConnections;
  /** The resolvers of dns:// checks. */
  resolvers: DnsResolvers;
};

/** Runs the probe for a check's kind, judged by its `latency` too. Never throws. */
export function runProbe(check: Check, signal: AbortSignal, deps: ProbeDeps): Promise<Result> {
  const { latency } = check;
  return latency ? probe(check, signal, deps).then((r) => judgeLatency(latency, r)) : probe(check, signal, deps);
}

function probe(check: Check, signal: AbortSignal, deps: ProbeDeps): Promise<Result> {
  switch (check.kind) {
    case 'http':
      return probeHttp(check, signal, deps);
    case 'tcp':
      if (check.tls) return probeTls(check as TcpCheck & { tls: CheckTls }, signal, deps);
      return probeTcp(check, signal, deps.now, deps.targets);
    case 'tls':
      return probeTls(check, signal, deps);
    case 'grpc':
      return probeGrpc(check, signal, deps);
    case 'dns':
      return probeDns(check, signal, deps);
    case 'command':
      return probeCommand(check, signal, deps.now);
    case 'push':
      return Promise.resolve({
        status: 'Unknown',
        message: 'push checks are not polled',
        latencyMs: 0,
        at: deps.now(),
      });
    case 'global':
      return Promise.resolve({
        status: check.statusoverride ?? 'Critical',
        message: 'host forced by the --global check',
        latencyMs: 0,
        at: deps.now(),
      });
    case 'fixed':
      return Promise.resolve({ status: check.status, message: check.message, latencyMs: 0, at: deps.now() });
  }
}
