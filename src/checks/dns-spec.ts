import { isIP } from 'node:net';
import { z } from 'zod';
import { canonicalIp } from '../security/addresses.js';
import { badRequest } from '../lib/errors.js';

/** Record types a `dns://` check may ask for; default A. */
export const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'SRV'] as const;
export type DnsType = (typeof DNS_TYPES)[number];

/** Most values in `url.expect`, and the longest one. */
export const MAX_EXPECT = 32;
export const MAX_EXPECT_LENGTH = 512;

// A DNS name: dot-separated labels of letters, digits, `_` and inner `-`, at most 63 each, 253 in all; a final dot.
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const NAME = new RegExp(`^(?=.{1,254}$)${LABEL}(?:\\.${LABEL})*\\.?$`);

/** The name of a parsed `dns://name` address (nothing else: no port, path, query or credentials), else undefined. */
export function dnsName(u: URL): string | undefined {
  if (u.protocol !== 'dns:' || u.port || u.username || u.password || u.search || u.hash) return undefined;
  if (u.pathname !== '' && u.pathname !== '/') return undefined;
  return NAME.test(u.hostname) ? u.hostname : undefined;
}

/** Where a `dns://` check sends its query: an IP address and a port (default 53). */
export interface DnsServer {
  host: string;
  port: number;
  /** `host:port` as setServers takes it (`[v6]:port`). */
  text: string;
}

/** Reads `url.server`: "10.0.0.2", "10.0.0.2:5353", "fd00::53" or "[fd00::53]:5353"; undefined when malformed. */
export function parseDnsServer(v: string): DnsServer | undefined {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(v) ?? [v, v, undefined];
  const host = m[1] as string;
  const port = m[2] === undefined ? 53 : Number(m[2]);
  const family = isIP(host);
  // A bare IPv6 address takes no port; a bracketed one must be IPv6.
  if (family === 0 || (family === 4 && v.startsWith('[')) || port < 1 || port > 65535) return undefined;
  return { host, port, text: family === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}

/** The fields of a `dns://` check in the `url` object. */
export const dnsFields = {
  /** Record type to ask for: A (default), AAAA, CNAME, TXT or SRV. */
  type: z.enum(DNS_TYPES, { error: `must be one of ${DNS_TYPES.join(', ')}` }).optional(),
  /** The server to ask (IP address, optional port); default the system resolver. */
  server: z
    .string()
    .max(64)
    .refine((v) => parseDnsServer(v) !== undefined, {
      message:
        'must be an IP address with an optional port ("10.0.0.2", "10.0.0.2:5353", "[fd00::53]:5353"): ' +
        'the query goes to an address, not a name',
    })
    .optional(),
  /** Values that must all be in the answer (as the message shows them), else Critical. */
  expect: z.array(z.string().min(1).max(MAX_EXPECT_LENGTH)).min(1).max(MAX_EXPECT).optional(),
};

/** One answer value as compared with `expect`: addresses canonical, names lower case without the final dot. */
export function comparable(type: DnsType, value: string): string {
  if (type === 'A' || type === 'AAAA') return canonicalIp(value)?.address ?? value;
  // A CNAME is a name, and so is the target that ends an SRV "priority weight port target".
  if (type === 'CNAME' || type === 'SRV') return value.toLowerCase().replace(/\.$/, '');
  return value;
}

// What an answer of each type reads as, hence what `url.expect` may hold (TXT: any text).
const ANSWER_SHAPE: Record<DnsType, { test: (v: string) => boolean; what: string }> = {
  A: { test: (v) => isIP(v) === 4, what: 'an IPv4 address' },
  AAAA: { test: (v) => isIP(v) === 6, what: 'an IPv6 address' },
  CNAME: { test: (v) => NAME.test(v), what: 'a DNS name' },
  TXT: { test: () => true, what: 'a text' },
  SRV: {
    test: (v) => /^\d{1,5} \d{1,5} \d{1,5} (\S+)$/.test(v) && NAME.test(v.split(' ')[3] as string),
    what: 'an SRV record "priority weight port target"',
  },
};

/**
 * The `dns://` fields of a validated `url` object, compiled: the name, the type (default A), the server, the
 * expected values. Throws a 400 naming an expected value the type's answers could never hold.
 */
export function compileDns(obj: { addr: string; type?: DnsType; server?: string; expect?: string[] }) {
  const type: DnsType = obj.type ?? 'A';
  const shape = ANSWER_SHAPE[type];
  const odd = obj.expect?.findIndex((v) => !shape.test(v)) ?? -1;
  if (odd >= 0)
    throw badRequest(
      `\`url.expect[${odd}]\` must be ${shape.what}, as ${type} answers read, got ${JSON.stringify(obj.expect?.[odd])}`,
    );
  const check: { kind: 'dns'; name: string; type: DnsType; server?: DnsServer; expect?: string[] } = {
    kind: 'dns',
    name: dnsName(new URL(obj.addr)) as string,
    type,
  };
  if (obj.server !== undefined) check.server = parseDnsServer(obj.server);
  if (obj.expect !== undefined) check.expect = obj.expect.map((v) => comparable(type, v));
  return check;
}
