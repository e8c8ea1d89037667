import { Counter, Gauge, type Registry } from 'prom-client';
import { HOLDER_KINDS, type Admission } from '../security/admission.js';
import { REFUSAL_REASONS } from '../security/refusals.js';

/** What the admission module holds and refuses, on /metrics; labels are fixed sets (kinds, reasons). */
export function registerAdmissionMetrics(registry: Registry, admission: Admission): void {
  new Gauge({
    name: 'megaphone_connections',
    help: 'Open API and agent connections (limits.connections)',
    registers: [registry],
    collect() {
      this.set(admission.stats().sockets);
    },
  });
  new Gauge({
    name: 'megaphone_held_connections',
    help:
      'Long-lived holders by kind: hold (blocking query), stream (/events), agent, ' +
      'body (a request body still arriving)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const { held } = admission.stats();
      for (const kind of HOLDER_KINDS) this.set({ kind }, held.get(kind) ?? 0);
    },
  });
  new Counter({
    name: 'megaphone_admission_refused_total',
    help:
      'Refused by a budget: client_held (429), held_total and streams (503), client_sockets and sockets ' +
      '(a new socket closed: no idle one to close instead), pipelined (a request behind a held one: connection closed)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const { refused } = admission.stats();
      this.reset();
      for (const reason of REFUSAL_REASONS) this.inc({ reason }, refused.get(reason) ?? 0);
    },
  });
  new Counter({
    name: 'megaphone_connections_evicted_total',
    help: 'Idle connections closed to make room for a new one (a client at its share, or all at limits.connections)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(admission.stats().evicted);
    },
  });
}
