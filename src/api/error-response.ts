import type { ServerResponse } from 'node:http';
import type { ErrorBody } from './wire.js';
import type { MegaphoneError } from '../lib/errors.js';

/**
 * Writes a MegaphoneError as the API's JSON error (`{error, code}`) straight to node:http, for the
 * answers given before Koa (the fast path, admission refusals); `close` ends the connection after it.
 */
export function sendError(
  res: ServerResponse,
  err: MegaphoneError & { headers?: Record<string, string> },
  close = false,
): void {
  const body: ErrorBody = { error: err.message, code: err.code };
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(err.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(bytes.length),
    ...err.headers,
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(bytes);
}
