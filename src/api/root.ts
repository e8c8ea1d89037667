import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { AppDeps } from './deps.js';
import type { Negotiator } from './negotiate.js';
import { etagOf, holdResponse, parseHold } from './feed-http.js';
import { sendError } from './error-response.js';
import type { Representation } from './representations.js';
import { groupResource, HOST_RESOURCE } from '../feed/watcher.js';
import type { StatusView } from '../summary/host-view.js';

/** Cache-Control of GET / (`http.cacheMaxAge`, else no-store); the route and the fast path share it. */
export function rootCacheControl(http: Config['http']): string {
  return http.cacheMaxAge === undefined ? 'no-store' : `max-age=${Math.floor(http.cacheMaxAge / 1000)}`;
}

/** What the fast path reads of the app's dependencies. */
export type FastRootDeps = Pick<
  AppDeps,
  | 'negotiator'
  | 'negotiatorFor'
  | 'representations'
  | 'http'
  | 'host'
  | 'groups'
  | 'feed'
  | 'watcher'
  | 'random'
  | 'admission'
>;

/** The Content-Type Koa sends for `ctx.type = 'application/json'`; the fast path sends the same. */
export const ROOT_CONTENT_TYPE = 'application/json; charset=utf-8';

// Accept values the negotiator answers with the default JSON: absent, anything, JSON (no q-values).
const DEFAULT_ACCEPTS = new Set(['', '*/*', 'application/json', 'application/*']);

/** True when a request to / wants the seed's JSON and nothing another format could answer. */
export function wantsDefaultJson(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  for (const part of accept.split(',')) {
    if (!DEFAULT_ACCEPTS.has(part.trim().toLowerCase())) return false;
  }
  return true;
}

/** A status the fast path serves: `/` or a group, its feed resource, and its byte cache. */
interface Served {
  view: StatusView;
  resource: string;
  negotiator: Negotiator;
}

/** A response as written, kept until what it was built from changes. */
interface Built {
  bytes: Buffer;
  index: number;
  http: Config['http'];
  code: number;
  headers: string[];
}

/**
 * GET|HEAD `/` and `/groups/:name` straight from node:http, before Koa: the same code, headers and
 * bytes as the Koa routes (routes-root.ts, routes-groups.ts), at bare node:http cost (what load
 * balancers poll every second); blocking queries of them (`?index=N&wait=30s`) are held here too,
 * so a thousand held requests cost no Koa context each. Only the default representation when it is
 * the seed JSON, and no conditional request; everything else goes to Koa.
 */
export class FastRoot {
  private readonly enabled: boolean;
  private readonly first: Representation;
  private readonly built = new WeakMap<StatusView, Built>();
  private readonly hostServed: Served;
  /** Requests answered here (the rest went to Koa); for tests and benches. */
  hits = 0;

  constructor(private readonly deps: FastRootDeps) {
    this.first = deps.representations[0] as Representation;
    this.enabled = this.first?.type === 'application/json';
    // `/` is asked for every second by every load balancer: one object, not one per request.
    this.hostServed = { view: deps.host, resource: HOST_RESOURCE, negotiator: deps.negotiator };
  }

  /** Answers (now, or once its blocking query ends) and returns true when the request is one of the fast path's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (
      !this.enabled ||
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !wantsDefaultJson(req.headers.accept) ||
      // Conditional requests (304) are Koa's.
      req.headers['if-none-match'] !== undefined
    )
      return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const served = this.servedAt(q === -1 ? url : url.slice(0, q));
    if (!served) return false;
    if (q === -1) {
      this.answer(req, res, served);
      return true;
    }
    const hold = holdOf(url.slice(q + 1));
    if (!hold) return false;
    const refused = holdResponse(this.deps, req.socket, served.resource, hold, () => this.answer(req, res, served));
    if (refused) sendError(res, refused);
    return true;
  }

  private servedAt(path: string): Served | undefined {
    if (path === '/') return this.hostServed;
    if (!path.startsWith('/groups/')) return undefined;
    let name: string;
    try {
      name = decodeURIComponent(path.slice('/groups/'.length));
    } catch {
      return undefined;
    }
    const view = this.deps.groups.get(name);
    if (!view) return undefined;
    return { view, resource: groupResource(name), negotiator: this.deps.negotiatorFor(view) };
  }

  private answer(req: IncomingMessage, res: ServerResponse, { view, resource, negotiator }: Served): void {
    const bytes = negotiator.body(this.first);
    const http = this.deps.http();
    this.deps.watcher.sync();
    const index = this.deps.feed.index(resource);
    let b = this.built.get(view);
    // Headers are built once per answer that changed, not per request.
    if (!b || b.bytes !== bytes || b.index !== index || b.http !== http) {
      b = {
        bytes,
        index,
        http,
        code: http.statusCodes[view.summary().status],
        headers: [
          'Content-Type',
          ROOT_CONTENT_TYPE,
          'Cache-Control',
          rootCacheControl(http),
          'Vary',
          'Accept',
          'ETag',
          etagOf(index, this.first.format),
          'X-Megaphone-Index',
          String(index),
          'Content-Length',
          String(bytes.length),
        ],
      };
      this.built.set(view, b);
    }
    res.writeHead(b.code, b.headers);
    res.end(req.method === 'HEAD' ? undefined : bytes);
    this.hits++;
  }
}

// A query of only `index` and `wait` (either may be missing), valid: else Koa answers it (with the same 400s).
function holdOf(query: string): { after: number; ms: number } | undefined {
  const params = new URLSearchParams(query);
  for (const key of params.keys()) if (key !== 'index' && key !== 'wait') return undefined;
  if (params.getAll('index').length > 1 || params.getAll('wait').length > 1) return undefined;
  try {
    return parseHold(params.get('index') ?? undefined, params.get('wait') ?? undefined);
  } catch {
    return undefined;
  }
}
