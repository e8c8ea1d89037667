import type { Context } from 'koa';
import type { Config } from '../config/schema.js';
import type { StatusView } from '../summary/host-view.js';
import { conditional } from './feed-http.js';
import type { Negotiator } from './negotiate.js';
import { rootStatusCode } from './representations.js';
import { rootCacheControl } from './root.js';

/**
 * Answers a status the way `/` does (GET, HEAD, OPTIONS alike): the representation the client
 * asked for, with the HTTP code of its status, ETag and X-Megaphone-Index (304 for a matching
 * If-None-Match). Used by `/` and `/groups/:name`.
 */
export function serveStatus(
  ctx: Context,
  view: StatusView,
  negotiator: Negotiator,
  http: Config['http'],
  index: number,
): void {
  const r = negotiator.choose(ctx);
  const status = view.summary().status;
  ctx.status = rootStatusCode(r, status, http.statusCodes[status]);
  ctx.type = r.type;
  ctx.set('Cache-Control', rootCacheControl(http));
  ctx.set('Vary', 'Accept');
  if (conditional(ctx, index, r.format)) return;
  ctx.body = negotiator.body(r);
}
