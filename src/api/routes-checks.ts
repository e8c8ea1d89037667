import Router from '@koa/router';
import { parseRegistration } from '../checks/registration.js';
import { notFound } from '../errors.js';
import { stateView } from '../checks/state-view.js';
import { publicUrl } from '../checks/redact.js';
import type { AppDeps } from './app.js';

/** /checks: list, read, register, delete. */
export function checksRoutes(router: Router, deps: AppDeps): void {
  router.get('/checks', (ctx) => {
    const verbose = ctx.query.verbose === '1' || ctx.query.verbose === 'true';
    if (verbose) deps.monitor.summary(); // brings staleness up to date before it is shown
    const out: Record<string, unknown> = {};
    for (const s of deps.monitor.all()) out[s.check.id] = verbose ? stateView(s) : publicUrl(s.check.url);
    ctx.body = out;
  });

  router.get('/checks/:id', (ctx) => {
    const state = deps.monitor.get(ctx.params.id as string);
    if (!state) throw notFound(`no check with id ${JSON.stringify(ctx.params.id)}`, 'E_CHECK_NOT_FOUND');
    ctx.type = 'application/json';
    if (state.result?.payload !== undefined) {
      ctx.body = state.result.payload;
    } else {
      ctx.body = JSON.stringify({ status: state.status, message: state.message });
    }
  });

  router.post('/checks', async (ctx) => {
    const reg = parseRegistration(ctx.request.body);
    const { created } = await deps.registry.register(reg);
    ctx.status = created ? 201 : 200;
    ctx.body = reg;
  });

  router.delete('/checks/:id', async (ctx) => {
    await deps.registry.remove(ctx.params.id as string);
    ctx.status = 204;
  });
}
