import { formatDuration } from '../lib/duration.js';

const UNKNOWN_CA = 'certificate signed by an unknown CA (set tls.ca)';

// TLS handshake failures, with the option that fixes each.
const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate, not trusted (set tls.ca)',
  SELF_SIGNED_CERT_IN_CHAIN: UNKNOWN_CA,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT: UNKNOWN_CA,
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not name the host (set tls.servername to a name it carries)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate (set tls.cert and tls.key)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the server does not trust the client certificate (tls.cert)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server refused the client certificate (tls.cert)',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS handshake refused by the server',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not TLS (wrong version number): a plaintext port?',
};

// Node's wording of the same failures, for libraries that pass on only the text (gRPC's status details).
const TLS_TEXTS: Array<[string, string]> = [
  ['self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ['unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['unable to get local issuer certificate', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  ['certificate has expired', 'CERT_HAS_EXPIRED'],
  ["does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ['alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
  ['wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'],
];

/** A TLS failure recognised in a library's error text: its Node code and the words `describeTransportError` uses. */
export function tlsReasonInText(text: string): { code: string; reason: string } | undefined {
  const hit = TLS_TEXTS.find(([t]) => text.includes(t));
  return hit && { code: hit[1], reason: TLS_REASONS[hit[1]] as string };
}

const REASONS: Record<string, string> = {
  ...TLS_REASONS,
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the other side',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'response too large',
  HPE_INVALID_CONSTANT: 'invalid HTTP response',
  HPE_HEADER_OVERFLOW: 'response headers too large',
  HPE_INVALID: 'invalid HTTP response',
};

function codeOf(err: unknown): string | undefined {
  let e: unknown = err;
  // undici wraps socket errors; the useful code may sit on `cause`.
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // undici's parser errors may carry no code at all.
    if ((e as { name?: unknown }).name === 'HTTPParserError') return 'HPE_INVALID';
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Describes why a connection-level poll failed, in words an operator reads at `/`. */
export function describeTransportError(
  err: unknown,
  signal: AbortSignal,
  timeoutMs: number,
): { message: string; code: string } {
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    if (reason?.name === 'TimeoutError')
      return { message: `timed out after ${formatDuration(timeoutMs)}`, code: 'ETIMEOUT' };
    return { message: 'poll cancelled', code: 'ECANCELLED' };
  }
  const code = codeOf(err) ?? 'EUNKNOWN';
  const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
  return { message: `${reason} (${code})`, code };
}
