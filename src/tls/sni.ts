import { isIP } from 'node:net';
import type { CheckTls } from '../checks/tls-spec.js';

/** The server name (SNI) a host stands for: "name" of "name" or "name:port"; none for an IP address (RFC 6066). */
export function sniName(host: string): string | undefined {
  if (isIP(host) !== 0) return undefined;
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return bare === '' || isIP(bare) !== 0 ? undefined : bare;
}

/** The SNI of a check's connection to `host`: `tls.servername`, else the host's name. Also the name verified. */
export const sniOf = (host: string, tls: CheckTls): string | undefined => tls.servername ?? sniName(host);
