import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';
import { FastRoot } from './root.js';

/** The daemon's request listener: default-JSON GET / from the cached bytes, the rest through Koa. */
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
    if (!fastRoot.handle(req, res)) void koa(req, res);
  };
  return Object.assign(handler, { fastRoot, app });
}
