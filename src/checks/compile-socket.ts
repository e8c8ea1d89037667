import { badRequest } from '../lib/errors.js';
import { hostPort, type HostPortScheme } from './address.js';
import type { GrpcCheck, TcpCheck, TlsCheck } from './definition.js';
import type { Registration } from './spec.js';
import { compileTls, type CheckTls } from './tls-spec.js';

type UrlObject = Exclude<NonNullable<Registration['url']>, string>;

/** Which checks `tls` applies to, for the messages refusing it elsewhere. */
export const TLS_APPLIES = 'applies to https://, tls:// (and turns TLS on for tcp:// and grpc://)';

type Own<C extends TcpCheck | TlsCheck | GrpcCheck, K extends keyof C> = Pick<C, 'kind' | 'host' | 'port' | K>;
type SocketPart = Own<TcpCheck, 'tls'> | Own<TlsCheck, 'tls'> | Own<GrpcCheck, 'tls' | 'service'>;

/** The kind-specific part of a tcp://, tls:// or grpc:// check (its `url` fields already judged by compile.ts). */
export function compileSocket(reg: Registration, obj: UrlObject, target: URL, fromApi: boolean): SocketPart {
  const scheme = target.protocol.slice(0, -1) as HostPortScheme;
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
  if (reg.tls !== undefined) throw badRequest(`\`tls\` ${TLS_APPLIES}, not to http://`);
  return undefined;
}
