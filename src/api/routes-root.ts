import Router from '@koa/router';
import type { AppDeps } from './deps.js';
import { rootCacheControl } from './root.js';
import { prefersHtml, serveStatusPage } from './status-page.js';

/** GET / and HEAD /: the host status, in the representation the client asked for. */
export function rootRoutes(router: Router, deps: AppDeps): void {
  const { host, representations, negotiator } = deps;
  // The daemon answers default-JSON GET / before Koa (src/api/root.ts); keep the two alike.
  const otherTypes = representations.map((r) => r.type);
  router.get('/', (ctx) => {
    // Browsers get the HTML status page (src/api/status-page.ts); every other client, a dialect below.
    const http = deps.http();
    if (prefersHtml(ctx, otherTypes)) return serveStatusPage(ctx, deps, http.statusCodes[host.summary().status]);
    const r = negotiator.choose(ctx);
    const body = negotiator.body(r);
    ctx.status = http.statusCodes[host.summary().status];
    ctx.type = r.type;
    ctx.set('Cache-Control', rootCacheControl(http));
    ctx.set('Vary', 'Accept');
    ctx.body = body;
  });
}
