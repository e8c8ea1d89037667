import type { Adapter } from 'lowdb';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { TargetPolicy } from '../security/targets.js';
import type { CheckTable } from '../table/check-table.js';
import type { Thresholds } from '../table/thresholds.js';
import { ApiChecks } from './api-checks.js';
import { DataFile } from './data-file.js';

export interface RegistrationsDeps {
  config: Config;
  document: Adapter<unknown>;
  table: CheckTable;
  thresholds: Thresholds;
  targets: () => TargetPolicy;
  claimedBy: (id: string) => string | undefined;
  now: () => number;
  logger: Logger;
}

/** The data file and the API's checks in it: loaded now, retimed by a reload of `defaults`. */
export async function registrationsFeature(deps: RegistrationsDeps): Promise<Feature & { data: DataFile; api: ApiChecks }> {
  const { config, logger } = deps;
  const data = await DataFile.open(deps.document, config.dataFile);
  const api = new ApiChecks(data, deps.table, deps.thresholds, {
    defaults: config.defaults,
    maxChecks: config.limits.maxChecks,
    targets: deps.targets,
    claimedBy: deps.claimedBy,
    now: deps.now,
  });
  api.load();
  if (api.shadowed.length > 0) logger.warn({ ids: api.shadowed }, 'stored checks shadowed by config checks of the same id');
  return {
    name: 'registrations',
    data,
    api,
    sections: [
      { key: 'dataFile', pick: (c) => c.dataFile },
      {
        key: 'defaults, limits.maxChecks',
        pick: (c) => [c.defaults, c.limits.maxChecks],
        apply(next) {
          const kept = api.reconfigure({ defaults: next.defaults, maxChecks: next.limits.maxChecks });
          if (kept.length > 0) logger.warn({ ids: kept }, 'config reload: these API checks do not fit the new defaults and keep their old timing');
        },
      },
    ],
    close: () => data.drain(),
  };
}
