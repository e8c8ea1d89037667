import bodyParser from 'koa-bodyparser';
import type { Middleware } from 'koa';
import { MegaphoneError } from '../lib/errors.js';
import { MAX_BODY_DEPTH, nestedDeeperThan } from './body-depth.js';
import { hasBody } from './unread-body.js';

/** Largest request body accepted (64 KB). */
export const MAX_BODY = 64 * 1024;

const parser = bodyParser({
  enableTypes: ['json'],
  jsonLimit: `${MAX_BODY}b`,
  strict: true,
  onerror: (err: Error & { status?: number; type?: string }) => {
    // koa-bodyparser calls the next handler after onerror unless it throws.
    if (err.status === 413)
      throw new MegaphoneError(`request body is larger than ${MAX_BODY / 1024} KB`, 'E_BODY_TOO_LARGE', 413);
    throw new MegaphoneError(`request body is not valid JSON: ${err.message}`, 'E_BAD_JSON', 400);
  },
});

/** Parses JSON bodies of writes; any other content type with a body is a 415, nesting over MAX_BODY_DEPTH a 400. */
export const jsonBody: Middleware = async (ctx, next) => {
  if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') return next();
  const withBody = hasBody(ctx.req);
  if (withBody && !ctx.is('application/json', 'application/*+json')) {
    throw new MegaphoneError(
      `Content-Type must be application/json, got ${JSON.stringify(ctx.get('content-type') || 'none')}`,
      'E_UNSUPPORTED_MEDIA_TYPE',
      415,
    );
  }
  if (!withBody) return next();
  return parser(ctx, () => {
    // Deep bodies are refused before anything walks them recursively (formatting, validation, storage).
    if (nestedDeeperThan(ctx.request.body, MAX_BODY_DEPTH)) {
      throw new MegaphoneError(
        `request body nests arrays or objects deeper than ${MAX_BODY_DEPTH} levels`,
        'E_BODY_TOO_DEEP',
        400,
      );
    }
    return next();
  });
};
