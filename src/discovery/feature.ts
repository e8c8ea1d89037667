import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { CheckTable } from '../table/check-table.js';
import type { QueuedWrites } from '../registrations/pending.js';
import type { ProcReader } from './reader.js';
import { compileRules } from './rules.js';
import { DiscoveryRunner } from './runner.js';

/** Local processes as a source of checks (source "discovery"), by the config's rules. */
export function discoveryFeature(deps: {
  config: Config;
  table: CheckTable;
  /** Reads the process table; `timeoutMs` bounds one snapshot. */
  reader: (timeoutMs: number) => ProcReader;
  logger: Logger;
  now: () => number;
  /** Registrations queued to the data file (registrations/pending.ts). */
  pending: QueuedWrites;
}): Feature & { runner: DiscoveryRunner } {
  const { config, logger } = deps;
  const runner = new DiscoveryRunner({
    rules: compileRules(config.discovery.rules),
    intervalMs: config.discovery.interval,
    // A snapshot may take at most the interval (and 30 s at least) before the reader is replaced.
    reader: deps.reader(Math.max(config.discovery.interval, 30_000)),
    table: deps.table,
    defaults: config.defaults,
    maxChecks: config.limits.maxChecks,
    logger,
    now: deps.now,
    pending: deps.pending,
  });
  return {
    name: 'discovery',
    runner,
    sections: [
      {
        key: 'discovery',
        // Defaults only matter to discovery while it has rules.
        pick: (c) => (c.discovery.rules.length > 0 ? [c.discovery, c.defaults, c.limits.maxChecks] : [c.discovery]),
        apply: (next) =>
          runner.reconfigure({
            rules: compileRules(next.discovery.rules),
            intervalMs: next.discovery.interval,
            defaults: next.defaults,
            maxChecks: next.limits.maxChecks,
          }),
      },
    ],
    async start() {
      // The first snapshot is applied before the API answers, so discovered checks exist at once.
      await runner.start();
      if (config.discovery.rules.length > 0)
        logger.info({ rules: config.discovery.rules.length, checks: deps.table.size }, 'discovery started');
    },
    close: () => runner.stop(),
  };
}
