import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';
import type { TlsProfile } from '../tls/materials.js';
import { MAX_REPLY_BYTES } from './grpc-health.js';
import { Shared } from '../lib/shared.js';

export type GrpcLib = typeof GrpcJs;

const requireHere = createRequire(import.meta.url);

/**
 * grpc-js as the build bundles it beside dist/ (scripts/vendor-grpc.mjs: installing megaphone installs none of its
 * dependencies, one of which has an install script); from src/ (the tests), the package itself.
 */
function loadGrpcJs(): GrpcLib {
  let bundled: string | undefined;
  try {
    bundled = requireHere.resolve('../vendor/grpc-js.cjs');
  } catch {
    bundled = undefined;
  }
  return requireHere(bundled ?? '@grpc/grpc-js') as GrpcLib;
}

/** Where one gRPC check connects: an address the target policy allowed, the name it stands for, its TLS. */
export interface GrpcRoute {
  /** The checked address (IPv6 without brackets) and its family. */
  address: string;
  family: number;
  port: number;
  /** `host:port` as the check names it: the :authority header. */
  authority: string;
  /** TLS: its profile and SNI (also the name verified); none for plaintext. */
  tls?: { profile: TlsProfile; servername?: string };
}

const keyOf = (r: GrpcRoute) =>
  JSON.stringify([r.address, r.port, r.authority, r.tls?.profile.key ?? null, r.tls?.servername ?? null]);

function channelOptions(r: GrpcRoute): GrpcJs.ChannelOptions {
  const options: GrpcJs.ChannelOptions = {
    'grpc.default_authority': r.authority,
    // A proxy from the environment would take the poll somewhere the target policy never judged.
    'grpc.enable_http_proxy': 0,
    'grpc.enable_retries': 0,
    'grpc.service_config_disable_resolution': 1,
    'grpc.max_receive_message_length': MAX_REPLY_BYTES,
    // Per-call statistics nobody reads (channelz): measured as garbage on every poll.
    'grpc.enable_channelz': 0,
  };
  if (r.tls?.servername !== undefined) options['grpc.ssl_target_name_override'] = r.tls.servername;
  return options;
}

function credentials(lib: GrpcLib, r: GrpcRoute): GrpcJs.ChannelCredentials {
  if (!r.tls) return lib.credentials.createInsecure();
  const { secureContext, rejectUnauthorized } = r.tls.profile;
  const verify = rejectUnauthorized ? {} : { rejectUnauthorized: false, checkServerIdentity: () => undefined };
  return secureContext
    ? lib.ChannelCredentials.createFromSecureContext(secureContext, verify)
    : lib.credentials.createSsl(null, null, null, verify);
}

/**
 * gRPC channels of the checks, kept between polls: one per route (address, authority, TLS), shared by the checks
 * that take it (HTTP/2 carries their calls side by side), closed with the last of them. A check whose route changes
 * (DNS, a reloaded CA) moves to another. @grpc/grpc-js is loaded the first time a gRPC check polls, never otherwise.
 */
export class GrpcChannels {
  private lib: Promise<GrpcLib> | undefined;
  private readonly channels = new Shared<GrpcJs.Client>((client) => client.close());

  /** The library, loaded once. */
  load(): Promise<GrpcLib> {
    return (this.lib ??= Promise.resolve().then(loadGrpcJs));
  }

  /** The client of a route, taken for a check (which lets go of the route it had, if another). */
  client(lib: GrpcLib, checkId: string, route: GrpcRoute): GrpcJs.Client {
    return this.channels.take(checkId, keyOf(route), () => {
      const { address, port } = route;
      const target = route.family === 6 ? `ipv6:[${address}]:${port}` : `ipv4:${address}:${port}`;
      return new lib.Client(target, credentials(lib, route), channelOptions(route));
    });
  }

  /** The check no longer needs its channel (it was removed): the last user closes it. */
  close(checkId: string): void {
    this.channels.release(checkId);
  }

  /** Open channels (tests, metrics). */
  get size(): number {
    return this.channels.size;
  }

  closeAll(): void {
    for (const client of this.channels.clear()) client.close();
  }
}
