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
  /** Set while the check is silenced: left out of the host's and groups' status (see src/silences). */
  silence?: Silence;
}

/** A check left out of the host's status on purpose: why, since when, until when. */
export interface Silence {
  reason: string;
  /** Epoch ms. */
  since: number;
  /** Epoch ms it lifts by itself; absent: until lifted (or until OK). */
  until?: number;
  /** Lifts once the check reads OK. */
  untilOk: boolean;
}
