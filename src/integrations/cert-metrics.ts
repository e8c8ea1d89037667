import { Gauge, type Registry } from 'prom-client';
import type { CheckTable } from '../table/check-table.js';

/**
 * `megaphone_check_cert_expiry_seconds`: when the peer certificate of each TLS check's latest poll expires (Unix
 * time, as the blackbox exporter's `probe_ssl_earliest_cert_expiry`). One series per check, read from the live table
 * at scrape time: a removed check, or one whose latest poll saw no certificate, has none.
 */
export function registerCertMetrics(registry: Registry, checks: CheckTable): void {
  new Gauge({
    name: 'megaphone_check_cert_expiry_seconds',
    help: "When the peer certificate of the check's latest TLS connection expires (notAfter, Unix time in seconds)",
    labelNames: ['check'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of checks.all()) {
        const cert = s.result?.tls;
        if (cert) this.set({ check: s.check.id }, Date.parse(cert.notAfter) / 1000);
      }
    },
  });
}
