import Router from '@koa/router';
import type { AppDeps } from './deps.js';

/** GET /metrics: Prometheus text exposition. */
export function metricsRoutes(router: Router, deps: AppDeps): void {
  const { metrics } = deps;
  router.get('/metrics', async (ctx) => {
    const text = await metrics.render();
    ctx.type = metrics.contentType;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = text;
  });
}
