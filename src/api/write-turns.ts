import type { Middleware } from 'koa';

/** Writes (POST, PUT, DELETE …) that start per turn of the event loop; default 2. */
export const WRITES_PER_TURN = 2;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Lets at most `perTurn` writes start per turn of the event loop; the rest wait, in arrival order,
 * for the next turns. 100 clients writing at once otherwise put ~15 ms of parsing and validation
 * in one turn, and `GET /` (answered as it arrives) waited behind all of it. Reads never wait here.
 */
export function writeTurns(perTurn = WRITES_PER_TURN): Middleware {
  let started = 0;
  let turnScheduled = false;
  const waiting: Array<() => void> = [];
  const nextTurn = () => {
    turnScheduled = false;
    const now = waiting.splice(0, perTurn);
    started = now.length;
    for (const go of now) go();
    if (started > 0) schedule();
  };
  const schedule = () => {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(nextTurn);
  };
  return async (ctx, next) => {
    if (READS.has(ctx.method)) return next();
    if (started < perTurn && waiting.length === 0) started++;
    else {
      schedule();
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    schedule();
    return next();
  };
}
