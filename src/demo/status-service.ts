import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeStatus } from '../status.js';
import { oneLine } from '../lib/one-line.js';
import { parseDuration } from '../lib/duration.js';

/**
 * What the demo service says: a status word (kept as written, so odd words can be tried), a message, and numbers a JSON
 * PUT added beside them (`{"status": "OK", "queue": 12}`), to try `url.thresholds` on.
 */
export interface DemoState {
  status: string;
  message: string;
  [number: string]: string | number;
}

export interface DemoService {
  /** `http://host:port/` */
  url: string;
  port: number;
  state(): DemoState;
  close(): Promise<void>;
}

/** Largest PUT body read (bytes); the demo needs a word and a short message. */
const MAX_BODY = 4096;
/** Most numbers a PUT may add, and the longest `?delay=` (to try `latency` limits). */
const MAX_NUMBERS = 8;
const MAX_DELAY_MS = 10_000;
/** A number's name: a plain word (never `__proto__`: it has no underscores in front). */
const NUMBER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** A status word: letters and `_` (OK, Critical, pass, out_of_service, or any word to see how megaphone reads it). */
const WORD = /^[A-Za-z_]{1,32}$/;

const HEALTH_WORD: Record<string, string> = { OK: 'pass', Warning: 'warn', Unknown: 'warn', Critical: 'fail' };

/** Parses a PUT body: `Critical disk full` (a word, then the message) or JSON `{"status", "message"?}`. */
export function parseDemoUpdate(body: string, contentType: string | undefined): DemoState | string {
  let status: unknown;
  let message: unknown;
  const numbers: Array<[string, number]> = [];
  if (contentType?.startsWith('application/json')) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return 'the body is not valid JSON';
    }
    if (json === null || typeof json !== 'object') return 'the body must be a JSON object {"status", "message"?}';
    ({ status, message } = json as { status?: unknown; message?: unknown });
    for (const [k, v] of Object.entries(json)) {
      if (k !== 'status' && k !== 'message' && typeof v === 'number' && NUMBER_NAME.test(k)) numbers.push([k, v]);
    }
    if (numbers.length > MAX_NUMBERS) return `at most ${MAX_NUMBERS} numbers beside the status`;
  } else {
    const text = body.trim();
    const space = text.search(/\s/);
    status = space < 0 ? text : text.slice(0, space);
    message = space < 0 ? undefined : text.slice(space + 1).trim();
  }
  if (typeof status !== 'string' || !WORD.test(status))
    return `the status must be a word like OK, Warning, Critical or Unknown, got ${JSON.stringify(status ?? '')}`;
  if (message !== undefined && typeof message !== 'string') return 'the message must be a string';
  return { status, message: oneLine(message || `set to ${status}`, 1000), ...Object.fromEntries(numbers) };
}

function send(res: ServerResponse, code: number, type: string, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// health+json: pass and warn with 200, fail with 503 (the draft's codes); `output` only when not passing.
function healthJson(state: DemoState): { code: number; body: Record<string, string> } {
  const word = HEALTH_WORD[normalizeStatus(state.status) ?? 'Unknown'] as string;
  return {
    code: word === 'fail' ? 503 : 200,
    body: word === 'pass' ? { status: word } : { status: word, output: state.message },
  };
}

/** `?delay=300ms` of a GET: how long to wait before answering (0 when absent or not a duration up to 10 s). */
function delayOf(url: string | undefined): number {
  const raw = new URLSearchParams((url ?? '').split('?')[1] ?? '').get('delay');
  const ms = raw === null ? undefined : parseDuration(raw);
  return ms !== undefined && ms <= MAX_DELAY_MS ? ms : 0;
}

/**
 * A tiny status service for trying megaphone: GET / answers `{"status", "message"}` (the seed's
 * format), GET /health the same as health+json, and PUT / changes what both say. A GET with
 * `?delay=300ms` answers that much later.
 */
export function startDemoService(opts: { host: string; port: number; initial: DemoState }): Promise<DemoService> {
  let state = opts.initial;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'PUT' && path === '/') {
      let body = '';
      let size = 0;
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        size += Buffer.byteLength(chunk);
        if (size <= MAX_BODY) body += chunk;
      });
      req.on('end', () => {
        if (size > MAX_BODY)
          return send(res, 413, 'application/json', { error: 'body over 4 KB', code: 'E_BODY_TOO_LARGE' });
        const next = parseDemoUpdate(body, req.headers['content-type']);
        if (typeof next === 'string') return send(res, 400, 'application/json', { error: next, code: 'E_VALIDATION' });
        state = next;
        send(res, 200, 'application/json', state);
      });
      return;
    }
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && (path === '/' || path === '/health')) {
      const answer = () => {
        if (path === '/') return send(res, 200, 'application/json', state);
        const h = healthJson(state);
        send(res, h.code, 'application/health+json', h.body);
      };
      const delay = delayOf(req.url);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
      return;
    }
    const known = path === '/' || path === '/health';
    res.setHeader('Connection', 'close');
    send(res, known ? 405 : 404, 'application/json', {
      error: known ? `method ${req.method} not allowed on ${path}` : `no route for ${req.method} ${path}`,
      code: known ? 'E_METHOD_NOT_ALLOWED' : 'E_NOT_FOUND',
    });
  };
  const server = createServer(onRequest);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        url: `http://${host}:${port}/`,
        port,
        state: () => state,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
