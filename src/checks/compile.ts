import { badRequest } from '../lib/errors.js';
import { canonicalStatus, type Status } from '../status.js';
import { compileStatusPath, type StatusPath } from './jsonpath.js';
import type { Registration } from './spec.js';
import type { BodyMatch, Check, CheckSource, HttpFormat } from './definition.js';
import { GLOBAL_ID } from './id.js';
import { resolveTiming, type CheckDefaults } from './timing.js';
import { compileHttpTls, compileSocket } from './compile-socket.js';

export type { CheckDefaults };

type UrlObject = Exclude<NonNullable<Registration['url']>, string>;

function compileMatch(pattern: string): BodyMatch {
  try {
    return { re: new RegExp(pattern), overruns: 0, abandoned: false };
  } catch (err) {
    throw badRequest(`\`url.match\` is not a valid regular expression: ${(err as Error).message}`, 'E_MATCH');
  }
}

function httpOrTcp(reg: Registration, url: string | UrlObject, source: CheckSource) {
  const obj: UrlObject = typeof url === 'string' ? { addr: url } : url;
  const target = new URL(obj.addr);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return compileSocket(reg, obj, target, source === 'api');
  if (obj.service !== undefined) throw badRequest('`url.service` applies only to grpc:// checks');
  const format = obj.format ?? 'json';
  const method = obj.method ?? 'GET';
  if (obj.jsonpath !== undefined && format !== 'json')
    throw badRequest(`\`url.jsonpath\` applies only to format "json", got format ${JSON.stringify(format)}`);
  if (method === 'HEAD' && format !== 'http')
    throw badRequest(
      `\`url.method\` HEAD has no body to read: use \`url.format\` "http", got format ${JSON.stringify(format)}`,
    );
  if (method === 'HEAD' && obj.match !== undefined)
    throw badRequest('`url.match` needs a body: it cannot be used with `url.method` HEAD');
  const path = compileStatusPath(obj.jsonpath);
  // API checks may come from the data file, written before a path rule existed: they load and show the refusal (the API
  // refuses new ones in parseRegistration).
  if (path.refusal && source !== 'api') throw path.refusal;
  const http: { kind: 'http'; target: URL; path: StatusPath; format: HttpFormat; method: 'GET' | 'HEAD' } & {
    headers: Record<string, string>;
    match?: BodyMatch;
  } = { kind: 'http', target, path, format, method, headers: obj.headers ?? {} };
  if (obj.match !== undefined) http.match = compileMatch(obj.match);
  const tls = compileHttpTls(reg, target, source === 'api');
  return tls ? Object.assign(http, { tls }) : http;
}

/** The `dependsOn` of a check that names none: one shared empty list. */
const NO_DEPENDENCIES: readonly string[] = Object.freeze([]);

/** Turns a validated registration into a runnable check. Throws a 400 naming the bad field. */
export function compileCheck(reg: Registration, source: CheckSource, defaults: CheckDefaults): Check {
  const given = (['url', 'ttl', 'command'] as const).filter((k) => reg[k] !== undefined);
  if (given.length === 0)
    throw badRequest('one of `url`, `ttl` (push check) or `command` (config file only) is required');
  if (given.length > 1) throw badRequest(`\`${given.join('` and `')}\` cannot be combined: a check has one kind`);
  if (reg.command !== undefined && source !== 'config') {
    throw badRequest(
      '`command` checks can only be declared in the config file, never over HTTP',
      'E_COMMAND_OVER_HTTP',
    );
  }
  if (reg.dependsOn?.includes(reg.id))
    throw badRequest(`\`dependsOn\` names the check itself (${JSON.stringify(reg.id)})`, 'E_DEPENDENCY_CYCLE');
  if (reg.tls !== undefined && reg.url === undefined)
    throw badRequest(
      `\`tls\` applies to checks with a \`url\` (https://, tls://, tcp://, grpc://), not to \`${given[0]}\``,
    );
  if (reg.id === GLOBAL_ID && reg.url === undefined)
    throw badRequest(`the \`${GLOBAL_ID}\` check takes a \`url\` (as in Megaphone), not \`${given[0]}\``);
  const obj = reg.url === undefined || typeof reg.url === 'string' ? undefined : reg.url;
  const timing = resolveTiming(reg, defaults);
  // Built in place, not by object spreads: those cost ~10 µs a check, 10 000 times over at start-up.
  const base: Omit<Check, 'kind'> & { statusoverride?: Status } = {
    id: reg.id,
    source,
    url: reg.url ?? null,
    registration: reg,
    intervalMs: timing.intervalMs,
    timeoutMs: timing.timeoutMs,
    rise: reg.rise ?? defaults.rise ?? 1,
    fall: reg.fall ?? defaults.fall ?? 1,
    dependsOn: reg.dependsOn ?? NO_DEPENDENCIES,
  };
  if (obj?.statusoverride) base.statusoverride = canonicalStatus(obj.statusoverride);
  if (reg.ttl !== undefined) {
    if (reg.interval !== undefined || reg.timeout !== undefined)
      throw badRequest('`interval` and `timeout` do not apply to a push (`ttl`) check');
    return Object.assign(base, { kind: 'push' as const, ttlMs: reg.ttl });
  }
  if (reg.command !== undefined) return Object.assign(base, { kind: 'command' as const, command: reg.command });
  if (reg.id === GLOBAL_ID) return Object.assign(base, { kind: 'global' as const });
  return Object.assign(base, httpOrTcp(reg, reg.url as string | UrlObject, source));
}
