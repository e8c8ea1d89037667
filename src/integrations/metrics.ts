import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { severity, STATUSES, type Status } from '../status.js';
import { isPolled, type CheckSource } from '../checks/definition.js';
import type { CheckState } from '../table/check-state.js';
import type { HostView } from '../summary/host-view.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';
import { RenderCache } from './render-cache.js';
import type { Groups } from '../groups/groups.js';
import { registerGroupMetrics } from './group-metrics.js';
import { registerCertMetrics } from './cert-metrics.js';

/** What /metrics needs: the host read model, the checks, and a prom-client Registry of its own. */
export interface MetricsDeps {
  host: HostView;
  table: CheckTable;
  bus: EventBus;
  /** Named groups; their status and members are read at scrape time. */
  groups?: Groups;
  /** Default: a fresh Registry (never the global default one). */
  registry?: Registry;
  /** Monotonic clock in ms for the render cache (not the business clock); default performance.now. */
  now?: () => number;
  /** How long one rendered exposition is reused, in ms; default 1000 (0: only while in flight). */
  cacheMs?: number;
}

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const SOURCES: readonly CheckSource[] = ['api', 'config', 'discovery'];

/** `outcome` label values of megaphone_poll_results_total, in STATUSES order. */
const OUTCOMES = STATUSES.map((s) => s.toLowerCase());
const OUTCOME_INDEX = Object.fromEntries(STATUSES.map((s, i) => [s, i])) as Record<Status, number>;

/** Prometheus metrics of megaphone. Labels are check ids, sources and outcomes only: no URLs, no messages. */
export class Metrics {
  readonly registry: Registry;
  private readonly unsubscribe: () => void;
  private readonly cache: RenderCache;

  constructor(deps: MetricsDeps) {
    const { host, table: checks, bus, groups } = deps;
    const registry = (this.registry = deps.registry ?? new Registry());
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total fail `promtool check metrics`; their per-type siblings carry the same numbers.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);

    // Read at scrape time from the live state, so a deleted check is simply absent.
    new Gauge({
      name: 'megaphone_host_status',
      help: 'Host status: 0 OK, 1 Unknown, 2 Warning, 3 Critical (maintenance counts as Critical)',
      registers: [registry],
      collect() {
        this.set(severity(host.summary().status));
      },
    });
    new Gauge({
      name: 'megaphone_check_status',
      help: 'Check status: 0 OK, 1 Unknown, 2 Warning, 3 Critical',
      labelNames: ['check', 'source'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of checks.all()) this.set({ check: s.check.id, source: s.check.source }, severity(s.status));
      },
    });
    new Gauge({
      name: 'megaphone_check_up',
      help: '1 when the check is OK, else 0',
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of checks.all()) this.set({ check: s.check.id }, s.status === 'OK' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'megaphone_check_flapping',
      help: '1 while the check is flapping (changing status too often), else 0',
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of checks.all()) this.set({ check: s.check.id }, s.flapping ? 1 : 0);
      },
    });
    new Gauge({
      name: 'megaphone_silenced_checks',
      help: 'Checks silenced now: left out of the host and group status and of notifications',
      registers: [registry],
      collect() {
        let n = 0;
        for (const s of checks.all()) if (s.silence) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'megaphone_check_silenced',
      help: '1 while the check is silenced (only silenced checks are listed)',
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of checks.all()) if (s.silence) this.set({ check: s.check.id }, 1);
      },
    });
    if (groups) registerGroupMetrics(registry, groups);
    registerCertMetrics(registry, checks);
    new Gauge({
      name: 'megaphone_maintenance',
      help: '1 while the host is in maintenance (drained), else 0',
      registers: [registry],
      collect() {
        this.set(host.maintenance.current() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'megaphone_checks_registered',
      help: 'Checks held, by where they came from',
      labelNames: ['source'] as const,
      registers: [registry],
      collect() {
        const counts = new Map<string, number>(SOURCES.map((s) => [s, 0]));
        for (const s of checks.all()) counts.set(s.check.source, (counts.get(s.check.source) ?? 0) + 1);
        for (const [source, n] of counts) this.set({ source }, n);
      },
    });

    // One gauge sample per check: a per-check histogram was 13 series per check (1.1 MB at 1 000 checks).
    new Gauge({
      name: 'megaphone_check_latency_seconds',
      help: 'How long the latest poll of the check took',
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of checks.all()) if (s.result) this.set({ check: s.check.id }, s.result.latencyMs / 1000);
      },
    });
    // The distribution of polls by kind, never by check: a per-check histogram is 10 000 × 14 series at 10 000 checks,
    // where kinds are a handful × 14; each check's own latest time is the gauge above.
    const duration = new Histogram({
      name: 'megaphone_poll_duration_seconds',
      help: 'How long each poll took, by kind of check (http, tcp, tls, grpc, dns, command)',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    // Children bound once per kind: observe() with a label object hashes it on every poll.
    const durationOf = new Map<string, { observe(v: number): void }>();
    // Counted in a Map per result and handed to prom-client at scrape time: its inc() hashes the label set on every
    // call (a cost per poll, 1 000 a second at 10 000 checks).
    const tallies = new Map<string, number[]>();
    new Counter({
      name: 'megaphone_poll_results_total',
      help: 'Poll results by check and outcome (the status the poll found: ok, unknown, warning, critical)',
      labelNames: ['check', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [check, counts] of tallies) {
          for (let i = 0; i < OUTCOMES.length; i++) {
            const n = counts[i] as number;
            if (n > 0) this.inc({ check, outcome: OUTCOMES[i] as string }, n);
          }
        }
      },
    });

    const onResult = (id: string, r: { status: Status; latencyMs: number }, state: CheckState) => {
      // Push reports and preset statuses take no time: they are not polls.
      if (isPolled(state.check)) {
        const kind = state.check.kind;
        let child = durationOf.get(kind);
        if (!child) durationOf.set(kind, (child = duration.labels({ kind })));
        child.observe(r.latencyMs / 1000);
      }
      let counts = tallies.get(id);
      if (!counts) tallies.set(id, (counts = OUTCOMES.map(() => 0)));
      (counts[OUTCOME_INDEX[r.status]] as number)++;
    };
    const onRemoved = (id: string) => {
      tallies.delete(id);
      // A deleted check is gone from the very next scrape, not only after the cache window.
      this.cache.invalidate();
    };
    this.cache = new RenderCache(() => registry.metrics(), deps.now ?? (() => performance.now()), deps.cacheMs ?? 1000);
    bus.on('result', onResult);
    bus.on('removed', onRemoved);
    this.unsubscribe = () => {
      bus.off('result', onResult);
      bus.off('removed', onRemoved);
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; scrapes within the cache window (or during a render) share one render. */
  render(): Promise<string> {
    return this.cache.get();
  }

  /** Stops listening to the bus. */
  close(): void {
    this.unsubscribe();
  }
}
