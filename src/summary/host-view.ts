import type { Maintenance, MaintenanceState } from '../maintenance/maintenance.js';
import type { CheckState } from '../table/check-state.js';
import type { CheckTable } from '../table/check-table.js';
import type { Summary } from './aggregate.js';
import type { HostSummary } from './host-summary.js';

/** The host summary every dialect serves: the checks' summary, overridden by maintenance. */
export interface HostStatus extends Summary {
  /** Set while the host is in maintenance (status is then Critical). */
  maintenance?: MaintenanceState;
}

/**
 * A checks' summary with maintenance laid over it (Critical, "maintenance: reason" while on),
 * rebuilt only when `version` moved: the host and every group serve their summary through one.
 */
export class MaintenanceOverlay {
  private cachedVersion = -1;
  private cached: HostStatus | undefined;

  constructor(private readonly maintenance: Maintenance) {}

  apply(s: Summary, version: number): HostStatus {
    if (!this.cached || version !== this.cachedVersion) {
      const m = this.maintenance.current();
      this.cached = m ? { ...s, status: 'Critical', message: `maintenance: ${m.reason}`, maintenance: m } : s;
      this.cachedVersion = version;
    }
    return this.cached;
  }
}

/** A status served like `/`: the host's or a group's. What representations render from. */
export interface StatusView {
  summary(): HostStatus;
  /** Changes whenever anything it covers changed (a poll's time or latency too): what health+json lists. */
  readonly version: number;
  /** Changes only when the summary's status, message, counts or maintenance may have changed. */
  readonly summaryVersion: number;
  /** The checks it covers, silenced ones left out. */
  checks(): Iterable<CheckState>;
}

/** The checks of an iterable that are not silenced. */
export function* unsilenced(states: Iterable<CheckState>): Iterable<CheckState> {
  for (const s of states) if (!s.silence) yield s;
}

/**
 * What the host says now, the one read model of every dialect (GET /, the agent, /metrics, the
 * status page): the checks' summary with maintenance laid over it, cached per version.
 */
export class HostView implements StatusView {
  private readonly overlay: MaintenanceOverlay;

  constructor(
    private readonly checksSummary: HostSummary,
    readonly maintenance: Maintenance,
    private readonly table: CheckTable,
  ) {
    this.overlay = new MaintenanceOverlay(maintenance);
  }

  /** Changes whenever anything changed (both parts only ever grow). */
  get version(): number {
    return this.checksSummary.version + this.maintenance.version;
  }

  get summaryVersion(): number {
    return this.checksSummary.visible + this.maintenance.version;
  }

  summary(): HostStatus {
    // Ask the checks first (cached, cheap): their lazy staleness sweep may bump the version.
    const s = this.checksSummary.summary();
    return this.overlay.apply(s, this.summaryVersion);
  }

  checks(): Iterable<CheckState> {
    return unsilenced(this.table.all());
  }
}
