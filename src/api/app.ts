import { hostname } from 'node:os';
import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Monitor } from '../monitor.js';
import type { Registry } from '../registry/registry.js';
import { errorMiddleware } from './error-middleware.js';
import { jsonBody } from './body.js';
import { SummaryBody } from './summary-body.js';
import { checksRoutes } from './routes-checks.js';
import { historyRoutes } from './routes-history.js';
import { prefersHtml, serveStatusPage } from './status-page.js';
import type { HistoryStore } from '../history/store.js';
import type { Notifier } from '../integrations/notify/notifier.js';
import { stateRoutes } from './routes-state.js';

/** What the HTTP API needs; the daemon builds the real ones, tests their own. */
export interface AppDeps {
  monitor: Monitor;
  registry: Registry;
  logger: Logger;
  now: () => number;
  /** Transition history; without it /history and /checks/:id/history are absent. */
  history?: HistoryStore;
  /** Webhook notifications; read for its `stats` (delivery counters). */
  notifier?: Notifier;
  /** Shown on the status page; default os.hostname(). */
  hostname?: string;
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
  const page = { ...deps, hostname: deps.hostname ?? hostname() };
  router.get('/', (ctx) => {
    // Browsers get the HTML status page; everything else keeps the JSON below.
    if (prefersHtml(ctx)) return serveStatusPage(ctx, page, httpCodeFor(deps.monitor.summary().status));
    ctx.status = httpCodeFor(deps.monitor.summary().status);
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Vary', 'Accept');
    ctx.body = summary.get();
  });

  checksRoutes(router, deps);
  if (deps.history) historyRoutes(router, { ...deps, history: deps.history });
  stateRoutes(router, deps);

  app.use(errorMiddleware(deps.logger));
  app.use(jsonBody);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
