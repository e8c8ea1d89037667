import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from './deps.js';
import { rootCacheControl } from './root.js';
import { rootStatusCode } from './representations.js';
import { prefersHtml, serveStatusPage } from './status-page.js';

/** Methods `/` answers; OPTIONS lists them in `Allow`. */
const ROOT_METHODS = 'GET, HEAD, OPTIONS';

/**
 * GET, HEAD and OPTIONS /: the host status, in the representation the client asked for. Each
 * carries the host's HTTP code: HAProxy's bare `option httpchk` sends `OPTIONS /`.
 */
export function rootRoutes(router: Router, deps: AppDeps): void {
  const { host, representations, negotiator } = deps;
  // The daemon answers default-JSON GET / before Koa (src/api/root.ts); keep the two alike.
  const otherTypes = representations.map((r) => r.type);
  const answer = (ctx: Context) => {
    const http = deps.http();
    const r = negotiator.choose(ctx);
    const body = negotiator.body(r);
    const status = host.summary().status;
    ctx.status = rootStatusCode(r, status, http.statusCodes[status]);
    ctx.type = r.type;
    ctx.set('Cache-Control', rootCacheControl(http));
    ctx.set('Vary', 'Accept');
    ctx.body = body;
  };
  router.get('/', (ctx) => {
    // Browsers get the HTML status page (src/api/status-page.ts); every other client, a dialect below.
    if (prefersHtml(ctx, otherTypes)) return serveStatusPage(ctx, deps, deps.http().statusCodes[host.summary().status]);
    answer(ctx);
  });
  router.options('/', (ctx) => {
    answer(ctx);
    ctx.set('Allow', ROOT_METHODS);
  });
}
