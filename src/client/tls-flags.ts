import type { Command } from 'commander';

/** `checks add` options for TLS and gRPC checks. */
export interface TlsFlags {
  tls?: boolean;
  tlsCa?: string;
  tlsServername?: string;
  tlsInsecure?: boolean;
  tlsExpiryWarning?: string;
  tlsExpiryCritical?: string;
  grpcService?: string;
}

/** Adds the TLS and gRPC flags of `checks add`. */
export function withTlsFlags(cmd: Command): Command {
  return cmd
    .option('--tls', 'speak TLS (tcp://, grpc://; https:// and tls:// always do)')
    .option('--tls-ca <name>', "trust this CA instead of the system's: a name of the daemon config's tls.cas")
    .option('--tls-servername <name>', 'SNI, and the name the certificate must carry (default: the host)')
    .option('--tls-insecure', "do not verify the certificate (shown in the check's state)")
    .option('--tls-expiry-warning <duration>', 'Warning when the certificate has less than this left (e.g. 14d)')
    .option('--tls-expiry-critical <duration>', 'Critical when the certificate has less than this left (e.g. 3d)')
    .option('--grpc-service <name>', 'grpc://: the service whose health is asked (default: the whole server)');
}

/** The registration's `tls` the flags make (undefined when none is given); the daemon validates it. */
export function tlsField(o: TlsFlags): true | Record<string, unknown> | undefined {
  const expiry =
    o.tlsExpiryWarning !== undefined || o.tlsExpiryCritical !== undefined
      ? { warning: o.tlsExpiryWarning, critical: o.tlsExpiryCritical }
      : undefined;
  const options = { ca: o.tlsCa, servername: o.tlsServername, insecure: o.tlsInsecure, expiry };
  if (Object.values(options).some((v) => v !== undefined)) return options;
  return o.tls ? true : undefined;
}
