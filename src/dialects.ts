import type { Config } from './config/schema.js';
import type { Monitor } from './monitor.js';
import { Host } from './maintenance/host.js';
import { Maintenance, type SectionStore } from './maintenance/maintenance.js';
import { Metrics } from './integrations/metrics.js';
import { DEFAULT_REPRESENTATIONS, type Representation } from './api/representations.js';
import { Negotiator } from './api/negotiate.js';

/** Everything the reader-facing dialects share: maintenance, the host read model, metrics. */
export interface Dialects {
  host: Host;
  maintenance: Maintenance;
  metrics: Metrics;
  http: Config['http'];
  /** What GET / can serve; the first is the default. */
  representations: readonly Representation[];
  /** The one cache of GET /'s bytes, shared by the Koa route and the daemon's fast path. */
  negotiator: Negotiator;
  close(): void;
}

export interface DialectsOptions {
  config: Pick<Config, 'http'>;
  monitor: Monitor;
  /** The Registry (maintenance is kept in its data file). */
  store: SectionStore;
  now: () => number;
  representations?: readonly Representation[];
}

/** Builds the dialects' state; throws StorageError when the stored maintenance is unreadable. */
export function createDialects(opts: DialectsOptions): Dialects {
  const maintenance = Maintenance.load(opts.store, opts.now);
  const host = new Host(opts.monitor, maintenance);
  const metrics = new Metrics({ host });
  const representations = opts.representations ?? DEFAULT_REPRESENTATIONS;
  return {
    host,
    maintenance,
    metrics,
    http: opts.config.http,
    representations,
    negotiator: new Negotiator(host, opts.now, representations),
    close() {
      maintenance.stop();
      metrics.close();
    },
  };
}
