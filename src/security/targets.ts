import { BlockList } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { targetRefused, type MegaphoneError } from '../lib/errors.js';
import { MAPPED, alwaysRefused, canonicalIp, normalizeAddress, socketAddressOf, type Address } from './addresses.js';

/** Resolves a host name to every address it has (dns.lookup with all: true). */
export type ResolveAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** Where checks and webhooks may connect: compiled from `targets.allow`. */
export interface TargetPolicy {
  /** IPv4 ranges (with explicit `::ffff:` ranges); they judge IPv4 addresses and IPv6 forms carrying one. */
  nets4: BlockList;
  /** IPv6 ranges; never consulted for IPv4 (BlockList alone would match `::/0` against every IPv4 address). */
  nets6: BlockList;
  names: string[];
  /** The allowlist as configured, for messages. */
  text: string;
  resolve: ResolveAll;
}

/** Default `targets.allow`: loopback only. */
export const DEFAULT_ALLOW = ['127.0.0.0/8', '::1'];

export const defaultResolve: ResolveAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

type AllowRange = { address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/**
 * Reads an address or CIDR entry of `targets.allow`: a range applies to its own family only, except
 * an explicit `::ffff:a.b.c.d/96-128`, which is the IPv4 range it maps. Undefined when not an address;
 * a string when it is a bad one.
 */
function allowRange(entry: string): AllowRange | string | undefined {
  const [net = '', prefix, extra] = entry.split('/');
  const ip = canonicalIp(net);
  if (!ip) return prefix === undefined ? undefined : 'is not a CIDR';
  if (extra !== undefined) return 'is not a CIDR';
  const max = ip.family === 'ipv4' ? 32 : 128;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))
    return `has a prefix outside 0-${max}`;
  const bits = prefix === undefined ? max : Number(prefix);
  if (ip.family === 'ipv6' && MAPPED.test(ip.address)) {
    if (bits < 96) return 'is a ::ffff: (IPv4-mapped) range: its prefix must be 96-128';
    return { address: normalizeAddress(ip.address)?.address as string, prefix: bits - 96, family: 'ipv4' };
  }
  return { address: ip.address, prefix: bits, family: ip.family };
}

/** An entry of `targets.allow` that is neither a CIDR, an address nor a host name; undefined when fine. */
export function invalidAllowEntry(entry: string): string | undefined {
  const range = allowRange(entry);
  if (typeof range === 'string') return range;
  if (range) return undefined;
  return /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)
    ? undefined
    : 'is not a CIDR or a host name';
}

/** Compiles `targets.allow` (entries already validated by the config schema). */
export function compileTargetPolicy(
  allow: readonly string[] = DEFAULT_ALLOW,
  resolve: ResolveAll = defaultResolve,
): TargetPolicy {
  const nets4 = new BlockList();
  const nets6 = new BlockList();
  const names: string[] = [];
  for (const entry of allow) {
    const range = allowRange(entry);
    if (range === undefined) names.push(entry.toLowerCase());
    else if (typeof range !== 'string')
      (range.family === 'ipv4' ? nets4 : nets6).addSubnet(range.address, range.prefix, range.family);
  }
  return { nets4, nets6, names, text: allow.join(', '), resolve };
}

function nameAllowed(policy: TargetPolicy, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return policy.names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) : host === n));
}

/** Most verdicts remembered per policy (a registration burst asks about the same few addresses again and again). */
const VERDICTS_KEPT = 4096;
// Verdicts of the policy as compiled: a reload assigns freshly compiled lists to the same policy object, so they are
// kept with the lists they were judged by and dropped once those are replaced.
const verdicts = new WeakMap<
  TargetPolicy,
  { nets4: BlockList; nets6: BlockList; known: Map<string, string | undefined> }
>();

function judgeAddress(policy: TargetPolicy, raw: string, allowedByName: boolean): string | undefined {
  const addr: Address | undefined = normalizeAddress(raw);
  if (!addr) return `${raw} is not an IP address`;
  const socket = socketAddressOf(addr);
  // A translation form is named with the IPv4 address it carries: "64:ff9b::a9fe:a9fe (NAT64 64:ff9b::/96) carrying
  // 169.254.169.254".
  const shown = addr.via ? `${addr.via} carrying ${addr.address}` : addr.address;
  const why = alwaysRefused(addr, socket);
  if (why) return `${shown} is ${why} and always refused`;
  if (allowedByName || (addr.family === 'ipv4' ? policy.nets4 : policy.nets6).check(socket)) return undefined;
  return `${shown} is not in targets.allow (${policy.text})`;
}

/** Why an address may not be reached (named by `via` when it came from DNS), or undefined. */
export function addressRefusal(policy: TargetPolicy, raw: string, allowedByName = false): string | undefined {
  let entry = verdicts.get(policy);
  if (!entry || entry.nets4 !== policy.nets4 || entry.nets6 !== policy.nets6) {
    entry = { nets4: policy.nets4, nets6: policy.nets6, known: new Map() };
    verdicts.set(policy, entry);
  }
  const { known } = entry;
  const key = allowedByName ? `+${raw}` : raw;
  if (known.has(key)) return known.get(key);
  const why = judgeAddress(policy, raw, allowedByName);
  if (known.size >= VERDICTS_KEPT) known.clear();
  known.set(key, why);
  return why;
}

const refused = (target: string, why: string) => targetRefused(target, why);

/**
 * Throws a 400 naming the target unless every address the host has is allowed. Literals are
 * checked as they are; names are resolved (all addresses) and each must pass.
 */
export async function assertTargetAllowed(target: URL | string, policy: TargetPolicy): Promise<void> {
  const url = typeof target === 'string' ? new URL(target) : target;
  const host = url.hostname;
  const shown = url.host || host;
  if (normalizeAddress(host)) {
    const why = addressRefusal(policy, host);
    if (why) throw refused(shown, why);
    return;
  }
  const byName = nameAllowed(policy, host);
  let addresses: Array<{ address: string }>;
  try {
    addresses = await policy.resolve(host);
  } catch (err) {
    // A name on the allowlist may be registered before it resolves; connect time checks it again.
    if (byName) return;
    throw refused(shown, `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (addresses.length === 0 && !byName) throw refused(shown, `${host} has no addresses`);
  for (const { address } of addresses) {
    const why = addressRefusal(policy, address, byName);
    if (why) throw refused(shown, `${host} resolves to ${why}`);
  }
}

/** Resolves a name for a connection and keeps only the addresses the policy allows. */
export async function allowedAddresses(
  policy: TargetPolicy,
  hostname: string,
): Promise<Array<{ address: string; family: number }>> {
  const byName = nameAllowed(policy, hostname);
  const all = await policy.resolve(hostname);
  const ok = all.filter((a) => addressRefusal(policy, a.address, byName) === undefined);
  if (ok.length === 0) {
    const why = all[0] ? addressRefusal(policy, all[0].address, byName) : 'no addresses';
    throw targetRefusedError(hostname, `${hostname} resolves to ${why}`);
  }
  return ok;
}

/** The error a refused connection fails with (the one E_TARGET_REFUSED shape); its code shows in the check's Result. */
export function targetRefusedError(target: string, why: string): MegaphoneError {
  return targetRefused(target, why, true);
}
