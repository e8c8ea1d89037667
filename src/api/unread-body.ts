import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';

/**
 * Most bytes of an unread request body discarded to keep its connection usable (8 MB); beyond, the connection closes.
 */
export const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

/** True when the request announced a body (Content-Length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

// Reads and drops the rest of the body: the parser reaches the next request on the socket.
function drain(req: IncomingMessage): void {
  let left = MAX_DRAIN_BYTES;
  req.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

/**
 * Answers given before the request body was read to its end (413, 403, 415, ...): left unread, a
 * half-read body stalls the socket, and a keep-alive client's next request on it waits for a timeout.
 * The rest of the body is drained (up to MAX_DRAIN_BYTES), or, when it is declared larger, the
 * answer says `Connection: close`. Closing is not the default: closing a socket with unread data
 * resets it, and the client may lose the answer. Must wrap every other middleware, errors included.
 */
export const finishUnreadBody: Middleware = async (ctx, next) => {
  try {
    await next();
  } finally {
    const req = ctx.req;
    if (hasBody(req) && !req.readableEnded) {
      if (Number(req.headers['content-length']) > MAX_DRAIN_BYTES) ctx.set('Connection', 'close');
      else drain(req);
    }
  }
};
