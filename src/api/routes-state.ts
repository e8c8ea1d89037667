import Router from '@koa/router';
import { z } from 'zod';
import { reportedStatusSchema } from '../status.js';
import { badRequest, checkNotFound } from '../lib/errors.js';
import { stateView } from '../checks/state-view.js';
import { MAX_MESSAGE_LENGTH } from '../probes/result.js';
import { formatIssue } from '../lib/format-issue.js';
import type { AppDeps } from './deps.js';

const reportSchema = z.strictObject({
  status: reportedStatusSchema,
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
});

/** /checks/:id/state (read) and /checks/:id/status (push reports). */
export function stateRoutes(router: Router, deps: AppDeps): void {
  router.get('/checks/:id/state', (ctx) => {
    const state = deps.table.get(ctx.params.id as string);
    if (!state) throw checkNotFound(ctx.params.id as string);
    deps.freshen();
    ctx.body = stateView(state, deps.table.blockedBy(state));
  });

  router.put('/checks/:id/status', async (ctx) => {
    const body: unknown = ctx.request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('request body must be a JSON object {"status", "message"?}');
    const parsed = reportSchema.safeParse(body);
    if (!parsed.success) throw badRequest(formatIssue(parsed.error, body));
    const id = ctx.params.id as string;
    await deps.checks.report(id, parsed.data.status, parsed.data.message ?? '');
    const state = deps.table.get(id);
    if (!state) throw checkNotFound(id);
    ctx.body = stateView(state, deps.table.blockedBy(state));
  });
}
