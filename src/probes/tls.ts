import type { TcpCheck, TlsCheck } from '../checks/definition.js';
import type { CheckTls } from '../checks/tls-spec.js';
import { describeTransportError } from '../lib/transport-error.js';
import { connectGuarded } from '../security/connect-guard.js';
import type { TargetPolicy } from '../security/targets.js';
import type { ProbeConnections } from '../tls/connections.js';
import { readSocketCert, withCert } from '../tls/peer.js';
import { sniOf } from '../tls/sni.js';
import { stopwatch, type Finding, type Result } from './result.js';

/**
 * How long a TLS 1.3 connection is watched after its handshake for the server's verdict on the client: a server
 * refusing (or missing) a client certificate says so only then, with an alert; one that accepts sends session
 * tickets at once. A server that sends neither is taken as accepting after this long.
 */
export const TLS13_VERDICT_MS = 500;

export interface TlsProbeDeps {
  now: () => number;
  targets: TargetPolicy;
  connections: Pick<ProbeConnections, 'materials'>;
}

/**
 * tls://host:port (and tcp:// with `tls`): OK when a TLS handshake completes and the certificate verifies;
 * Critical with the reason (and the option that fixes it) otherwise. The peer certificate is recorded and judged by
 * `tls.expiry`. Never throws.
 */
export function probeTls(
  check: TlsCheck | (TcpCheck & { tls: CheckTls }),
  signal: AbortSignal,
  deps: TlsProbeDeps,
): Promise<Result> {
  const done = stopwatch(deps.now);
  const profile = deps.connections.materials().profile(check.tls);
  if (typeof profile === 'string') return Promise.resolve(done({ status: 'Unknown', message: profile }));
  const where = `${check.host.includes(':') ? `[${check.host}]` : check.host}:${check.port}`;
  return new Promise<Result>((resolve) => {
    let settled = false;
    let verdict: NodeJS.Timeout | undefined;
    const socket = connectGuarded(
      deps.targets,
      { host: check.host, port: check.port },
      {
        servername: sniOf(check.host, check.tls),
        secureContext: profile.secureContext,
        rejectUnauthorized: profile.rejectUnauthorized,
      },
    );
    const finish = (r: Finding) => {
      if (settled) return;
      settled = true;
      clearTimeout(verdict);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(done(r));
    };
    const fail = (err: unknown) =>
      finish({ status: 'Critical', ...describeTransportError(err, signal, check.timeoutMs) });
    // Once the handshake is done, a deadline during the wait for the server's verdict is no failure of the handshake.
    let handshaken: (() => void) | undefined;
    const onAbort = () => (handshaken ? handshaken() : fail(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    let ticket = false;
    socket.once('session', () => (ticket = true));
    socket.once('secureConnect', () => {
      // Nothing is read from the server, but its alerts, tickets and end must get through.
      socket.resume();
      const cert = readSocketCert(socket);
      const protocol = socket.getProtocol() ?? 'TLS';
      const unverified = socket.authorized ? '' : ` (not verified, tls.insecure: ${socket.authorizationError})`;
      const subject = cert ? `; ${cert.subject} valid until ${new Date(cert.notAfterMs).toISOString()}` : '';
      const ok = () =>
        finish(
          withCert(
            { status: 'OK', message: `handshake OK with ${where} (${protocol})${unverified}${subject}` },
            cert,
            check.tls,
            deps.now(),
          ),
        );
      if (protocol !== 'TLSv1.3' || ticket) return ok();
      handshaken = ok;
      socket.once('session', ok);
      socket.once('end', ok);
      verdict = setTimeout(ok, TLS13_VERDICT_MS);
    });
    socket.once('error', fail);
  });
}
