/** Keys whose values are secrets wherever they appear (auth.token, a webhook's password, …). */
const SECRET_KEY = /token|secret|password|passwd|authorization|api[-_]?key|credential/i;
const REDACTED = '***';

// A URL with a password or a query carries a secret too (Slack webhook URLs are one whole secret).
function redactUrl(value: string): string {
  if (!/^https?:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (!url.password && !url.username && !url.search) return value;
    if (url.password) url.password = REDACTED;
    if (url.search) url.search = `?${REDACTED}`;
    return url.toString();
  } catch {
    return value;
  }
}

/** A deep copy of `value` with every secret replaced by "***", for printing and logging. */
export function redactSecrets(value: unknown, key = ''): unknown {
  if (key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, k)]));
  }
  if (typeof value === 'string') return redactUrl(value);
  return value;
}
