import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';
import { FastRoot } from './root.js';
import { admitRequest } from './admit-request.js';

/**
 * The daemon's request listener: each request counted by the admission module (one held request per
 * socket), then default-JSON GET / from the cached bytes, the rest through Koa.
 */
export interface Handler extends RequestListener {
  fastRoot: FastRoot;
  /** The Koa app behind the fast path (what answers everything but default-JSON GET /). */
  app: Koa;
}

export function createHandler(deps: AppDeps): Handler {
  const app = createApp(deps);
  const koa = app.callback();
  const fastRoot = new FastRoot(deps);
  const handler: RequestListener = (req, res) => {
    if (!admitRequest(deps.admission, req, res)) return;
    if (!fastRoot.handle(req, res)) void koa(req, res);
  };
  return Object.assign(handler, { fastRoot, app });
}
