import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Monitor } from '../monitor.js';
import type { Registry } from '../registry/registry.js';
import { errorMiddleware } from './error-middleware.js';
import { jsonBody } from './body.js';
import { finishUnreadBody } from './unread-body.js';
import { checksRoutes } from './routes-checks.js';
import { writeAuth, type WritePolicy } from '../security/write-auth.js';
import { historyRoutes } from './routes-history.js';
import type { HistoryStore } from '../history/store.js';
import type { Notifier } from '../integrations/notify/notifier.js';
import { discoveryRoutes, type DiscoveryViewer } from './routes-discovery.js';
import { stateRoutes } from './routes-state.js';
import { rootRoutes } from './routes-root.js';
import { maintenanceRoutes } from './routes-maintenance.js';
import { metricsRoutes } from './routes-metrics.js';
import type { Dialects } from '../dialects.js';

/** What the HTTP API needs; the daemon builds the real ones, tests their own. */
export interface AppDeps {
  monitor: Monitor;
  registry: Registry;
  logger: Logger;
  now: () => number;
  /** Who may write; default: loopback peers only, no token. */
  writePolicy?: WritePolicy;
  /** The discovery runner, for GET /discovery; absent means no rules. */
  discovery?: DiscoveryViewer;
  /** Maintenance, the host read model, metrics and http options (see src/dialects.ts). */
  dialects: Dialects;
  /** Transition history; without it /history and /checks/:id/history are absent. */
  history?: HistoryStore;
  /** Webhook notifications; read for its `stats` (delivery counters). */
  notifier?: Notifier;
  /** Shown on the status page; default os.hostname(). */
  hostname?: string;
}

/** Builds the Koa app. It never listens; the daemon (or a test) does. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;

  const router = new Router();
  rootRoutes(router, deps);
  checksRoutes(router, deps);
  if (deps.history) historyRoutes(router, { ...deps, history: deps.history });
  discoveryRoutes(router, deps);
  stateRoutes(router, deps);
  maintenanceRoutes(router, deps);
  metricsRoutes(router, deps);

  app.use(finishUnreadBody);
  app.use(errorMiddleware(deps.logger));
  app.use(writeAuth(deps.writePolicy ?? { requireTokenOnLoopback: false }));
  app.use(jsonBody);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
