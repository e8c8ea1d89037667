import { formatDuration } from '../lib/duration.js';

const REASONS: Record<string, string> = {
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
