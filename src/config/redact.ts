import { publicUrl } from '../checks/redact.js';
import type { Config } from './schema.js';

const REDACTED = '***';

/** A URL with its password, and with `query` its query too, replaced: Slack webhook URLs are one whole secret. */
function redactUrl(value: string, opts: { query: boolean }): string {
  if (!/^https?:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    const query = opts.query && url.search !== '';
    if (!url.password && !query) return value;
    if (url.password) url.password = REDACTED;
    if (query) url.search = `?${REDACTED}`;
    return url.toString();
  } catch {
    return value;
  }
}

// A check's `url`: a string, or an object whose `addr` is the URL and whose secret headers are hidden.
function redactCheckUrl(url: unknown): unknown {
  if (typeof url === 'string') return redactUrl(url, { query: false });
  const shown = publicUrl(url, REDACTED);
  if (shown === null || typeof shown !== 'object') return shown;
  const { addr } = shown as { addr?: unknown };
  return typeof addr === 'string' ? { ...shown, addr: redactUrl(addr, { query: false }) } : shown;
}

/**
 * The config as `megaphone config check` prints it, secrets replaced by "***", each by its exact
 * place: `auth.token`, a webhook URL's password and query, a check URL's password, and the values
 * of secret headers (Authorization, Cookie, *token*…) of checks and discovery rules. Everything
 * else prints as it is: `auth.requireTokenOnLoopback` is true or false, `auth.tokenFile` a path
 * (the token it holds is never read here).
 */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  if (copy.auth.token !== undefined) copy.auth.token = REDACTED;
  for (const hook of copy.notify) hook.url = redactUrl(hook.url, { query: true });
  for (const check of copy.checks) check.url = redactCheckUrl(check.url) as typeof check.url;
  for (const rule of copy.discovery.rules) rule.url = redactCheckUrl(rule.url) as typeof rule.url;
  return copy;
}
