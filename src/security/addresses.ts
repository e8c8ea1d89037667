import { BlockList, SocketAddress, isIP } from 'node:net';
import { ipv4At, ipv6Bytes } from './ipv6-bytes.js';

/**
 * An address as the target rules see it: brackets and zone gone, IPv6 canonical, and every IPv6
 * form that carries an IPv4 address (mapped, compatible, NAT64, 6to4) turned into that IPv4
 * address: such an address reaches IPv4, so IPv4 rules judge it and IPv6 ranges never admit it.
 */
export interface Address {
  address: string;
  family: 'ipv4' | 'ipv6';
  /** The translation form the IPv4 address came from, e.g. `64:ff9b::a9fe:a9fe (NAT64 64:ff9b::/96)`. */
  via?: string;
}

/** Ranges no check may reach whatever `targets.allow` says, with the reason shown to the user. */
const ALWAYS_REFUSED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['100.100.100.200', 32, 'ipv4', 'cloud metadata (Alibaba)'],
  ['0.0.0.0', 8, 'ipv4', 'the unspecified address'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['255.255.255.255', 32, 'ipv4', 'broadcast'],
  ['fd00:ec2::254', 128, 'ipv6', 'cloud metadata (AWS IPv6)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const refusedLists = ALWAYS_REFUSED.map(([net, prefix, family, why]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, why };
});

// Every refused range in one list: the common (allowed) case costs one check, not nine.
const anyRefused = new BlockList();
for (const [net, prefix, family] of ALWAYS_REFUSED) anyRefused.addSubnet(net, prefix, family);

/** The address as a SocketAddress: BlockList.check(string) builds one per call, which dominated target checks. */
export function socketAddressOf(addr: Address): SocketAddress {
  return new SocketAddress({ address: addr.address, family: addr.family });
}

/** Brackets and zone id stripped; IPv6 in WHATWG URL's canonical compressed form. */
export function canonicalIp(raw: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  let host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  host = host.replace(/%.*$/, '');
  const v = isIP(host);
  if (v === 4) return { address: host, family: 'ipv4' };
  if (v !== 6) return undefined;
  // WHATWG URL gives the canonical compressed form; mapped IPv4 becomes ::ffff:hhhh:hhhh.
  return { address: new URL(`http://[${host}]/`).hostname.slice(1, -1), family: 'ipv6' };
}

/** `::ffff:a.b.c.d` in canonical form: the one IPv6 form every stack treats as plain IPv4. */
export const MAPPED = /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/;

// IPv6 forms that carry an IPv4 address, by where it sits (bit offsets; RFC 6052 for NAT64).
function carried(canonical: string): Omit<Address, 'family'> | undefined {
  if (MAPPED.test(canonical)) return { address: ipv4At(ipv6Bytes(canonical), 96) };
  if (/^::[0-9a-f]{1,4}(:[0-9a-f]{1,4})?$/.test(canonical) && canonical !== '::1') {
    return { address: ipv4At(ipv6Bytes(canonical), 96), via: `${canonical} (IPv4-compatible ::/96)` };
  }
  if (canonical.startsWith('2002:'))
    return { address: ipv4At(ipv6Bytes(canonical), 16), via: `${canonical} (6to4 2002::/16)` };
  if (!canonical.startsWith('64:ff9b:')) return undefined;
  const b = ipv6Bytes(canonical);
  if (b.subarray(4, 12).every((x) => x === 0))
    return { address: ipv4At(b, 96), via: `${canonical} (NAT64 64:ff9b::/96)` };
  // Local use (RFC 8215): read in the /96 layout its examples use; any /96 inside the /48 carries IPv4 in its last 32
  // bits.
  if (b[4] === 0 && b[5] === 1) return { address: ipv4At(b, 96), via: `${canonical} (NAT64 local-use 64:ff9b:1::/48)` };
  return undefined;
}

/** Normalizes an address for the target rules (see Address); undefined when `raw` is not an IP address. */
export function normalizeAddress(raw: string): Address | undefined {
  const ip = canonicalIp(raw);
  if (!ip || ip.family === 'ipv4') return ip;
  const inner = carried(ip.address);
  return inner ? { ...inner, family: 'ipv4' } : ip;
}

/** Why an address is refused whatever the allowlist says, or undefined. */
export function alwaysRefused(addr: Address, socket: SocketAddress = socketAddressOf(addr)): string | undefined {
  if (!anyRefused.check(socket)) return undefined;
  for (const { list, why } of refusedLists) if (list.check(socket)) return why;
  return undefined;
}

/** True for 127.0.0.0/8, ::1 and mapped 127/8: peers that may write without a token (never a translation form). */
export function isLoopback(raw: string | undefined): boolean {
  const addr = raw === undefined ? undefined : normalizeAddress(raw);
  if (!addr || addr.via !== undefined) return false;
  return addr.family === 'ipv4' ? addr.address.startsWith('127.') : addr.address === '::1';
}
