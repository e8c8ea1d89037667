import type { Socket } from 'node:net';
import type { Context } from 'koa';
import type { ChangeFeed } from '../feed/change-feed.js';
import type { FeedWatcher } from '../feed/watcher.js';
import { durationSchema, formatDuration } from '../lib/duration.js';
import { badRequest } from '../lib/errors.js';
import type { Admission } from '../security/admission.js';
import type { BudgetError } from '../security/refusals.js';

/** How long a blocking query waits when it names no `wait` (5 min), and at most (10 min), as Consul. */
export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;
const waitSchema = durationSchema({ min: 1, max: MAX_WAIT_MS });

/** The strong ETag of a resource's content at `index` in one representation. */
export const etagOf = (index: number, variant: string) => `"${index}-${variant}"`;

/** Sets ETag and X-Megaphone-Index; answers 304 (and returns true) when If-None-Match names the ETag. */
export function conditional(ctx: Context, index: number, variant: string): boolean {
  const etag = etagOf(index, variant);
  ctx.set('ETag', etag);
  ctx.set('X-Megaphone-Index', String(index));
  const inm = ctx.get('if-none-match');
  if (inm === '') return false;
  const matches = inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
  if (!matches) return false;
  ctx.status = 304;
  ctx.body = null;
  return true;
}

function parseIndex(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) {
    throw badRequest(
      `\`index\` must be a whole number (an X-Megaphone-Index), got ${JSON.stringify(raw)}`,
      'E_BAD_INDEX',
    );
  }
  return Number(raw);
}

function parseWait(raw: unknown): number {
  if (raw === undefined) return DEFAULT_WAIT_MS;
  const parsed = waitSchema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(
      `\`wait\` must be a duration up to ${formatDuration(MAX_WAIT_MS)} like "30s", got ${JSON.stringify(raw)}`,
      'E_BAD_WAIT',
    );
  }
  return parsed.data;
}

/**
 * A blocking query's `index` and `wait`, validated; undefined when it names neither. A missing
 * index is index 0 (Consul's clients send `?wait=` alone on their first call): answered at once,
 * with the index to wait on next. Throws a 400 naming the bad one.
 */
export function parseHold(index: unknown, wait: unknown): { after: number; ms: number } | undefined {
  if (index === undefined && wait === undefined) return undefined;
  return { after: index === undefined ? 0 : parseIndex(index), ms: parseWait(wait) };
}

/** What a hold needs: the feed and its watcher, the jitter, and the admission module (one slot per held request). */
export interface HoldDeps {
  feed: ChangeFeed;
  watcher: FeedWatcher;
  random: () => number;
  admission: Admission;
}

/**
 * Holds a request while `resource`'s index is still `after`, up to `ms` plus up to 1/16 of it of
 * jitter (so many clients do not come back at once), then calls `then`. The hold takes a slot of
 * the admission module for `socket`, given back when it ends; when the socket closes first, the hold
 * is dropped and `gone` is called instead. An index that is not current is answered at once (in a
 * microtask) without a slot. Returns the error to answer with when the admission refuses the hold.
 * The one hold of the Koa routes and the fast path.
 */
export function holdResponse(
  deps: HoldDeps,
  socket: Socket,
  resource: string,
  { after, ms }: { after: number; ms: number },
  then: () => void,
  gone: () => void = () => undefined,
): BudgetError | undefined {
  deps.watcher.sync();
  if (deps.feed.index(resource) !== after) {
    queueMicrotask(then);
    return undefined;
  }
  let cancel = () => undefined as void;
  const slot = deps.admission.take(socket, 'hold', () => {
    cancel();
    gone();
  });
  if (!slot.ok) return slot.error;
  cancel = deps.feed.hold(resource, after, ms + deps.random() * (ms / 16), () => {
    slot.release();
    then();
  });
  return undefined;
}

/**
 * A blocking query (`?index=N&wait=30s`) of a Koa route: holds the request (see holdResponse), or
 * throws the admission's 429/503. A stale or missing index answers at once. When the client goes
 * away, the route answers into the closed response. The route syncs the watcher before it reads the index.
 */
export async function holdWhileUnchanged(ctx: Context, deps: HoldDeps, resource: string): Promise<void> {
  const hold = parseHold(ctx.query.index, ctx.query.wait);
  if (!hold) return;
  await new Promise<void>((resolve, reject) => {
    const refused = holdResponse(deps, ctx.req.socket, resource, hold, resolve, resolve);
    if (refused) reject(refused);
  });
}
