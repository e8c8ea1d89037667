import type { Summary } from '../aggregate.js';
import type { CheckState, Monitor } from '../monitor.js';
import type { Maintenance, MaintenanceState } from './maintenance.js';

/** The host summary every dialect serves: the checks' summary, overridden by maintenance. */
export interface HostSummary extends Summary {
  /** Set while the host is in maintenance (status is then Critical). */
  maintenance?: MaintenanceState;
}

/** One read model for every dialect (GET /, agent, metrics, CLI), cached per version. */
export class Host {
  private cachedVersion = -1;
  private cached: HostSummary | undefined;

  constructor(
    readonly monitor: Monitor,
    readonly maintenance: Maintenance,
  ) {}

  /** Changes whenever the summary may have changed (both parts only ever grow). */
  get version(): number {
    return this.monitor.version + this.maintenance.version;
  }

  summary(): HostSummary {
    const version = this.version;
    if (!this.cached || version !== this.cachedVersion) {
      const s = this.monitor.summary();
      const m = this.maintenance.current();
      this.cached = m ? { ...s, status: 'Critical', message: `maintenance: ${m.reason}`, maintenance: m } : s;
      this.cachedVersion = version;
    }
    return this.cached;
  }

  checks(): IterableIterator<CheckState> {
    return this.monitor.all();
  }
}
