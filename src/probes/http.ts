import type { Dispatcher } from 'undici';
import type { HttpCheck } from '../checks/definition.js';
import type { CheckTls } from '../checks/tls-spec.js';
import { describeTransportError } from '../lib/transport-error.js';
import { interpretJson } from './interpret.js';
import { statusOfCode, unreadable, type Reading } from './http-code.js';
import { interpretHealthJson } from './health-json.js';
import { matchWithin } from './match.js';
import { stopwatch, type Finding, type Result } from './result.js';
import { refusedPathMessage } from '../checks/jsonpath.js';
import type { ProbeConnections } from '../tls/connections.js';
import { httpsRoute, type HttpsRoute } from '../tls/https.js';

/** Most bytes of a response body read per poll (64 KB); also all that `match` ever scans. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpProbeDeps {
  dispatcher: Dispatcher;
  now: () => number;
  /** TLS material, pools per TLS profile and the certificates of their connections (https checks). */
  connections?: ProbeConnections;
}

/** Overruns of the `match` budget in a row after which the pattern is no longer run. */
export const MAX_MATCH_OVERRUNS = 3;

const ACCEPT: Record<HttpCheck['format'], string> = {
  json: 'application/json',
  'health+json': 'application/health+json, application/json;q=0.9',
  http: '*/*',
};

/** What one exchange gave: the code, the Location of a redirect, and the body (undefined: over the cap, unread). */
interface Exchange {
  statusCode: number;
  location?: string;
  text?: string;
}

const LOCATION = 'location';

// The first `location` of undici's raw header list (name, value, name, value …).
function locationOf(raw: Buffer[] | string[] | null): string | undefined {
  if (!raw) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer | string;
    if (name.length === LOCATION.length && name.toString('latin1').toLowerCase() === LOCATION)
      return (raw[i + 1] as Buffer | string).toString('latin1');
  }
  return undefined;
}

/**
 * One request through `dispatcher.dispatch` with a plain handler: no Readable stream, no async
 * resource, no promise per chunk (the request() API cost ~2x the CPU per poll at 10 000 checks).
 * A 3xx or a body over `cap` aborts the exchange; `signal` aborts it too. Rejects with undici's error.
 */
function exchange(
  dispatcher: Dispatcher,
  opts: Dispatcher.DispatchOptions,
  signal: AbortSignal,
  cap: number,
): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let abort: ((reason?: Error) => void) | undefined;
    let settled = false;
    let statusCode = 0;
    let size = 0;
    const chunks: Buffer[] = [];
    const onAbort = () => abort?.(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (err: unknown, value?: Exchange) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve(value as Exchange);
    };
    // Early answers (a redirect, an oversized body) stop reading: the connection is dropped, as a destroyed body did.
    const finish = (value: Exchange) => {
      settle(undefined, value);
      abort?.(STOPPED);
    };
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a: (reason?: Error) => void) {
        abort = a;
        if (signal.aborted) a(signal.reason as Error);
      },
      onHeaders(code: number, raw: Buffer[] | null) {
        if (code < 200) return true;
        statusCode = code;
        if (code >= 300 && code < 400) finish({ statusCode, location: locationOf(raw) });
        return true;
      },
      onData(chunk: Buffer) {
        if (settled) return false;
        size += chunk.length;
        if (size > cap) {
          finish({ statusCode });
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        const text =
          chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
        settle(undefined, { statusCode, text });
      },
      onError(err: Error) {
        settle(err);
      },
    } as Dispatcher.DispatchHandler;
    try {
      dispatcher.dispatch(opts, handler);
    } catch (err) {
      settle(err);
    }
  });
}

// The reason an exchange is aborted once its answer is known (never seen by a caller).
const STOPPED = Object.assign(new Error('megaphone stopped reading the response'), { code: 'STOPPED_READING' });

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
  return interpretJson(httpStatus, text, check.path, check.thresholds);
}

/** Polls a status URL within the signal's deadline, read as the check's format says. Never throws. */
export async function probeHttp(check: HttpCheck, signal: AbortSignal, deps: HttpProbeDeps): Promise<Result> {
  const done = stopwatch(deps.now);
  // A stored path that a rule now refuses could never be read: say so without polling the target.
  if (check.path.refusal)
    return done({ status: 'Unknown', message: refusedPathMessage(check.path.refusal), code: check.path.refusal.code });
  let route: HttpsRoute | undefined;
  if (check.tls && deps.connections) {
    const r = httpsRoute(check as HttpCheck & { tls: CheckTls }, deps.dispatcher, deps.connections);
    if (typeof r === 'string') return done({ status: 'Unknown', message: r });
    route = r;
  }
  try {
    // `servername` is a request option undici takes (its types omit it): the SNI, and where the certificate is kept.
    const opts: Dispatcher.DispatchOptions & { servername?: string } = {
      origin: check.target.origin,
      path: `${check.target.pathname}${check.target.search}`,
      method: check.method,
      headers: { accept: ACCEPT[check.format], 'user-agent': 'megaphone', ...check.headers },
      servername: route?.servername,
    };
    const res = await exchange(route?.dispatcher ?? deps.dispatcher, opts, signal, MAX_BODY_BYTES);
    // Judged with no await after the answer: the connection it came on is still open, its certificate on record.
    const judged = (r: Finding) => done(route ? route.judge(r, deps.now()) : r);
    const httpStatus = res.statusCode;
    if (httpStatus >= 300 && httpStatus < 400) {
      // Following redirects would let a target send the poll anywhere (SSRF): report it instead.
      return judged({ status: 'Critical', message: redirectMessage(httpStatus, res.location), httpStatus });
    }
    const text = res.text;
    if (text === undefined) {
      // The body is not read in format "http" (unless it must match), so its size does not matter.
      if (check.format === 'http' && !check.match) return judged({ ...byCode(httpStatus), httpStatus });
      const why = `response body over ${MAX_BODY_BYTES / 1024} KB`;
      return judged({ ...unreadable(httpStatus, why), httpStatus });
    }
    return judged({ ...read(check, httpStatus, text), httpStatus });
  } catch (err) {
    return done({ status: 'Critical', ...describeTransportError(err, signal, check.timeoutMs) });
  }
}
