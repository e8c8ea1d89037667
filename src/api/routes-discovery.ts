import type Router from '@koa/router';
import type { DiscoveryView } from '../discovery/runner.js';
import type { AppDeps } from './deps.js';

export interface DiscoveryViewer {
  view(): DiscoveryView;
}

/** GET /discovery: each rule, the checks it made (source "discovery") and the last snapshot. */
export function discoveryRoutes(router: Router, deps: AppDeps): void {
  router.get('/discovery', (ctx) => {
    ctx.body = deps.discovery?.view() ?? { interval: null, lastSnapshot: null, rules: [] };
  });
}
