import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Monitor } from '../monitor.js';
import { SummaryBody } from './summary-body.js';

/** HTTP code of GET / per host status: Critical pulls the host from rotation. */
export function httpCodeFor(status: string): number {
  return status === 'Critical' ? 503 : 200;
}

/** The Content-Type Koa sends for `ctx.type = 'application/json'`; the fast path sends the same. */
export const ROOT_CONTENT_TYPE = 'application/json; charset=utf-8';

// Accept values that mean "the default JSON": absent, anything, or JSON itself (no q-values).
const DEFAULT_ACCEPTS = new Set(['', '*/*', 'application/json', 'application/*']);

/** True when a request to / wants the seed's JSON and nothing another format could answer. */
export function wantsDefaultJson(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  for (const part of accept.split(',')) {
    if (!DEFAULT_ACCEPTS.has(part.trim().toLowerCase())) return false;
  }
  return true;
}

/**
 * GET|HEAD / straight from node:http, before Koa: the same code, headers and bytes as the
 * Koa route, at bare node:http cost (what load balancers poll every second).
 */
export class FastRoot {
  private readonly body: SummaryBody;
  /** Requests answered here (the rest went to Koa); for tests and benches. */
  hits = 0;

  constructor(
    private readonly monitor: Monitor,
    now: () => number,
  ) {
    this.body = new SummaryBody(monitor, now);
  }

  /** Answers and returns true when the request is a default-JSON GET|HEAD of exactly `/`. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.url !== '/' || (req.method !== 'GET' && req.method !== 'HEAD') || !wantsDefaultJson(req.headers.accept)) return false;
    const bytes = this.body.get();
    res.writeHead(httpCodeFor(this.monitor.summary().status), [
      'Content-Type', ROOT_CONTENT_TYPE,
      'Cache-Control', 'no-store',
      'Content-Length', String(bytes.length),
    ]);
    res.end(req.method === 'HEAD' ? undefined : bytes);
    this.hits++;
    return true;
  }
}
