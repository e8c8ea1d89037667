import type { Dispatcher } from 'undici';
import type { HttpCheck } from '../checks/definition.js';
import { describeTransportError } from './transport-error.js';
import { interpretJson } from './interpret.js';
import type { Result } from './result.js';

/** Most bytes of a response body read per poll (64 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpProbeDeps {
  dispatcher: Dispatcher;
  now: () => number;
}

type Body = AsyncIterable<Buffer> & { destroy(err?: Error): unknown; on(event: 'error', fn: () => void): unknown };

// A destroyed undici body emits 'error'; with no listener that would crash the daemon.
function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(body: Body, cap: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > cap) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function redirectMessage(code: number, location: string | string[] | undefined): string {
  const where = Array.isArray(location) ? location[0] : location;
  if (!where) return `HTTP ${code} redirect not followed`;
  const shown = where.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `HTTP ${code}: redirect to ${shown.length > 200 ? `${shown.slice(0, 199)}…` : shown} not followed`;
}

/** Polls a JSON status URL within the signal's deadline. Never throws. */
export async function probeHttp(check: HttpCheck, signal: AbortSignal, deps: HttpProbeDeps): Promise<Result> {
  const at = deps.now();
  const started = performance.now();
  const done = (r: Omit<Result, 'latencyMs' | 'at'>): Result => ({ ...r, latencyMs: Math.round(performance.now() - started), at });
  let body: Body | undefined;
  try {
    const res = await deps.dispatcher.request({
      origin: check.target.origin,
      path: `${check.target.pathname}${check.target.search}`,
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'megaphone' },
      signal,
    });
    body = res.body as unknown as Body;
    if (res.statusCode >= 300 && res.statusCode < 400) {
      // Following redirects would let a target send the poll anywhere (SSRF): report it instead.
      discard(body);
      return done({ status: 'Critical', message: redirectMessage(res.statusCode, res.headers.location), httpStatus: res.statusCode });
    }
    const text = await readCapped(body, MAX_BODY_BYTES);
    const httpStatus = res.statusCode;
    if (text === undefined) {
      const why = `response body over ${MAX_BODY_BYTES / 1024} KB`;
      if (httpStatus >= 200 && httpStatus < 300) return done({ status: 'Unknown', message: why, httpStatus });
      return done({ status: httpStatus === 429 ? 'Warning' : 'Critical', message: `HTTP ${httpStatus}; ${why}`, httpStatus });
    }
    return done({ ...interpretJson(httpStatus, text, check.path), httpStatus });
  } catch (err) {
    if (body) discard(body);
    return done({ status: 'Critical', ...describeTransportError(err, signal, check.timeoutMs) });
  }
}
