import type Router from '@koa/router';
import { badRequest, checkNotFound } from '../lib/errors.js';
import type { HistoryStore } from '../history/store.js';
import type { AppDeps } from './deps.js';
import { historyView } from '../history/view.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw badRequest(`\`limit\` must be an integer 1-${MAX_LIMIT}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** GET /history (the host's transitions) and GET /checks/:id/history, newest first. */
export function historyRoutes(router: Router, deps: AppDeps & { history: HistoryStore }): void {
  router.get('/history', (ctx) => {
    const limit = parseLimit(ctx.query.limit);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { history: deps.history.host(limit).map(historyView) };
  });

  router.get('/checks/:id/history', (ctx) => {
    const id = ctx.params.id as string;
    const limit = parseLimit(ctx.query.limit);
    // A removed check's history stays readable until it ages out.
    if (!deps.table.get(id) && !deps.history.has(id)) throw checkNotFound(id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { check: id, history: deps.history.forCheck(id, limit).map(historyView) };
  });
}
