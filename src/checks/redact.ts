/** Header names whose values are secrets: never shown back by GET /checks or `megaphone config check`. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|auth|password/i;

export const REDACTED = '[redacted]';

/** The url as registered, with secret header values replaced: GET /checks is readable by anyone who can reach it. */
export function publicUrl(url: unknown, marker = REDACTED): unknown {
  if (url === null || typeof url !== 'object') return url;
  const obj = url as { headers?: Record<string, string> };
  if (!obj.headers) return url;
  const headers = Object.fromEntries(
    Object.entries(obj.headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? marker : v]),
  );
  return { ...obj, headers };
}
