import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Feature } from '../../feature.js';
import type { EventBus } from '../../table/events.js';
import { Notifier, type NotifierChecks } from './notifier.js';

/** Webhook notifications of transitions (created, ongoing, closed), on their own connection pool. */
export function notifyFeature(deps: {
  config: Config;
  bus: EventBus;
  /** Webhooks get their own pool, following `targets.allow` at connect time; redirects are not followed. */
  dispatcher: Dispatcher;
  logger: Logger;
  now: () => number;
  hostname: string;
  currentMessage: (check: string | null) => string | undefined;
  checks: NotifierChecks;
}): Feature & { notifier: Notifier } {
  const notifier = new Notifier({
    dispatcher: deps.dispatcher,
    logger: deps.logger,
    now: deps.now,
    hostname: deps.hostname,
    currentMessage: deps.currentMessage,
    checks: deps.checks,
  });
  notifier.configure(deps.config.notify);
  deps.bus.on('transition', (t) => notifier.onTransition(t));
  deps.bus.on('removed', (id) => notifier.onRemoved(id));
  return {
    name: 'notifications',
    notifier,
    sections: [{ key: 'notify', pick: (c) => c.notify, apply: (next) => notifier.configure(next.notify) }],
    async close() {
      notifier.close();
      await deps.dispatcher.destroy();
    },
  };
}
