import type Router from '@koa/router';
import { z } from 'zod';
import { badRequest, checkNotFound } from '../lib/errors.js';
import { formatIssue } from '../lib/format-issue.js';
import { silenceView } from '../silences/silences.js';
import type { AppDeps } from './deps.js';
import { holdTtlSchema, reasonSchema } from './hold.js';

const putSchema = z.strictObject({
  reason: reasonSchema,
  ttl: holdTtlSchema.optional(),
  /** Lift it once the check reads OK; default false. */
  untilOk: z.boolean().default(false),
});

/** GET/PUT/DELETE /checks/:id/silence: leave one check out of the host's status for a while. */
export function silenceRoutes(router: Router, deps: AppDeps): void {
  const { silences } = deps;
  router.get('/checks/:id/silence', (ctx) => {
    const id = ctx.params.id as string;
    const s = silences.get(id);
    if (!s && !deps.table.get(id)) throw checkNotFound(id);
    ctx.body = { check: id, silenced: s ? silenceView(s) : null };
  });

  router.put('/checks/:id/silence', async (ctx) => {
    const body: unknown = ctx.request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('request body must be a JSON object {"reason": "...", "ttl"?: "1h", "untilOk"?: false}');
    }
    const parsed = putSchema.safeParse(body);
    if (!parsed.success) throw badRequest(formatIssue(parsed.error, body));
    const id = ctx.params.id as string;
    const { silence, created } = await silences.silence(id, parsed.data.reason, {
      ttlMs: parsed.data.ttl,
      untilOk: parsed.data.untilOk,
    });
    ctx.status = created ? 201 : 200;
    ctx.body = { check: id, silenced: silenceView(silence) };
  });

  router.delete('/checks/:id/silence', async (ctx) => {
    const id = ctx.params.id as string;
    if (!silences.get(id) && !deps.table.get(id)) throw checkNotFound(id);
    await silences.lift(id);
    ctx.status = 204;
  });
}
