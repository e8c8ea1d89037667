import type { RequestListener } from 'node:http';
import { createApp, type AppDeps } from './app.js';
import { FastRoot } from './root.js';

/** The daemon's request listener: default-JSON GET / from the cached bytes, the rest through Koa. */
export interface Handler extends RequestListener {
  fastRoot: FastRoot;
}

export function createHandler(deps: AppDeps): Handler {
  const koa = createApp(deps).callback();
  const fastRoot = new FastRoot(deps.dialects);
  const handler: RequestListener = (req, res) => {
    if (!fastRoot.handle(req, res)) void koa(req, res);
  };
  return Object.assign(handler, { fastRoot });
}
