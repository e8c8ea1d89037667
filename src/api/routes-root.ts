import Router from '@koa/router';
import type { Context } from 'koa';
import { HOST_RESOURCE } from '../feed/watcher.js';
import type { AppDeps } from './deps.js';
import { holdWhileUnchanged } from './feed-http.js';
import { serveStatus } from './serve-status.js';
import { prefersHtml, serveStatusPage } from './status-page.js';

/** Methods `/` answers; OPTIONS lists them in `Allow`. */
export const STATUS_METHODS = 'GET, HEAD, OPTIONS';

/**
 * GET, HEAD and OPTIONS /: the host status, in the representation the client asked for. Each
 * carries the host's HTTP code: HAProxy's bare `option httpchk` sends `OPTIONS /`. `?index=&wait=`
 * holds the request until the status changes (a blocking query).
 */
export function rootRoutes(router: Router, deps: AppDeps): void {
  const { host, representations, negotiator, feed, watcher } = deps;
  // The daemon answers default-JSON GET / before Koa (src/api/root.ts); keep the two alike.
  const otherTypes = representations.map((r) => r.type);
  const answer = async (ctx: Context) => {
    await holdWhileUnchanged(ctx, deps, HOST_RESOURCE);
    watcher.sync();
    serveStatus(ctx, host, negotiator, deps.http(), feed.index(HOST_RESOURCE));
  };
  router.get('/', async (ctx) => {
    // Browsers get the HTML status page (src/api/status-page.ts); every other client, a dialect below.
    if (prefersHtml(ctx, otherTypes)) return serveStatusPage(ctx, deps, deps.http().statusCodes[host.summary().status]);
    await answer(ctx);
  });
  router.options('/', async (ctx) => {
    await answer(ctx);
    ctx.set('Allow', STATUS_METHODS);
  });
}
