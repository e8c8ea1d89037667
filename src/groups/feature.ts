import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { Blocking } from '../summary/aggregate.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';
import { Groups } from './groups.js';

/** Named groups (config `groups`), served at /groups/:name and by the agent; reloaded in place. */
export function groupsFeature(deps: {
  config: Config;
  table: CheckTable;
  bus: EventBus;
  maintenance: Maintenance;
  freshen: () => void;
  blocking: Blocking;
  /** Called after a reload replaced the groups. */
  reconfigured: () => void;
}): Feature & { groups: Groups } {
  const groups = new Groups(deps.table, deps.bus, deps.maintenance, deps.freshen, deps.blocking);
  groups.configure(deps.config.groups);
  return {
    name: 'groups',
    groups,
    sections: [
      {
        key: 'groups',
        pick: (c) => c.groups,
        apply: (next) => {
          groups.configure(next.groups);
          deps.reconfigured();
        },
      },
    ],
  };
}
