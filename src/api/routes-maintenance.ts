import Router from '@koa/router';
import { z } from 'zod';
import { badRequest } from '../lib/errors.js';
import { formatIssue } from '../lib/format-issue.js';
import { maintenanceView } from '../maintenance/maintenance.js';
import type { AppDeps } from './deps.js';
import { holdTtlSchema, reasonSchema } from './hold.js';

const putSchema = z.strictObject({ reason: reasonSchema, ttl: holdTtlSchema.optional() });

function parsePut(body: unknown): z.output<typeof putSchema> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object {"reason": "...", "ttl"?: "10m"}');
  }
  const parsed = putSchema.safeParse(body);
  if (!parsed.success) throw badRequest(formatIssue(parsed.error, body));
  return parsed.data;
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
    // src/ops/transition-log.ts logs every maintenance change, expiry included.
    const { state, created } = await maintenance.enter(reason, ttl);
    ctx.status = created ? 201 : 200;
    ctx.body = { maintenance: maintenanceView(state) };
  });

  router.delete('/maintenance', async (ctx) => {
    await maintenance.lift();
    ctx.status = 204;
  });
}
