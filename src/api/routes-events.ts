import type Router from '@koa/router';
import { badRequest } from '../lib/errors.js';
import type { AppDeps } from './deps.js';

function lastEventId(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw.trim()))
    throw badRequest(`Last-Event-ID must be an event id, got ${JSON.stringify(raw)}`, 'E_BAD_INDEX');
  return Number(raw.trim());
}

/**
 * GET /events: Server-Sent Events, one `transition` event per transition of a check or of the host
 * (its history entry; `id:` its index), a comment heartbeat every 15 s. A client resuming with
 * `Last-Event-ID` (or `?lastEventId=`) first gets what it missed, from history. Each stream holds a
 * slot of the admission module (429/503 when its budgets are full), given back when its socket closes.
 */
export function eventRoutes(router: Router, deps: AppDeps): void {
  const { streams, history, admission } = deps;
  if (!history) return;
  router.get('/events', (ctx) => {
    const query = typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : undefined;
    const after = lastEventId(ctx.get('last-event-id') || query);
    const res = ctx.res;
    let forget = () => undefined as void;
    const slot = admission.take(ctx.req.socket, 'stream', () => forget());
    if (!slot.ok) throw slot.error;
    res.once('close', slot.release);
    ctx.respond = false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold events back.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: 5000\n\n`);
    forget = streams.add(res, after);
  });
}
