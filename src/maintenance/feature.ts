import type { Feature } from '../feature.js';
import type { HostSummary } from '../summary/host-summary.js';
import type { EventBus } from '../table/events.js';
import { announceMaintenance } from './announce.js';
import { Maintenance, type SectionStore } from './maintenance.js';

/** Host maintenance, kept in the data file; entering and lifting it are host transitions. */
export function maintenanceFeature(deps: {
  store: SectionStore;
  checks: HostSummary;
  bus: EventBus;
  now: () => number;
}): Feature & { maintenance: Maintenance } {
  // Throws StorageError when the stored maintenance is unreadable: start-up stops.
  const maintenance = Maintenance.load(deps.store, deps.now);
  announceMaintenance(maintenance, deps.checks, deps.bus, deps.now);
  return { name: 'maintenance', maintenance, close: () => maintenance.stop() };
}
