import Koa from 'koa';
import Router from '@koa/router';
import { errorMiddleware } from './error-middleware.js';
import { jsonBody } from './body.js';
import { finishUnreadBody } from './unread-body.js';
import { checksRoutes } from './routes-checks.js';
import { writeAuth } from '../security/write-auth.js';
import { writeTurns } from './write-turns.js';
import { historyRoutes } from './routes-history.js';
import { discoveryRoutes } from './routes-discovery.js';
import { stateRoutes } from './routes-state.js';
import { rootRoutes } from './routes-root.js';
import { maintenanceRoutes } from './routes-maintenance.js';
import { metricsRoutes } from './routes-metrics.js';
import { silenceRoutes } from './routes-silences.js';
import { groupRoutes } from './routes-groups.js';
import { eventRoutes } from './routes-events.js';
import type { AppDeps } from './deps.js';

export type { AppDeps };

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
  silenceRoutes(router, deps);
  groupRoutes(router, deps);
  eventRoutes(router, deps);
  metricsRoutes(router, deps);

  app.use(finishUnreadBody);
  app.use(errorMiddleware(deps.logger));
  app.use(writeAuth(deps.writePolicy));
  app.use(writeTurns());
  app.use(jsonBody);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
