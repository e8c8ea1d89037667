import { z } from 'zod';
import { dnsName } from './dns-spec.js';

/** Longest `url` (or `url.addr`) accepted, in characters. */
export const MAX_URL_LENGTH = 2048;

/** Schemes whose address is a bare `host:port`: tcp (a connection), tls (a handshake), grpc (the health service). */
export const HOST_PORT_SCHEMES = ['tcp', 'tls', 'grpc'] as const;
export type HostPortScheme = (typeof HOST_PORT_SCHEMES)[number];

const ANY = 'must be an http(s):// URL, tcp://, tls:// or grpc://host:port, or dns://name';

function parsed(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

/** Why `v` is not a check address (naming the rule), or undefined. */
export function addressProblem(v: string): string | undefined {
  const u = parsed(v);
  if (!u) return ANY;
  const scheme = u.protocol.slice(0, -1);
  if (scheme === 'http' || scheme === 'https') return u.hostname === '' ? ANY : undefined;
  if (scheme === 'dns')
    return dnsName(u) === undefined
      ? 'must be dns://name (a DNS name: letters, digits, "_", "-" and dots; no port, path or query)'
      : undefined;
  // TLS is a property of the check (`tls`), not a second spelling of the scheme.
  if (scheme === 'grpcs') return 'must be grpc://host:port: gRPC over TLS is grpc:// with `tls` (true or options)';
  if (!(HOST_PORT_SCHEMES as readonly string[]).includes(scheme)) return ANY;
  const bare =
    u.hostname !== '' &&
    !u.username &&
    !u.password &&
    (u.pathname === '' || u.pathname === '/') &&
    !u.search &&
    !u.hash;
  if (!bare) return `must be ${scheme}://host:port (no path, query or credentials)`;
  if (u.port === '') return `must be ${scheme}://host:port: the port is required`;
  return undefined;
}

/** A check's address: `http(s)://…`, `tcp://`, `tls://`, `grpc://` followed by `host:port` only, or `dns://name`. */
export const addressSchema = z
  .string()
  .max(MAX_URL_LENGTH)
  .superRefine((v, ctx) => {
    const why = addressProblem(v);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

/** The host (IPv6 without brackets) and port of a `scheme://host:port` address already validated. */
export function hostPort(target: URL): { host: string; port: number } {
  return { host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port) };
}
