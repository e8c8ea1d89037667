import Router from '@koa/router';
import type { AppDeps } from './app.js';

/** GET /metrics: Prometheus text exposition. */
export function metricsRoutes(router: Router, deps: AppDeps): void {
  const { metrics } = deps.dialects;
  router.get('/metrics', async (ctx) => {
    const text = await metrics.render();
    ctx.type = metrics.contentType;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = text;
  });
}
