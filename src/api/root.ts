import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { AppDeps } from './deps.js';
import type { Negotiator } from './negotiate.js';
import { etagOf, parseHold } from './feed-http.js';
import type { Representation } from './representations.js';
import { HOST_RESOURCE } from '../feed/watcher.js';

/** Cache-Control of GET / (`http.cacheMaxAge`, else no-store); the route and the fast path share it. */
export function rootCacheControl(http: Config['http']): string {
  return http.cacheMaxAge === undefined ? 'no-store' : `max-age=${Math.floor(http.cacheMaxAge / 1000)}`;
}

/** What the fast path reads of the app's dependencies. */
export type FastRootDeps = Pick<
  AppDeps,
  'negotiator' | 'representations' | 'http' | 'host' | 'feed' | 'watcher' | 'random'
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

/**
 * GET|HEAD / straight from node:http, before Koa: the same code, headers and bytes as the
 * Koa route (routes-root.ts), at bare node:http cost (what load balancers poll every second).
 * Only the default representation when it is the seed JSON; everything else goes to Koa.
 */
export class FastRoot {
  private readonly negotiator: Negotiator;
  private readonly enabled: boolean;
  // Rebuilt only when a reload replaced the http settings.
  private cacheControl: { http: Config['http']; value: string } | undefined;
  /** Requests answered here (the rest went to Koa); for tests and benches. */
  hits = 0;

  constructor(private readonly dialects: FastRootDeps) {
    this.negotiator = dialects.negotiator;
    this.enabled = dialects.representations[0]?.type === 'application/json';
  }

  /**
   * Answers and returns true when the request is a default-JSON GET|HEAD of exactly `/`, or a
   * blocking query of it (`/?index=N&wait=30s`: held here too, so a thousand held requests cost no
   * Koa context each, and one change answers them all at node:http cost).
   */
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
    if (url === '/') {
      this.answer(req, res);
      return true;
    }
    if (!url.startsWith('/?')) return false;
    const hold = this.holdOf(url.slice(2));
    if (!hold) return false;
    const { feed, watcher, random } = this.dialects;
    watcher.sync();
    const cancel = feed.hold(HOST_RESOURCE, hold.after, hold.ms + random() * (hold.ms / 16), () => {
      res.off('close', cancel);
      this.answer(req, res);
    });
    // The client went away: forget it (an answered request's close comes after off()).
    res.once('close', cancel);
    return true;
  }

  // A query of only `index` (and `wait`), valid: else Koa answers it (with the same 400s).
  private holdOf(query: string): { after: number; ms: number } | undefined {
    const params = new URLSearchParams(query);
    for (const key of params.keys()) if (key !== 'index' && key !== 'wait') return undefined;
    if (params.getAll('index').length !== 1 || params.getAll('wait').length > 1) return undefined;
    try {
      return parseHold(params.get('index') ?? undefined, params.get('wait') ?? undefined);
    } catch {
      return undefined;
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const first = this.dialects.representations[0] as Representation;
    const bytes = this.negotiator.body(first);
    const http = this.dialects.http();
    this.dialects.watcher.sync();
    const index = this.dialects.feed.index(HOST_RESOURCE);
    if (this.cacheControl?.http !== http) this.cacheControl = { http, value: rootCacheControl(http) };
    res.writeHead(http.statusCodes[this.dialects.host.summary().status], [
      'Content-Type',
      ROOT_CONTENT_TYPE,
      'Cache-Control',
      this.cacheControl.value,
      'Vary',
      'Accept',
      'ETag',
      etagOf(index, first.format),
      'X-Megaphone-Index',
      String(index),
      'Content-Length',
      String(bytes.length),
    ]);
    res.end(req.method === 'HEAD' ? undefined : bytes);
    this.hits++;
  }
}
