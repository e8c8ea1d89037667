import { isIPv4 } from 'node:net';
import { canonicalIp, MAPPED } from './addresses.js';
import { ipv4At, ipv6Bytes } from './ipv6-bytes.js';

const hex = (b: Uint8Array, i: number) => ((b[i]! << 8) | b[i + 1]!).toString(16);

/**
 * Who a connection counts against in the budgets: an IPv4 address as it is (IPv4-mapped IPv6 too),
 * an IPv6 address by its /64, since one client (one host or LAN) is routed a whole /64. `?` when
 * the socket has no address left (already closed).
 */
export function clientKey(remote: string | undefined): string {
  if (remote === undefined) return '?';
  if (isIPv4(remote)) return remote;
  if (remote.startsWith('::ffff:') && isIPv4(remote.slice(7))) return remote.slice(7);
  const ip = canonicalIp(remote);
  if (!ip) return remote;
  if (ip.family === 'ipv4') return ip.address;
  const bytes = ipv6Bytes(ip.address);
  if (MAPPED.test(ip.address)) return ipv4At(bytes, 96);
  return `${hex(bytes, 0)}:${hex(bytes, 2)}:${hex(bytes, 4)}:${hex(bytes, 6)}::/64`;
}
