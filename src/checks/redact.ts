/** Header names whose values are secrets: never shown back by GET /checks or `megaphone config check`. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|auth|password/i;

export const REDACTED = '[redacted]';

// `scheme://user:password@`: the password is the secret; the rest of the URL stays as registered.
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i;

/** A URL string as registered, with a password in it replaced. */
export const publicAddress = (url: string, marker = REDACTED): string => url.replace(URL_PASSWORD, `$1:${marker}@`);

/**
 * The url as registered, with secrets replaced (a URL's password, secret header values): GET
 * /checks is readable by anyone who can reach it.
 */
export function publicUrl(url: unknown, marker = REDACTED): unknown {
  if (typeof url === 'string') return publicAddress(url, marker);
  if (url === null || typeof url !== 'object') return url;
  const obj = url as { addr?: unknown; headers?: Record<string, string> };
  const out: Record<string, unknown> = { ...obj };
  if (typeof obj.addr === 'string') out.addr = publicAddress(obj.addr, marker);
  if (obj.headers) {
    out.headers = Object.fromEntries(
      Object.entries(obj.headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? marker : v]),
    );
  }
  return out;
}
