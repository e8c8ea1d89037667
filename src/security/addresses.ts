import { BlockList, SocketAddress, isIP } from 'node:net';

/** An address as the target rules see it: mapped IPv6 turned into IPv4, brackets gone. */
export interface Address {
  address: string;
  family: 'ipv4' | 'ipv6';
}

/** Ranges no check may reach whatever `targets.allow` says, with the reason shown to the user. */
const ALWAYS_REFUSED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['0.0.0.0', 8, 'ipv4', 'the unspecified address'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['255.255.255.255', 32, 'ipv4', 'broadcast'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const refusedLists = ALWAYS_REFUSED.map(([net, prefix, family, why]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, why };
});

// Every refused range in one list: the common (allowed) case costs one check, not seven.
const anyRefused = new BlockList();
for (const [net, prefix, family] of ALWAYS_REFUSED) anyRefused.addSubnet(net, prefix, family);

/** The address as a SocketAddress: BlockList.check(string) builds one per call, which dominated target checks. */
export function socketAddressOf(addr: Address): SocketAddress {
  return new SocketAddress({ address: addr.address, family: addr.family });
}

/** Strips IPv6 brackets and a zone id, and turns `::ffff:a.b.c.d` (any spelling) into IPv4. */
export function normalizeAddress(raw: string): Address | undefined {
  let host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  host = host.replace(/%.*$/, '');
  const v = isIP(host);
  if (v === 4) return { address: host, family: 'ipv4' };
  if (v !== 6) return undefined;
  // WHATWG URL gives the canonical compressed form; mapped IPv4 becomes ::ffff:hhhh:hhhh.
  const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const hi = parseInt(mapped[1] as string, 16);
    const lo = parseInt(mapped[2] as string, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: canonical, family: 'ipv6' };
}

/** Why an address is refused whatever the allowlist says, or undefined. */
export function alwaysRefused(addr: Address, socket: SocketAddress = socketAddressOf(addr)): string | undefined {
  if (!anyRefused.check(socket)) return undefined;
  for (const { list, why } of refusedLists) if (list.check(socket)) return why;
  return undefined;
}

/** True for 127.0.0.0/8, ::1 and their mapped forms: peers that may write without a token. */
export function isLoopback(raw: string | undefined): boolean {
  const addr = raw === undefined ? undefined : normalizeAddress(raw);
  if (!addr) return false;
  return addr.family === 'ipv4' ? addr.address.startsWith('127.') : addr.address === '::1';
}
