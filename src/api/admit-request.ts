import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission } from '../security/admission.js';
import { sendError } from './error-response.js';
import { hasBody } from './unread-body.js';

/** A request body still arriving this long after its headers holds a slot of the admission module. */
export const SLOW_BODY_MS = 1000;

// A body that is slow to arrive holds its socket like a held request: it takes a slot until it has
// arrived. Refused, the request is answered 429/503 at once and its connection closed.
function watchSlowBody(admission: Admission, req: IncomingMessage, res: ServerResponse): void {
  const timer = setTimeout(() => {
    if (req.complete || req.socket.destroyed) return;
    const slot = admission.take(req.socket, 'body');
    if (!slot.ok) {
      if (res.headersSent) req.socket.destroy();
      else sendError(res, slot.error, true);
      return;
    }
    req.once('end', slot.release);
    req.once('close', slot.release);
    res.once('close', slot.release);
  }, SLOW_BODY_MS);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}

/**
 * True for a request that may be held: `/events`, or a blocking query (`index` or `wait`) of a read.
 * Decided before Koa runs, so that requests pipelined behind it are refused before any of them is.
 */
export function mayHold(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') return false;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q === -1) return url === '/events';
  return url.startsWith('/events?') || /[?&](index|wait)=/.test(url.slice(q));
}

/**
 * Counts a request against its socket in the admission module before anything answers it; false
 * when the request must not be answered (its socket is closed: it came behind one that may be held).
 */
export function admitRequest(admission: Admission, req: IncomingMessage, res: ServerResponse): boolean {
  const end = admission.begin(req.socket, mayHold(req));
  if (!end) return false;
  res.once('close', end);
  if (hasBody(req)) watchSlowBody(admission, req, res);
  return true;
}
