import { badRequest } from '../lib/errors.js';
import { hostPort, type HostPortScheme } from './address.js';
import type { GrpcCheck, TcpCheck, TlsCheck } from './definition.js';
import type { Registration } from './spec.js';
import { compileTls, type CheckTls } from './tls-spec.js';

type UrlObject = Exclude<NonNullable<Registration['url']>, string>;

// Fields that read an HTTP answer: none applies to a bare host:port.
const HTTP_ONLY = ['jsonpath', 'format', 'match', 'headers', 'method'] as const;

type Own<C extends TcpCheck | TlsCheck | GrpcCheck, K extends keyof C> = Pick<C, 'kind' | 'host' | 'port' | K>;
type SocketPart = Own<TcpCheck, 'tls'> | Own<TlsCheck, 'tls'> | Own<GrpcCheck, 'tls' | 'service'>;

/** The kind-specific part of a tcp://, tls:// or grpc:// check. Throws a 400 naming the field that does not apply. */
export function compileSocket(reg: Registration, obj: UrlObject, target: URL, fromApi: boolean): SocketPart {
  const scheme = target.protocol.slice(0, -1) as HostPortScheme;
  const extra = HTTP_ONLY.find((k) => obj[k] !== undefined);
  if (extra) throw badRequest(`\`url.${extra}\` does not apply to a ${scheme}:// check`);
  if (obj.service !== undefined && scheme !== 'grpc')
    throw badRequest(`\`url.service\` applies only to grpc:// checks, not ${scheme}://`);
  const { host, port } = hostPort(target);
  // tls:// always speaks TLS; tcp:// and grpc:// when the check has `tls`.
  const tls: CheckTls | undefined =
    scheme === 'tls' || reg.tls !== undefined ? compileTls(reg.tls, fromApi) : undefined;
  if (scheme === 'grpc') return { kind: 'grpc', host, port, service: obj.service ?? '', tls };
  if (scheme === 'tls') return { kind: 'tls', host, port, tls: tls as CheckTls };
  return tls ? { kind: 'tcp', host, port, tls } : { kind: 'tcp', host, port };
}

/** The `tls` of an http(s):// check: https:// always speaks TLS; `tls` on http:// is refused. */
export function compileHttpTls(reg: Registration, target: URL, fromApi: boolean): CheckTls | undefined {
  if (target.protocol === 'https:') return compileTls(reg.tls, fromApi);
  if (reg.tls !== undefined)
    throw badRequest('`tls` applies to https://, tls:// (and turns TLS on for tcp:// and grpc://), not to http://');
  return undefined;
}
