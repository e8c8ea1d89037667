import type { HostSummary } from '../summary/host-summary.js';
import type { EventBus } from '../table/events.js';
import type { Maintenance } from './maintenance.js';

/**
 * Maintenance changes what the host serves (Critical while on), so entering and lifting it are
 * host transitions like any other: history records them and webhooks hear of them.
 */
export function announceMaintenance(
  maintenance: Maintenance,
  checks: HostSummary,
  bus: EventBus,
  now: () => number,
): void {
  let on = maintenance.current() !== undefined;
  maintenance.events.on('changed', (state) => {
    const s = checks.summary();
    if (state && !on && s.status !== 'Critical') {
      bus.emit('transition', {
        check: null,
        from: s.status,
        to: 'Critical',
        message: `maintenance: ${state.reason}`,
        at: now(),
      });
    } else if (!state && on && s.status !== 'Critical') {
      bus.emit('transition', {
        check: null,
        from: 'Critical',
        to: s.status,
        message: `maintenance lifted; ${s.message}`,
        at: now(),
      });
    }
    on = state !== undefined;
  });
}
