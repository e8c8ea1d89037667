import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Context, Middleware } from 'koa';
import { ConfigError, MegaphoneError } from '../lib/errors.js';
import type { Config } from '../config/schema.js';
import { isLoopback } from './addresses.js';

/** Who may write: the resolved token (if any) and whether loopback needs it too. */
export interface WritePolicy {
  token?: string;
  requireTokenOnLoopback: boolean;
  /** The peer's address; the socket's by default. Tests inject other peers here. */
  peerAddress?: (ctx: Context) => string | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Reads `auth.tokenFile` (first line) or takes `auth.token`. Errors name the file, never the token. */
export async function resolveWritePolicy(auth: Config['auth']): Promise<WritePolicy> {
  if (auth.tokenFile === undefined) return { token: auth.token, requireTokenOnLoopback: auth.requireTokenOnLoopback };
  let text: string;
  try {
    text = await readFile(auth.tokenFile, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read auth.tokenFile ${auth.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (token.length < 16)
    throw new ConfigError(
      `auth.tokenFile ${auth.tokenFile} must hold a token of at least 16 characters on its first line`,
    );
  return { token, requireTokenOnLoopback: auth.requireTokenOnLoopback };
}

function forbidden(message: string): MegaphoneError {
  return new MegaphoneError(message, 'E_FORBIDDEN', 403);
}

/**
 * Reads stay open; writes pass from loopback peers (unless `requireTokenOnLoopback`) and from
 * anyone presenting `Authorization: Bearer <token>`. Everything else is a 403.
 */
export function writeAuth(policy: WritePolicy): Middleware {
  // Compare digests: equal length whatever was sent, so timingSafeEqual never throws or leaks length.
  // The policy is read per request: a reload may rotate the token in place.
  let digested: { token: string | undefined; expected: Buffer | undefined } = { token: undefined, expected: undefined };
  const peerOf = policy.peerAddress ?? ((ctx: Context) => ctx.req.socket.remoteAddress);
  return async (ctx, next) => {
    if (READ_METHODS.has(ctx.method)) return next();
    if (digested.token !== policy.token)
      digested = { token: policy.token, expected: policy.token === undefined ? undefined : digest(policy.token) };
    const { expected } = digested;
    if (!policy.requireTokenOnLoopback && isLoopback(peerOf(ctx))) return next();
    if (!expected) throw forbidden('writes are accepted only from loopback; set auth.token to allow other clients');
    const header = ctx.get('authorization');
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw forbidden(
        header === ''
          ? 'writes need an Authorization: Bearer token'
          : 'the Authorization header must be "Bearer <token>"',
      );
    }
    if (!timingSafeEqual(digest(match[1] as string), expected)) throw forbidden('the bearer token is not valid');
    return next();
  };
}
