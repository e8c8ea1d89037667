import type { PeerCertificate, TLSSocket } from 'node:tls';
import { formatDuration } from '../lib/duration.js';
import { cut } from '../lib/cut.js';
import { severity, type Status } from '../status.js';
import type { CheckTls } from '../checks/tls-spec.js';

const DAY_MS = 86_400_000;

/** The peer certificate of the connection a poll used: what its state and /metrics show. */
export interface PeerCert {
  /** Its subject, e.g. "CN=api.internal, O=Example". */
  subject: string;
  issuer: string;
  /** ISO time it expires (notAfter). */
  notAfter: string;
  /** Whole days left when the poll ran (negative once expired). */
  daysLeft: number;
}

/** A certificate as read from a connection, before a poll judges it. */
export interface CertReading {
  subject: string;
  issuer: string;
  notAfterMs: number;
}

// A distinguished name from Node's object form, in its order: "CN=x, O=y" (values cut: they come from the peer).
function dn(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(name)) for (const one of [v].flat()) parts.push(`${k}=${one}`);
  return cut(parts.join(', '), 256);
}

/** What a certificate says about itself, or undefined when the peer sent none (or an unreadable date). */
export function readCert(cert: PeerCertificate | undefined): CertReading | undefined {
  if (!cert || !cert.valid_to) return undefined;
  const notAfterMs = Date.parse(cert.valid_to);
  if (Number.isNaN(notAfterMs)) return undefined;
  return { subject: dn(cert.subject), issuer: dn(cert.issuer), notAfterMs };
}

// X509Certificate's multi-line name, as `dn` writes Node's object form.
const oneLine = (name: string) => cut(name.split('\n').join(', '), 256);

/**
 * The peer certificate of an open TLS socket (verified or not). Read as an X509Certificate, whose fields are made
 * when asked: getPeerCertificate() builds every field and fingerprint, a third of a tls:// poll's CPU.
 */
export function readSocketCert(socket: TLSSocket): CertReading | undefined {
  const x = socket.getPeerX509Certificate();
  if (!x) return undefined;
  const notAfterMs = Date.parse(x.validTo);
  if (Number.isNaN(notAfterMs)) return undefined;
  return { subject: oneLine(x.subject), issuer: oneLine(x.issuer), notAfterMs };
}

/** A reading as a poll shows it at `now`. */
export function peerCert(r: CertReading, now: number): PeerCert {
  return {
    subject: r.subject,
    issuer: r.issuer,
    notAfter: new Date(r.notAfterMs).toISOString(),
    daysLeft: Math.floor((r.notAfterMs - now) / DAY_MS),
  };
}

function expiryVerdict(r: CertReading, tls: CheckTls, now: number): { status: Status; message: string } | undefined {
  const left = r.notAfterMs - now;
  const { warningMs, criticalMs } = tls.expiry ?? {};
  const hit =
    criticalMs !== undefined && left < criticalMs
      ? { status: 'Critical' as const, rule: `critical ${formatDuration(criticalMs)}` }
      : warningMs !== undefined && left < warningMs
        ? { status: 'Warning' as const, rule: `warning ${formatDuration(warningMs)}` }
        : undefined;
  if (!hit) return undefined;
  const when = new Date(r.notAfterMs).toISOString();
  const days = Math.floor(left / DAY_MS);
  const state = left <= 0 ? `expired ${when}` : `expires ${when} (${days} day${days === 1 ? '' : 's'} left)`;
  return { status: hit.status, message: `certificate ${r.subject || '(no subject)'} ${state}; tls.expiry.${hit.rule}` };
}

/**
 * A poll's reading with the certificate of its connection: recorded, and judged by `tls.expiry`. The worse of the
 * two statuses wins; its message comes first.
 */
export function withCert<R extends { status: Status; message: string }>(
  reading: R,
  cert: CertReading | undefined,
  tls: CheckTls,
  now: number,
): R & { tls?: PeerCert } {
  if (!cert) return reading;
  const out: R & { tls?: PeerCert } = { ...reading, tls: peerCert(cert, now) };
  const verdict = expiryVerdict(cert, tls, now);
  if (!verdict) return out;
  if (severity(verdict.status) > severity(reading.status)) {
    out.status = verdict.status;
    out.message = reading.status === 'OK' ? verdict.message : `${verdict.message}; ${reading.message}`;
  } else {
    out.message = `${reading.message}; ${verdict.message}`;
  }
  return out;
}
