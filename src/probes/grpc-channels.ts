import type * as GrpcJs from '@grpc/grpc-js';
import type { TlsProfile } from '../tls/materials.js';
import { MAX_REPLY_BYTES } from './grpc-health.js';

export type GrpcLib = typeof GrpcJs;

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
 * gRPC channels of the checks, one per check, kept between polls (a new one when its address or TLS changes) and
 * closed with the check. @grpc/grpc-js is loaded the first time a gRPC check polls, never otherwise.
 */
export class GrpcChannels {
  private lib: Promise<GrpcLib> | undefined;
  private readonly channels = new Map<string, { key: string; client: GrpcJs.Client }>();

  /** The library, loaded once. */
  load(): Promise<GrpcLib> {
    return (this.lib ??= import('@grpc/grpc-js'));
  }

  /** The client of a check for a route (its previous one closed if the route changed). */
  client(lib: GrpcLib, checkId: string, route: GrpcRoute): GrpcJs.Client {
    const key = keyOf(route);
    const held = this.channels.get(checkId);
    if (held?.key === key) return held.client;
    held?.client.close();
    const target = route.family === 6 ? `ipv6:[${route.address}]:${route.port}` : `ipv4:${route.address}:${route.port}`;
    const client = new lib.Client(target, credentials(lib, route), channelOptions(route));
    this.channels.set(checkId, { key, client });
    return client;
  }

  /** Closes a check's channel (the check was removed). */
  close(checkId: string): void {
    this.channels.get(checkId)?.client.close();
    this.channels.delete(checkId);
  }

  /** Open channels (tests, metrics). */
  get size(): number {
    return this.channels.size;
  }

  closeAll(): void {
    for (const { client } of this.channels.values()) client.close();
    this.channels.clear();
  }
}
