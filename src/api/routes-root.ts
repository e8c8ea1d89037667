import Router from '@koa/router';
import type { AppDeps } from './app.js';
import { Negotiator } from './negotiate.js';

/** GET / and HEAD /: the host status, in the representation the client asked for. */
export function rootRoutes(router: Router, deps: AppDeps): void {
  const { host, http, representations } = deps.dialects;
  const negotiator = new Negotiator(host, deps.now, representations);
  const cacheControl = http.cacheMaxAge === undefined ? 'no-store' : `max-age=${Math.floor(http.cacheMaxAge / 1000)}`;
  router.get('/', (ctx) => {
    const r = negotiator.choose(ctx);
    const body = negotiator.body(r);
    ctx.status = http.statusCodes[host.summary().status];
    ctx.type = r.type;
    ctx.set('Cache-Control', cacheControl);
    ctx.set('Vary', 'Accept');
    ctx.body = body;
  });
}
