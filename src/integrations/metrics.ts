import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { severity, STATUSES } from '../status.js';
import type { CheckSource } from '../checks/definition.js';
import type { Host } from '../maintenance/host.js';

/** What /metrics needs: the host read model, and a prom-client Registry of its own. */
export interface MetricsDeps {
  host: Host;
  /** Default: a fresh Registry (never the global default one). */
  registry?: Registry;
}

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const SOURCES: readonly CheckSource[] = ['api', 'config', 'discovery'];

/** Prometheus metrics of megaphone. Labels are check ids, sources and outcomes only: no URLs, no messages. */
export class Metrics {
  readonly registry: Registry;
  private readonly unsubscribe: () => void;

  constructor(deps: MetricsDeps) {
    const { host } = deps;
    const monitor = host.monitor;
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
        for (const s of monitor.all()) this.set({ check: s.check.id, source: s.check.source }, severity(s.status));
      },
    });
    new Gauge({
      name: 'megaphone_check_up',
      help: '1 when the check is OK, else 0',
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of monitor.all()) this.set({ check: s.check.id }, s.status === 'OK' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'megaphone_check_flapping',
      help: '1 while the check is flapping (changing status too often), else 0',
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of monitor.all()) this.set({ check: s.check.id }, s.flapping ? 1 : 0);
      },
    });
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
        for (const s of monitor.all()) counts.set(s.check.source, (counts.get(s.check.source) ?? 0) + 1);
        for (const [source, n] of counts) this.set({ source }, n);
      },
    });

    const latency = new Histogram({
      name: 'megaphone_poll_duration_seconds',
      help: 'How long each poll took, by check',
      labelNames: ['check'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const results = new Counter({
      name: 'megaphone_poll_results_total',
      help: 'Poll results by check and outcome (the status the poll found: ok, unknown, warning, critical)',
      labelNames: ['check', 'outcome'] as const,
      registers: [registry],
    });

    const onResult = (id: string, r: { status: string; latencyMs: number }) => {
      latency.observe({ check: id }, r.latencyMs / 1000);
      results.inc({ check: id, outcome: r.status.toLowerCase() });
    };
    const onRemoved = (id: string) => {
      latency.remove({ check: id });
      for (const s of STATUSES) results.remove({ check: id, outcome: s.toLowerCase() });
    };
    monitor.events.on('result', onResult);
    monitor.events.on('removed', onRemoved);
    this.unsubscribe = () => {
      monitor.events.off('result', onResult);
      monitor.events.off('removed', onRemoved);
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops listening to the monitor. */
  close(): void {
    this.unsubscribe();
  }
}
