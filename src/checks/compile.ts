import type { Config } from '../config/schema.js';
import { compileStatusPath } from './jsonpath.js';
import { canonicalStatus, type Registration } from './registration.js';
import { GLOBAL_ID, type Check, type CheckSource } from './definition.js';

/** Turns a validated registration into a runnable check. Throws a 400 for a bad path. */
export function compileCheck(reg: Registration, source: CheckSource, defaults: Config['defaults']): Check {
  const obj = typeof reg.url === 'string' ? { addr: reg.url } : reg.url;
  const base = {
    id: reg.id,
    source,
    url: reg.url,
    intervalMs: defaults.interval,
    timeoutMs: Math.min(defaults.timeout, defaults.interval),
    ...(obj.statusoverride ? { statusoverride: canonicalStatus(obj.statusoverride) } : {}),
  };
  if (reg.id === GLOBAL_ID) return { ...base, kind: 'global' };
  return { ...base, kind: 'http', target: new URL(obj.addr), path: compileStatusPath(obj.jsonpath) };
}
