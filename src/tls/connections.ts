import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import { GrpcChannels } from '../probes/grpc-channels.js';
import type { GuardedTls } from '../security/connect-guard.js';
import type { EventBus } from '../table/events.js';
import { TlsMaterials, type TlsSources } from './materials.js';
import { PeerCerts, TlsPools } from './pools.js';

/** What probes keep between polls beyond the main pool: TLS material, pools per TLS profile, gRPC channels. */
export interface ProbeConnections {
  /** The config's TLS files as read at start or at the last reload. */
  materials: () => TlsMaterials;
  /** Certificates of the main pool's connections (https checks with the default profile). */
  mainCerts: PeerCerts;
  /** Pools of https checks with a CA, a client certificate or `tls.insecure`. */
  pools: TlsPools;
  grpc: GrpcChannels;
}

// Any file named: a reload must read them again even when the config text did not change.
const namesFiles = (c: TlsSources) =>
  Object.keys(c.tls.cas).length > 0 ||
  [...c.checks, ...c.discovery.rules].some((s) => typeof s.tls === 'object' && (s.tls.ca ?? s.tls.cert) !== undefined);

/**
 * The connections of probes and the config they are built from (`tls`). A reload reads the TLS files again: checks
 * pick up a renewed CA or client certificate at their next poll. A removed check's pool and channel are released,
 * and `tls.insecure` is logged once per check.
 */
export function connectionsFeature(deps: {
  config: Config;
  bus: EventBus;
  logger: Logger;
  /** A guarded keep-alive pool for polls, with these TLS settings. */
  dispatcher: (tls: GuardedTls) => Dispatcher;
}): Feature & { connections: ProbeConnections; mainTls: GuardedTls } {
  let materials = TlsMaterials.load(deps.config);
  const mainCerts = new PeerCerts();
  const pools = new TlsPools(deps.dispatcher);
  const grpc = new GrpcChannels();
  const warned = new Set<string>();
  const onUpserted = ({ check }: { check: { id: string; tls?: { insecure: boolean } } }) => {
    if (!check.tls?.insecure || warned.has(check.id)) return;
    warned.add(check.id);
    deps.logger.warn({ check: check.id }, 'tls.insecure: the certificate of this check is not verified');
  };
  const onRemoved = (id: string) => {
    warned.delete(id);
    pools.release(id);
    grpc.close(id);
  };
  deps.bus.on('upserted', onUpserted);
  deps.bus.on('removed', onRemoved);
  return {
    name: 'probe connections',
    connections: { materials: () => materials, mainCerts, pools, grpc },
    mainTls: { onSecureConnect: mainCerts.observe },
    sections: [
      {
        key: 'tls',
        // Nothing to read while the config names no file (`tls.cas` is then empty too).
        pick: (c) => (namesFiles(c) ? Symbol('re-read') : null),
        apply(next) {
          materials = TlsMaterials.load(next);
        },
      },
    ],
    async close() {
      deps.bus.off('upserted', onUpserted);
      deps.bus.off('removed', onRemoved);
      grpc.closeAll();
      await pools.close();
    },
  };
}
