import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import { Admission } from './admission.js';
import { budgetsFor, type Budgets } from './budgets.js';

/**
 * The admission module as a feature: budgets from `limits` and the open-file limit, logged at
 * start (with any value cut to what the open-file limit allows), applied again on reload.
 */
export function admissionFeature(deps: {
  config: Config;
  openFiles: number;
  logger: Logger;
}): Feature & { admission: Admission } {
  const budgetsOf = (limits: Config['limits']): Budgets => {
    const { budgets, notes } = budgetsFor(limits, deps.openFiles);
    for (const note of notes) deps.logger.warn(note);
    return budgets;
  };
  const admission = new Admission(budgetsOf(deps.config.limits));
  deps.logger.info({ ...admission.current, openFiles: deps.openFiles }, 'admission budgets');
  return {
    name: 'admission',
    admission,
    sections: [
      {
        key: 'limits.connectionsPerClient, limits.heldPerClient, limits.connections, limits.heldTotal',
        // The open files left to sockets depend on limits.concurrentPolls too.
        pick: ({ limits: l }) => [
          l.connectionsPerClient,
          l.heldPerClient,
          l.connections,
          l.heldTotal,
          l.concurrentPolls,
        ],
        apply: (next) => admission.configure(budgetsOf(next.limits)),
      },
    ],
  };
}
