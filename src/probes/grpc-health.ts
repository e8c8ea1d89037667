import type { Status } from '../status.js';

/** The standard health method (grpc/grpc doc/health-checking.md). */
export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

/** Largest health reply read: the real one is 2 bytes; anything bigger is refused by grpc-js. */
export const MAX_REPLY_BYTES = 1024;

/** HealthCheckRequest `{service}` (field 1, a string) in protobuf; "" is the default, sent as nothing. */
export function encodeRequest(service: string): Buffer {
  const text = Buffer.from(service, 'utf8');
  if (text.length === 0) return Buffer.alloc(0);
  const len: number[] = [];
  let n = text.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), text]);
}

function varint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0, i = at; i < buf.length && shift < 35; shift += 7, i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, i + 1];
  }
  throw new Error('malformed varint in the health reply');
}

/** HealthCheckResponse `{status}` (field 1, an enum); unknown fields are skipped. Throws on a malformed reply. */
export function decodeReply(buf: Buffer): { status: number } {
  let status = 0;
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    at = next;
    if (wire === 0) {
      const [value, after] = varint(buf, at);
      if (field === 1) status = value;
      at = after;
    } else if (wire === 2) {
      const [len, after] = varint(buf, at);
      at = after + len;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`unexpected wire type ${wire} in the health reply`);
    }
  }
  if (at > buf.length) throw new Error('truncated health reply');
  return { status };
}

const SERVING_STATUS: ReadonlyArray<[word: string, status: Status]> = [
  ['UNKNOWN', 'Unknown'],
  ['SERVING', 'OK'],
  ['NOT_SERVING', 'Critical'],
  ['SERVICE_UNKNOWN', 'Unknown'],
];

/** What a HealthCheckResponse status means: SERVING OK, NOT_SERVING Critical, the others Unknown. */
export function readServingStatus(value: number, service: string): { status: Status; message: string } {
  const known = SERVING_STATUS[value];
  const of = service === '' ? '' : ` for service ${JSON.stringify(service)}`;
  if (!known) return { status: 'Unknown', message: `health status ${value} (not in grpc.health.v1)${of}` };
  return { status: known[1], message: `${known[0]}${of}` };
}
