import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { TargetPolicy } from '../security/targets.js';
import type { CheckTable } from '../table/check-table.js';
import type { Thresholds } from '../table/thresholds.js';
import { ApiChecks } from './api-checks.js';
import { refusedPaths } from '../checks/refused-paths.js';
import type { DataFile } from './data-file.js';
import type { TlsMaterials } from '../tls/materials.js';
import type { PendingWrites } from './pending.js';

export interface RegistrationsDeps {
  config: Config;
  data: DataFile;
  table: CheckTable;
  pending: PendingWrites;
  thresholds: Thresholds;
  targets: () => TargetPolicy;
  claimedBy: (id: string) => string | undefined;
  now: () => number;
  logger: Logger;
  /** The CAs API checks may name. */
  materials?: () => TlsMaterials;
}

/** The API's checks in the data file: loaded now, retimed by a reload of `defaults`. */
export function registrationsFeature(deps: RegistrationsDeps): Feature & { api: ApiChecks } {
  const { config, logger, data } = deps;
  const api = new ApiChecks(data, deps.table, deps.thresholds, deps.pending, {
    defaults: config.defaults,
    maxChecks: config.limits.maxChecks,
    targets: deps.targets,
    claimedBy: deps.claimedBy,
    now: deps.now,
    materials: deps.materials,
  });
  api.load();
  // Every write refuses cycles, but a data file from before (or a config check meeting a stored one) may hold one.
  const cycles = deps.table.findCycles();
  if (cycles.length > 0)
    logger.warn(
      { cycles: cycles.slice(0, 10) },
      'dependency cycles among the loaded checks: their members count as root causes; re-register or delete one to ' +
        'break each',
    );
  if (api.shadowed.length > 0)
    logger.warn({ ids: api.shadowed }, 'stored checks shadowed by config checks of the same id');
  for (const r of refusedPaths(deps.table.all())) {
    logger.warn(r, 'stored check has a jsonpath that is now refused: it stays Unknown until registered again');
  }
  return {
    name: 'registrations',
    api,
    sections: [
      {
        key: 'defaults, limits.maxChecks',
        pick: (c) => [c.defaults, c.limits.maxChecks],
        apply(next) {
          const kept = api.reconfigure({ defaults: next.defaults, maxChecks: next.limits.maxChecks });
          if (kept.length > 0)
            logger.warn(
              { ids: kept },
              'config reload: these API checks do not fit the new defaults and keep their old timing',
            );
        },
      },
    ],
  };
}
