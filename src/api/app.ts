import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Monitor } from '../monitor.js';
import type { Registry } from '../registry/registry.js';
import { errorMiddleware } from './error-middleware.js';
import { jsonBody } from './body.js';
import { SummaryBody } from './summary-body.js';
import { checksRoutes } from './routes-checks.js';
import { writeAuth, type WritePolicy } from '../security/write-auth.js';
import { stateRoutes } from './routes-state.js';

/** What the HTTP API needs; the daemon builds the real ones, tests their own. */
export interface AppDeps {
  monitor: Monitor;
  registry: Registry;
  logger: Logger;
  now: () => number;
  /** Who may write; default: loopback peers only, no token. */
  writePolicy?: WritePolicy;
}

/** HTTP code of GET / per host status: Critical pulls the host from rotation. */
function httpCodeFor(status: string): number {
  return status === 'Critical' ? 503 : 200;
}

/** Builds the Koa app. It never listens; the daemon (or a test) does. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const summary = new SummaryBody(deps.monitor, deps.now);

  const router = new Router();
  router.get('/', (ctx) => {
    ctx.status = httpCodeFor(deps.monitor.summary().status);
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = summary.get();
  });

  checksRoutes(router, deps);
  stateRoutes(router, deps);

  app.use(errorMiddleware(deps.logger));
  app.use(writeAuth(deps.writePolicy ?? { requireTokenOnLoopback: false }));
  app.use(jsonBody);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
