import { hostname } from 'node:os';
import { createGuardedAgent } from '../security/connect-guard.js';
import { compileTargetPolicy, type TargetPolicy } from '../security/targets.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Monitor } from '../monitor.js';
import type { Registry } from '../registry/registry.js';
import { HistoryStore } from '../history/store.js';
import { fileStorage } from '../storage/file.js';
import { Notifier } from '../integrations/notify/notifier.js';
import { applyReload, restartOnlySections, type ReloadOutcome, type ReloadSection } from './reload.js';
import { systemdNotifier } from './systemd-notify.js';
import { configChecksSection } from './reload-checks.js';

export interface Operations {
  history: HistoryStore;
  notifier: Notifier;
  /** Tells systemd we are ready (listening, registry loaded) and enables reloads that touch the registry. */
  ready(registry: Registry): void;
  reload(next: Config): Promise<ReloadOutcome>;
  /** Lets the daemon plug in what else a reload applies (config `checks`, `discovery`, dialect settings). */
  addReloadSection(section: ReloadSection): void;
  stopping(): void;
  close(): Promise<void>;
}

/** Builds history, notifications, systemd readiness and the reload sections for the daemon. */
export async function wireOperations(deps: { config: Config; logger: Logger; now: () => number; monitor: Monitor; env: NodeJS.ProcessEnv; hostname?: string; targets?: TargetPolicy }): Promise<Operations> {
  const { logger, now, monitor } = deps;
  const history = await HistoryStore.open(fileStorage(deps.config.dataFile).log('history'), deps.config.history, { logger, now });
  // Webhooks get their own pool: a hanging receiver must not hold connections that polls need.
  // Webhooks follow the check target rules (targets.allow) at connect time; redirects are not followed.
  const webhookDispatcher = createGuardedAgent(deps.targets ?? compileTargetPolicy(deps.config.targets.allow), { keepAliveTimeout: 10_000, connections: 2, connectTimeout: 5_000 });
  const notifier = new Notifier({
    dispatcher: webhookDispatcher,
    logger,
    now,
    hostname: deps.hostname ?? hostname(),
    currentMessage: (check) => (check === null ? monitor.summary().message : monitor.get(check)?.message),
  });
  notifier.configure(deps.config.notify);
  monitor.events.on('transition', (t) => {
    history.record(t);
    notifier.onTransition(t);
  });
  monitor.events.on('removed', (id) => notifier.onRemoved(id));
  const systemd = systemdNotifier(deps.env, logger);

  let registry: Registry | undefined;
  let current = deps.config;
  let reloading: Promise<unknown> = Promise.resolve();
  // What a reload can apply, in order; the daemon adds config `checks`, `discovery` and dialect sections.
  const sections: ReloadSection[] = [
    ...restartOnlySections(logger),
    {
      name: 'defaults/limits',
      pick: (c) => [c.defaults, c.limits.maxChecks],
      apply(next) {
        const kept = registry?.reconfigure({ defaults: next.defaults, maxChecks: next.limits.maxChecks }) ?? [];
        if (kept.length > 0) logger.warn({ ids: kept }, 'config reload: these API checks do not fit the new defaults and keep their old timing');
      },
    },
    configChecksSection(monitor, logger),
    { name: 'history', pick: (c) => c.history, apply: (next) => history.reconfigure(next.history) },
    { name: 'notify', pick: (c) => c.notify, apply: (next) => notifier.configure(next.notify) },
  ];

  return {
    history,
    notifier,
    ready(r) {
      registry = r;
      systemd.ready();
    },
    reload(next) {
      const run = reloading.then(async () => {
        const outcome = await applyReload(sections, current, next, logger);
        // Keep what only a restart applies as it runs, so the next reload still says so.
        current = { ...next, listen: current.listen, dataFile: current.dataFile, flap: current.flap, limits: { ...next.limits, concurrentPolls: current.limits.concurrentPolls } };
        return outcome;
      });
      reloading = run.catch(() => undefined);
      return run;
    },
    addReloadSection: (section) => sections.push(section),
    stopping: () => systemd.stopping(),
    async close() {
      systemd.close();
      notifier.close();
      await history.close();
      await webhookDispatcher.destroy();
    },
  };
}
