import type { CheckState } from '../table/check-state.js';

/** A loaded check whose stored `url.jsonpath` a rule now refuses (it stays Unknown, never polled). */
export interface RefusedPath {
  id: string;
  jsonpath: string;
  code: string;
  reason: string;
}

/** The checks loaded with a refused path, for one warning each at start-up. */
export function refusedPaths(states: Iterable<CheckState>): RefusedPath[] {
  const out: RefusedPath[] = [];
  for (const { check } of states) {
    if (check.kind === 'http' && check.path.refusal)
      out.push({
        id: check.id,
        jsonpath: check.path.text,
        code: check.path.refusal.code,
        reason: check.path.refusal.message,
      });
  }
  return out;
}
