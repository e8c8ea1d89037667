import type { Dispatcher } from 'undici';
import type { HttpCheck } from '../checks/definition.js';
import { describeTransportError } from '../lib/transport-error.js';
import { interpretJson } from './interpret.js';
import { statusOfCode, unreadable, type Reading } from './http-code.js';
import { interpretHealthJson } from './health-json.js';
import { matchWithin } from './match.js';
import type { Result } from './result.js';
import { refusedPathMessage } from '../checks/jsonpath.js';

/** Most bytes of a response body read per poll (64 KB); also all that `match` ever scans. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpProbeDeps {
  dispatcher: Dispatcher;
  now: () => number;
}

type Body = AsyncIterable<Buffer> & {
  destroy(err?: Error): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
};

// A destroyed undici body emits 'error'; with no listener that would crash the daemon.
function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Overruns of the `match` budget in a row after which the pattern is no longer run. */
export const MAX_MATCH_OVERRUNS = 3;

const ACCEPT: Record<HttpCheck['format'], string> = {
  json: 'application/json',
  'health+json': 'application/health+json, application/json;q=0.9',
  http: '*/*',
};

// Events, not for-await: the async iterator (and its end-of-stream watcher) per poll cost ~3 % of a busy poller.
function readCapped(body: Body, cap: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        discard(body);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.on('error', reject);
  });
}

function redirectMessage(code: number, location: string | string[] | undefined): string {
  const where = Array.isArray(location) ? location[0] : location;
  if (!where) return `HTTP ${code} redirect not followed`;
  const shown = where.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `HTTP ${code}: redirect to ${shown.length > 200 ? `${shown.slice(0, 199)}…` : shown} not followed`;
}

// Consul's rule for a body megaphone does not read: 2xx OK, 429 Warning, anything else Critical.
const byCode = (httpStatus: number): Reading => ({ status: statusOfCode(httpStatus), message: `HTTP ${httpStatus}` });

function read(check: HttpCheck, httpStatus: number, text: string): Reading {
  const m = check.match;
  if (m) {
    const hit = m.abandoned ? undefined : matchWithin(m.re, text);
    if (hit === undefined) {
      // A pattern that keeps overrunning would burn its budget on every poll: it stays off until re-registered.
      if (++m.overruns >= MAX_MATCH_OVERRUNS) m.abandoned = true;
      const off = m.abandoned ? '; disabled until the check is registered again' : '';
      return { status: 'Unknown', message: `\`match\` /${m.re.source}/ took too long on the body${off}` };
    }
    m.overruns = 0;
    if (!hit) return { status: 'Critical', message: `body does not match /${m.re.source}/ (HTTP ${httpStatus})` };
  }
  if (check.format === 'http') return byCode(httpStatus);
  if (check.format === 'health+json') return interpretHealthJson(httpStatus, text);
  return interpretJson(httpStatus, text, check.path);
}

/** Polls a status URL within the signal's deadline, read as the check's format says. Never throws. */
export async function probeHttp(check: HttpCheck, signal: AbortSignal, deps: HttpProbeDeps): Promise<Result> {
  const at = deps.now();
  const started = performance.now();
  const done = (r: Omit<Result, 'latencyMs' | 'at'>): Result => ({
    ...r,
    latencyMs: Math.round(performance.now() - started),
    at,
  });
  // A stored path that a rule now refuses could never be read: say so without polling the target.
  if (check.path.refusal)
    return done({ status: 'Unknown', message: refusedPathMessage(check.path.refusal), code: check.path.refusal.code });
  let body: Body | undefined;
  try {
    const res = await deps.dispatcher.request({
      origin: check.target.origin,
      path: `${check.target.pathname}${check.target.search}`,
      method: check.method,
      headers: { accept: ACCEPT[check.format], 'user-agent': 'megaphone', ...check.headers },
      signal,
    });
    body = res.body as unknown as Body;
    if (res.statusCode >= 300 && res.statusCode < 400) {
      // Following redirects would let a target send the poll anywhere (SSRF): report it instead.
      discard(body);
      return done({
        status: 'Critical',
        message: redirectMessage(res.statusCode, res.headers.location),
        httpStatus: res.statusCode,
      });
    }
    const httpStatus = res.statusCode;
    const text = await readCapped(body, MAX_BODY_BYTES);
    if (text === undefined) {
      // The body is not read in format "http" (unless it must match), so its size does not matter.
      if (check.format === 'http' && !check.match) return done({ ...byCode(httpStatus), httpStatus });
      const why = `response body over ${MAX_BODY_BYTES / 1024} KB`;
      return done({ ...unreadable(httpStatus, why), httpStatus });
    }
    return done({ ...read(check, httpStatus, text), httpStatus });
  } catch (err) {
    if (body) discard(body);
    return done({ status: 'Critical', ...describeTransportError(err, signal, check.timeoutMs) });
  }
}
