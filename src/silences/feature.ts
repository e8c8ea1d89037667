import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { DataFile } from '../registrations/data-file.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';
import { Silences } from './silences.js';

/** Check silences, kept in the data file; applied from start() on. */
export function silencesFeature(deps: {
  config: Config;
  data: DataFile;
  table: CheckTable;
  bus: EventBus;
  now: () => number;
  logger: Logger;
  /** The check is there and no queued write deletes it. */
  holds: (id: string) => boolean;
}): Feature & { silences: Silences } {
  const silences = new Silences(
    deps.data,
    deps.table,
    deps.bus,
    deps.now,
    deps.logger,
    deps.config.limits.maxChecks,
    deps.holds,
  );
  return { name: 'silences', silences, start: () => silences.start(), close: () => silences.stop() };
}
