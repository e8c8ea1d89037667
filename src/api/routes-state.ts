import Router from '@koa/router';
import { z } from 'zod';
import { normalizeStatus } from '../status.js';
import { badRequest, notFound } from '../errors.js';
import { stateView } from '../checks/state-view.js';
import { MAX_MESSAGE_LENGTH } from '../probes/result.js';
import { formatIssue } from '../config/format-issues.js';
import type { AppDeps } from './app.js';

const reportSchema = z.strictObject({
  status: z.string().refine((v) => normalizeStatus(v) !== undefined, { message: 'must be OK, Warning, Critical or Unknown (or pass/warn/fail, passing/warning/critical)' }),
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
});

/** /checks/:id/state (read) and /checks/:id/status (push reports). */
export function stateRoutes(router: Router, deps: AppDeps): void {
  router.get('/checks/:id/state', (ctx) => {
    const state = deps.monitor.get(ctx.params.id as string);
    if (!state) throw notFound(`no check with id ${JSON.stringify(ctx.params.id)}`, 'E_CHECK_NOT_FOUND');
    deps.monitor.summary(); // brings staleness up to date before it is shown
    ctx.body = stateView(state);
  });

  router.put('/checks/:id/status', async (ctx) => {
    const body: unknown = ctx.request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('request body must be a JSON object {"status", "message"?}');
    const parsed = reportSchema.safeParse(body);
    if (!parsed.success) throw badRequest(formatIssue(parsed.error, body));
    const id = ctx.params.id as string;
    await deps.registry.report(id, normalizeStatus(parsed.data.status)!, parsed.data.message ?? '');
    ctx.body = stateView(deps.monitor.get(id)!);
  });
}
