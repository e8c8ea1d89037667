import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { MegaphoneError } from '../lib/errors.js';

interface HttpishError {
  status?: number;
  expose?: boolean;
  message?: string;
  headers?: Record<string, string>;
  code?: string;
}

/** Every error becomes JSON `{error, code}`: MegaphoneErrors as they are, others as 500. */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        // The router leaves these bare; give them the same JSON shape as every other error.
        if (ctx.status === 404) throw new MegaphoneError(`no route for ${ctx.method} ${ctx.path}`, 'E_NOT_FOUND', 404);
        if (ctx.status === 405) {
          throw new MegaphoneError(
            `method ${ctx.method} not allowed on ${ctx.path} (allowed: ${ctx.response.get('Allow')})`,
            'E_METHOD_NOT_ALLOWED',
            405,
          );
        }
        if (ctx.status === 501)
          throw new MegaphoneError(`method ${ctx.method} not implemented`, 'E_METHOD_NOT_ALLOWED', 405);
      }
    } catch (err) {
      const e = err as HttpishError;
      if (err instanceof MegaphoneError) {
        ctx.status = err.status;
        ctx.body = { error: err.message, code: err.code };
      } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
        ctx.status = e.status;
        ctx.body = { error: e.message ?? 'bad request', code: `E_HTTP_${e.status}` };
      } else {
        logger.error({ err }, 'request failed');
        ctx.status = 500;
        ctx.body = { error: 'internal error', code: 'E_INTERNAL' };
      }
      if (e.headers) ctx.set(e.headers);
      if (ctx.status >= 500 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', '1');
    }
  };
}
