import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { EventBus } from '../table/events.js';
import type { AppendLog } from '../storage/types.js';
import { HistoryStore } from './store.js';

/** Transition history: every transition on the bus is recorded in a journal beside the data file. */
export async function historyFeature(deps: {
  config: Config;
  log: AppendLog;
  bus: EventBus;
  logger: Logger;
  now: () => number;
  /** Each entry's index (the change feed's). */
  nextIndex: () => number;
}): Promise<Feature & { history: HistoryStore }> {
  const history = await HistoryStore.open(deps.log, deps.config.history, {
    logger: deps.logger,
    now: deps.now,
    nextIndex: deps.nextIndex,
  });
  deps.bus.on('transition', (t) => history.record(t));
  return {
    name: 'history',
    history,
    sections: [{ key: 'history', pick: (c) => c.history, apply: (next) => history.reconfigure(next.history) }],
    close: () => history.close(),
  };
}
