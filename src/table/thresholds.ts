import { judge, type FlapOptions } from '../checks/thresholds.js';
import type { Result } from '../probes/result.js';
import type { CheckTable } from './check-table.js';
import type { EventBus } from './events.js';

/** Default flap detection: 5 changes in the last 10 results. */
export const DEFAULT_FLAP: FlapOptions = { window: 10, changes: 5 };

/**
 * Applies each poll or push result to its check through rise/fall and flap detection
 * (checks/thresholds.ts). `flap` may be replaced by a reload; it applies from the next result.
 */
export class Thresholds {
  constructor(
    private readonly table: CheckTable,
    private readonly bus: EventBus,
    public flap: FlapOptions = DEFAULT_FLAP,
  ) {}

  /** Applies a result; `restored` (a stored push report at start-up) changes the state without a transition. */
  record(id: string, result: Result, restored = false): void {
    const state = this.table.get(id);
    if (!state) return;
    const { check } = state;
    const pending = state.result === undefined || state.stale;
    const verdict = judge({ status: state.status, message: state.message, pending }, state.tracking, result, {
      rise: check.rise,
      fall: check.fall,
      flap: this.flap,
    });
    state.result = result;
    state.stale = false;
    state.tracking = verdict.tracking;
    state.consecutive = verdict.tracking.consecutive;
    state.flapping = verdict.tracking.flapping;
    this.table.set(
      state,
      check.statusoverride ?? verdict.status,
      verdict.message,
      result.at,
      () => this.bus.emit('result', id, result, state),
      restored,
    );
  }
}
