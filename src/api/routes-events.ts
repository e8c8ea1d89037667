import type Router from '@koa/router';
import type { ServerResponse } from 'node:http';
import type { HistoryEntry, HistoryStore } from '../history/store.js';
import { badRequest, MegaphoneError } from '../lib/errors.js';
import type { AppDeps } from './deps.js';
import { historyView } from '../history/view.js';

/** A comment line this often keeps proxies and clients from timing the stream out. */
export const HEARTBEAT_MS = 15_000;
/** Most streams open at once; more get 503 (each is a socket held). */
export const MAX_STREAMS = 1000;
/** Most transitions replayed on resume (the rest are in GET /history). */
const MAX_REPLAY = 1000;
/** A client this far behind is cut off; it resumes with Last-Event-ID. */
const MAX_BUFFERED = 1024 * 1024;

const event = (e: HistoryEntry) => `event: transition\nid: ${e.index}\ndata: ${JSON.stringify(historyView(e))}\n\n`;

/**
 * The open event streams: one heartbeat timer for all of them, and one history subscription that
 * writes each new transition to every stream. Idle streams cost nothing but their sockets.
 */
class Streams {
  private readonly open = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly history: HistoryStore) {}

  get size(): number {
    return this.open.size;
  }

  add(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => this.remove(res));
    if (this.open.size > 1) return;
    this.unsubscribe = this.history.subscribe((e) => this.send(event(e)));
    this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private remove(res: ServerResponse): void {
    this.open.delete(res);
    if (this.open.size > 0) return;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
  }

  /** Ends every stream (megaphone is stopping); clients reconnect to the next one. */
  close(): void {
    for (const res of [...this.open]) res.end();
  }

  private send(text: string): void {
    for (const res of this.open) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  }
}

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
  const { history } = deps;
  if (!history) return;
  const streams = new Streams(history);
  deps.onClose(() => streams.close());
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
    if (after !== undefined) for (const e of history.since(after, MAX_REPLAY)) res.write(event(e));
    streams.add(res);
  });
}
