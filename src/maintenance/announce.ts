import type { Monitor } from '../monitor.js';
import type { Maintenance } from './maintenance.js';

/**
 * Maintenance changes what the host serves (Critical while on), so entering and lifting it are
 * host transitions like any other: history records them and webhooks hear of them.
 */
export function announceMaintenance(maintenance: Maintenance, monitor: Monitor, now: () => number): void {
  let on = maintenance.current() !== undefined;
  maintenance.events.on('changed', (state) => {
    const checks = monitor.summary();
    if (state && !on && checks.status !== 'Critical') {
      monitor.events.emit('transition', { check: null, from: checks.status, to: 'Critical', message: `maintenance: ${state.reason}`, at: now() });
    } else if (!state && on && checks.status !== 'Critical') {
      monitor.events.emit('transition', { check: null, from: 'Critical', to: checks.status, message: `maintenance lifted; ${checks.message}`, at: now() });
    }
    on = state !== undefined;
  });
}
