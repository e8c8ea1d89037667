import type { Dispatcher } from 'undici';
import type { HttpCheck } from '../checks/definition.js';
import type { CheckTls } from '../checks/tls-spec.js';
import type { Status } from '../status.js';
import type { ProbeConnections } from './connections.js';
import { withCert, type PeerCert } from './peer.js';
import { PeerCerts } from './pools.js';
import { sniName } from './sni.js';

/** How an https poll goes: through which pool, with which SNI, and how its certificate is then judged. */
export interface HttpsRoute {
  dispatcher: Dispatcher;
  /** Sent as the request's servername, so the pool's connection and its certificate are found by it. */
  servername: string | undefined;
  judge<R extends { status: Status; message: string }>(reading: R, now: number): R & { tls?: PeerCert };
}

function hostHeader(headers: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'host') return v;
  return undefined;
}

/**
 * The route of an https check: the main pool for the default profile, else the pool of its profile; the SNI is
 * `tls.servername`, else the Host header's name, else the URL's. A string says why the check cannot be polled.
 */
export function httpsRoute(
  check: HttpCheck & { tls: CheckTls },
  main: Dispatcher,
  connections: ProbeConnections,
): HttpsRoute | string {
  const profile = connections.materials().profile(check.tls);
  if (typeof profile === 'string') return profile;
  let dispatcher = main;
  let certs: PeerCerts = connections.mainCerts;
  if (profile.key === '') connections.pools.release(check.id);
  else ({ dispatcher, certs } = connections.pools.for(check.id, profile));
  const host = hostHeader(check.headers);
  const servername = check.tls.servername ?? sniName(host ?? check.target.host);
  return {
    dispatcher,
    servername,
    judge: (reading, now) => withCert(reading, certs.get(check.target, servername ?? ''), check.tls, now),
  };
}
