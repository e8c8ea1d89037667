import Router from '@koa/router';
import { z } from 'zod';
import { durationSchema } from '../lib/duration.js';
import { badRequest } from '../lib/errors.js';
import { maintenanceView } from '../maintenance/maintenance.js';
import type { AppDeps } from './deps.js';

/** Longest maintenance ttl: a forgotten drain must end (30 days). */
export const MAX_MAINTENANCE_TTL = 30 * 24 * 3600 * 1000;

const putSchema = z.strictObject({
  reason: z.string().trim().min(1).max(256).regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line without control characters'),
  ttl: durationSchema({ min: 1, max: MAX_MAINTENANCE_TTL }).optional(),
});

function parsePut(body: unknown): z.output<typeof putSchema> {
  if (body === undefined) throw badRequest('request body must be JSON {"reason": "...", "ttl"?: "10m"}');
  const parsed = putSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw badRequest(`${field}: ${issue?.message ?? 'invalid'}`);
}

/** GET/PUT/DELETE /maintenance: drain the host on purpose, durably, optionally for a while. */
export function maintenanceRoutes(router: Router, deps: AppDeps): void {
  const { maintenance } = deps;
  router.get('/maintenance', (ctx) => {
    const m = maintenance.current();
    ctx.body = { maintenance: m ? maintenanceView(m) : null };
  });

  router.put('/maintenance', async (ctx) => {
    const { reason, ttl } = parsePut(ctx.request.body);
    const { state, created } = await maintenance.enter(reason, ttl);
    deps.logger.info({ reason, until: state.until }, 'maintenance on');
    ctx.status = created ? 201 : 200;
    ctx.body = { maintenance: maintenanceView(state) };
  });

  router.delete('/maintenance', async (ctx) => {
    if (await maintenance.lift()) deps.logger.info('maintenance off');
    ctx.status = 204;
  });
}
