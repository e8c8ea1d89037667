import type Router from '@koa/router';
import { MAX_STREAMS, streamEvent } from '../feed/streams.js';
import { badRequest, MegaphoneError } from '../lib/errors.js';
import type { AppDeps } from './deps.js';

/** Most transitions replayed on resume (the rest are in GET /history). */
const MAX_REPLAY = 1000;

function lastEventId(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw.trim()))
    throw badRequest(`Last-Event-ID must be an event id, got ${JSON.stringify(raw)}`, 'E_BAD_INDEX');
  return Number(raw.trim());
}

/**
 * GET /events: Server-Sent Events, one `transition` event per transition of a check or of the host
 * (its history entry; `id:` its index), a comment heartbeat every 15 s. A client resuming with
 * `Last-Event-ID` (or `?lastEventId=`) first gets what it missed, from history.
 */
export function eventRoutes(router: Router, deps: AppDeps): void {
  const { streams, history } = deps;
  if (!history) return;
  router.get('/events', (ctx) => {
    if (streams.size >= MAX_STREAMS) {
      throw new MegaphoneError(`too many event streams open (at most ${MAX_STREAMS})`, 'E_TOO_MANY_STREAMS', 503);
    }
    const query = typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : undefined;
    const after = lastEventId(ctx.get('last-event-id') || query);
    const res = ctx.res;
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
    if (after !== undefined) for (const e of history.since(after, MAX_REPLAY)) res.write(streamEvent(e));
    streams.add(res);
  });
}
