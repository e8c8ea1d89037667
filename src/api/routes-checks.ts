import Router from '@koa/router';
import { parseRegistration } from '../checks/spec.js';
import { checkNotFound } from '../lib/errors.js';
import { stateView } from '../checks/state-view.js';
import { publicUrl } from '../checks/redact.js';
import type { AppDeps } from './deps.js';
import { conditional } from './feed-http.js';
import { CHECKS_RESOURCE } from '../feed/watcher.js';

/** /checks: list, read, register, delete. */
export function checksRoutes(router: Router, deps: AppDeps): void {
  router.get('/checks', (ctx) => {
    const verbose = ctx.query.verbose === '1' || ctx.query.verbose === 'true';
    deps.freshen();
    deps.watcher.sync();
    // The index moves with every check added, changed or removed, and every status or message change
    // (poll times and latencies, like `/`'s date, do not count).
    if (conditional(ctx, deps.feed.index(CHECKS_RESOURCE), verbose ? 'verbose' : 'list')) return;
    // Ids are keys from outside: a null-prototype object keeps `__proto__` an ordinary key.
    const out = Object.create(null) as Record<string, unknown>;
    for (const s of deps.table.all())
      out[s.check.id] = verbose ? stateView(s, deps.table.blockedBy(s)) : publicUrl(s.check.url);
    ctx.body = out;
  });

  router.get('/checks/:id', (ctx) => {
    const state = deps.table.get(ctx.params.id as string);
    if (!state) throw checkNotFound(ctx.params.id as string);
    ctx.type = 'application/json';
    if (state.result?.payload !== undefined) {
      ctx.body = state.result.payload;
    } else {
      ctx.body = JSON.stringify({ status: state.status, message: state.message });
    }
  });

  router.post('/checks', async (ctx) => {
    const reg = parseRegistration(ctx.request.body);
    const { created } = await deps.checks.register(reg);
    ctx.status = created ? 201 : 200;
    ctx.body = reg;
  });

  router.delete('/checks/:id', async (ctx) => {
    await deps.checks.remove(ctx.params.id as string);
    ctx.status = 204;
  });
}
