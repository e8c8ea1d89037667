import type { Check } from '../checks/definition.js';
import type { Tracking } from '../checks/thresholds.js';
import type { Result } from '../probes/result.js';
import type { Status } from '../status.js';

/** A check and what is known of it now. */
export interface CheckState {
  check: Check;
  /** Effective status (after statusoverride). */
  status: Status;
  message: string;
  /** The last poll's result; undefined before the first. */
  result?: Result;
  /** Epoch ms of the last status transition (or of registration). */
  since: number;
  /** Epoch ms the check was (re)registered. */
  registeredAt: number;
  /** Results in a row with the same raw status as the latest. */
  consecutive: number;
  /** Changed status more than `flap.changes` times in its last `flap.window` results. */
  flapping: boolean;
  /** True while the status comes from staleness (no recent result), not from a result. */
  stale: boolean;
  /** Threshold and flap bookkeeping. */
  tracking: Tracking;
}
