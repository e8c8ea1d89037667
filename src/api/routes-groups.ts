import type Router from '@koa/router';
import type { Context } from 'koa';
import { groupResource } from '../feed/watcher.js';
import { MegaphoneError } from '../lib/errors.js';
import type { AppDeps } from './deps.js';
import { holdWhileUnchanged } from './feed-http.js';
import { STATUS_METHODS } from './routes-root.js';
import { serveStatus } from './serve-status.js';

export const groupNotFound = (name: string) =>
  new MegaphoneError(`no group named ${JSON.stringify(name)} (config \`groups\`)`, 'E_GROUP_NOT_FOUND', 404);

/** GET /groups (every group, its status and members) and GET|HEAD|OPTIONS /groups/:name (like `/`). */
export function groupRoutes(router: Router, deps: AppDeps): void {
  const { groups, feed, watcher } = deps;

  router.get('/groups', (ctx) => {
    const out = Object.create(null) as Record<string, unknown>;
    for (const g of groups.all()) {
      const s = g.summary();
      out[g.name] = {
        status: s.status,
        message: s.message,
        ...(g.minHealthy !== undefined ? { minHealthy: g.minHealthy } : {}),
        members: g.members(),
      };
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = out;
  });

  const answer = async (ctx: Context) => {
    const name = ctx.params.name as string;
    if (!groups.get(name)) throw groupNotFound(name);
    await holdWhileUnchanged(ctx, deps, groupResource(name));
    // A reload may have removed it meanwhile.
    const view = groups.get(name);
    if (!view) throw groupNotFound(name);
    watcher.sync();
    serveStatus(ctx, view, deps.negotiatorFor(view), deps.http(), feed.index(groupResource(name)));
  };
  router.get('/groups/:name', answer);
  router.options('/groups/:name', async (ctx) => {
    await answer(ctx);
    ctx.set('Allow', STATUS_METHODS);
  });
}
