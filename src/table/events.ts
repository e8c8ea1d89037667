import { EventEmitter } from 'node:events';
import type { Result } from '../probes/result.js';
import type { Status } from '../status.js';
import type { CheckState } from './check-state.js';

/**
 * Longest message a transition carries (the host's lists every problem: 2.5 MB at 50 000), so
 * what history, logs, webhooks and /events keep per transition is bounded.
 */
export const MAX_TRANSITION_MESSAGE = 1024;

/** A status change of one check (`check` set) or of the host (`check` null). */
export interface Transition {
  check: string | null;
  from: Status;
  to: Status;
  message: string;
  at: number;
  /** Dependencies (`dependsOn`) not OK at the time, when the check is not OK: the likely root causes. */
  blockedBy?: string[];
  /** Set when the check was silenced ("on") or its silence lifted ("off"); its status did not move. */
  silence?: 'on' | 'off';
}

/** What happens to checks; integrations (history, metrics, notifications, summaries) listen. */
export interface CheckEvents {
  /** A check was added (`previous` undefined) or replaced or retimed. */
  upserted: [state: CheckState, previous: CheckState | undefined];
  /** A check went away. */
  removed: [id: string, state: CheckState];
  /** Every poll or push result, after it was applied, before any transition it causes. */
  result: [id: string, result: Result, state: CheckState];
  /** A check's status or message changed (after its `transition`, if any). */
  changed: [state: CheckState];
  /** A check's or the host's status changed. */
  transition: [transition: Transition];
}

/** The one event bus of a megaphone: the check table and the host summary emit, everything else listens. */
export type EventBus = EventEmitter<CheckEvents>;

export function createEventBus(): EventBus {
  const bus = new EventEmitter<CheckEvents>();
  // Every feature listens once; more than this is a leak.
  bus.setMaxListeners(64);
  return bus;
}
