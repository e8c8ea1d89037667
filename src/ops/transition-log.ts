import type { Logger } from 'pino';
import type { Feature } from '../feature.js';
import { maintenanceView, type Maintenance, type MaintenanceState } from '../maintenance/maintenance.js';
import type { CheckState } from '../table/check-state.js';
import type { EventBus, Transition } from '../table/events.js';
import { LineBudget, type Dropped } from './line-budget.js';

/** Most transition lines per check (and for the host) per minute; a flapping check's others are counted. */
export const TRANSITION_LINES_PER_MINUTE = 10;
const MINUTE = 60_000;
/** Most checks whose lines are counted at once (as limits.maxChecks' default): bounded memory. */
const MAX_TRACKED = 10_000;

export interface TransitionLogDeps {
  bus: EventBus;
  maintenance: Maintenance;
  logger: Logger;
  now: () => number;
}

// Whose lines a budget held back: a check, the host (null), or checks it could not track (undefined).
const whose = (key: string | null | undefined) =>
  key === null
    ? { fields: { scope: 'host' }, name: 'the host' }
    : key === undefined
      ? { fields: { scope: 'checks' }, name: 'other checks' }
      : { fields: { scope: 'check', check: key }, name: key };

/**
 * What an operator sees in the journal: one structured line per status transition of a check or
 * of the host (`warn` into Warning, Critical or Unknown, `info` back to OK), per registration and
 * removal once megaphone runs, and per maintenance change. Transition lines are rate-limited per
 * check; what a minute held back is reported in one line. Silences log their own lines
 * (src/silences), discovery its own adds and removals (with the pid).
 */
export function transitionLogFeature(deps: TransitionLogDeps): Feature {
  const { bus, logger, maintenance } = deps;
  const budget = new LineBudget<string | null>(TRANSITION_LINES_PER_MINUTE, MINUTE, MAX_TRACKED, deps.now);
  let started = false;

  const reportDropped = ({ key, dropped }: Dropped<string | null>) => {
    const { fields, name } = whose(key);
    logger.warn(
      { ...fields, dropped },
      `${dropped} transitions of ${name} not logged (at most ${TRANSITION_LINES_PER_MINUTE} a minute)`,
    );
  };

  const onTransition = (t: Transition) => {
    // A silence is not a status change; src/silences logs it.
    if (t.silence) return;
    const { allowed, previous } = budget.take(t.check);
    if (previous) reportDropped(previous);
    if (!allowed) return;
    const fields = {
      ...(t.check === null ? { scope: 'host' } : { scope: 'check', check: t.check }),
      from: t.from,
      to: t.to,
      message: t.message,
      ...(t.blockedBy ? { blockedBy: t.blockedBy } : {}),
    };
    const line = t.check === null ? 'host status changed' : 'check status changed';
    if (t.to === 'OK') logger.info(fields, line);
    else logger.warn(fields, line);
  };

  // Start-up loads (config, data file, discovery's first snapshot) are summed up by "registry loaded".
  const onUpserted = (state: CheckState, previous: CheckState | undefined) => {
    const { check } = state;
    if (!started || check.source === 'discovery') return;
    const what = !previous ? 'check registered' : previous === state ? 'check retimed' : 'check replaced';
    logger.info({ check: check.id, source: check.source, kind: check.kind }, what);
  };
  const onRemoved = (id: string, state: CheckState) => {
    if (state.check.source === 'discovery') return;
    logger.info({ check: id, source: state.check.source }, 'check removed');
  };

  let was: MaintenanceState | undefined = maintenance.current();
  const onMaintenance = (state: MaintenanceState | undefined) => {
    const prev = was;
    was = state;
    const view = (m: MaintenanceState) => {
      const { reason, until } = maintenanceView(m);
      return { reason, until };
    };
    if (state && !prev) logger.info(view(state), 'maintenance on');
    else if (state && prev) logger.info({ ...view(state), replaced: view(prev) }, 'maintenance changed');
    else if (prev) {
      const cause = prev.until !== undefined && prev.until <= deps.now() ? 'ttl over' : 'lifted';
      logger.info({ reason: prev.reason, cause }, 'maintenance off');
    }
  };

  bus.on('transition', onTransition);
  bus.on('upserted', onUpserted);
  bus.on('removed', onRemoved);
  maintenance.events.on('changed', onMaintenance);
  const timer = setInterval(() => budget.sweep().forEach(reportDropped), MINUTE).unref();

  return {
    name: 'transition log',
    start() {
      started = true;
    },
    close() {
      clearInterval(timer);
      bus.off('transition', onTransition);
      bus.off('upserted', onUpserted);
      bus.off('removed', onRemoved);
      maintenance.events.off('changed', onMaintenance);
      // Nothing held back goes unsaid at shutdown.
      budget.sweep(true).forEach(reportDropped);
    },
  };
}
