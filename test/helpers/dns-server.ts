import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import packet from 'dns-packet';

/** What the fake DNS server answers for one name and type. */
export type DnsReply =
  | { answers: packet.Answer[] }
  | { rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' }
  /** Says nothing: the client times out. */
  | { silent: true };

/** A real DNS server on a loopback UDP port whose answers the test sets per `name type`. */
export interface FakeDns {
  host: string;
  port: number;
  /** `host:port` as a check's `url.server` takes it. */
  server: string;
  /** Sets the reply to `name` (any case) for `type`; unknown names get NXDOMAIN. */
  set(name: string, type: string, reply: DnsReply): void;
  /** Queries received, as `name type`. */
  queries: string[];
  close(): Promise<void>;
}

// RFC 1035 response codes, in the low 4 bits of the flags.
const RCODES = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 } as const;

const key = (name: string, type: string) => `${name.toLowerCase().replace(/\.$/, '')} ${type}`;

/** Starts a DNS server on `host` (127.0.0.1 by default), port 0. */
export async function startFakeDns(host = '127.0.0.1'): Promise<FakeDns> {
  const replies = new Map<string, DnsReply>();
  const queries: string[] = [];
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (msg, peer) => {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (!q) return;
    queries.push(`${q.name} ${q.type}`);
    const reply = replies.get(key(q.name, q.type)) ?? { rcode: 'NXDOMAIN' };
    if ('silent' in reply) return;
    const rcode = 'rcode' in reply ? RCODES[reply.rcode] : 0;
    const out = packet.encode({
      id: query.id,
      type: 'response',
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | rcode,
      questions: query.questions,
      answers: 'answers' in reply ? reply.answers.map((a) => ({ ...a, name: q.name })) : [],
    });
    socket.send(out, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    host,
    port,
    server: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    set: (name, type, reply) => void replies.set(key(name, type), reply),
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
