import type { Silence } from '../table/check-state.js';

/** The `silenced` object of the API. */
export function silenceView(s: Silence): { reason: string; since: string; until: string | null; untilOk: boolean } {
  return {
    reason: s.reason,
    since: new Date(s.since).toISOString(),
    until: s.until === undefined ? null : new Date(s.until).toISOString(),
    untilOk: s.untilOk,
  };
}
