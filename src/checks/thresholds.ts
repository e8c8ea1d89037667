import type { Status } from '../status.js';

/** Flap detection settings (config `flap`). */
export interface FlapOptions {
  /** How many of the latest results are looked at; default 10. */
  window: number;
  /** A check is flapping when its raw status changed more than this many times in the window; default 5. */
  changes: number;
}

/** What thresholds and flap detection remember of a check between results. */
export interface Tracking {
  /** Results in a row that were OK / not OK. */
  okStreak: number;
  badStreak: number;
  /** Results in a row with the same raw status as the latest. */
  consecutive: number;
  /** The latest raw statuses, oldest first, at most `flap.window`. */
  recent: Status[];
  flapping: boolean;
}

export const newTracking = (): Tracking => ({ okStreak: 0, badStreak: 0, consecutive: 0, recent: [], flapping: false });

export interface Verdict {
  status: Status;
  message: string;
  tracking: Tracking;
}

function countChanges(recent: readonly Status[]): number {
  let n = 0;
  for (let i = 1; i < recent.length; i++) if (recent[i] !== recent[i - 1]) n++;
  return n;
}

/**
 * Applies one raw result to a check's effective status (HAProxy/Consul semantics): `fall` bad
 * results in a row to leave OK, `rise` OK results in a row to return to it; between bad statuses
 * it moves at once. `pending` (no trustworthy status yet) takes the raw result as it is. Pure.
 */
export function judge(
  current: { status: Status; message: string; pending: boolean },
  t: Tracking,
  raw: { status: Status; message: string },
  opts: { rise: number; fall: number; flap: FlapOptions },
): Verdict {
  const ok = raw.status === 'OK';
  const last = t.recent[t.recent.length - 1];
  // A full window of this very status stays as it is: the same (never mutated) list, not two copies per poll.
  const steady = last === raw.status && t.consecutive >= opts.flap.window && t.recent.length === opts.flap.window;
  const recent = steady ? t.recent : [...t.recent, raw.status].slice(-opts.flap.window);
  const tracking: Tracking = {
    okStreak: ok ? t.okStreak + 1 : 0,
    badStreak: ok ? 0 : t.badStreak + 1,
    consecutive: last === raw.status ? t.consecutive + 1 : 1,
    recent,
    flapping: countChanges(recent) > opts.flap.changes,
  };
  const take = { status: raw.status, message: raw.message, tracking };
  if (current.pending) return take;
  if (current.status === 'OK') return ok || tracking.badStreak >= opts.fall ? take : { ...current, tracking };
  if (!ok) return take;
  return tracking.okStreak >= opts.rise ? take : { ...current, tracking };
}
