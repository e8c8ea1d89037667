import { EventEmitter } from 'node:events';
import type { Check } from './checks/definition.js';
import type { Result } from './probes/result.js';
import type { Scheduler } from './scheduler.js';
import type { Status } from './status.js';
import type { Summary } from './aggregate.js';
import { SummaryIndex } from './summary-index.js';
import { judge, newTracking, type FlapOptions, type Tracking } from './checks/thresholds.js';
import { expiresAfter, expiry } from './checks/staleness.js';

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

/** A status change of one check (`check` set) or of the host (`check` null). */
export interface Transition {
  check: string | null;
  from: Status;
  to: Status;
  message: string;
  at: number;
}

/** What the monitor announces; integrations (history, metrics, notifications) listen. */
export interface MonitorEvents {
  /** Every poll result, after it was applied. */
  result: [id: string, result: Result, state: CheckState];
  /** A check's or the host's status changed. */
  transition: [transition: Transition];
  /** A check was added or replaced. */
  upserted: [state: CheckState];
  /** A check went away. */
  removed: [id: string];
}

export type ProbeFn = (check: Check, signal: AbortSignal) => Promise<Result>;

export interface MonitorDeps {
  scheduler: Scheduler;
  probe: ProbeFn;
  now: () => number;
  /** Flap detection; default window 10, changes 5. */
  flap?: FlapOptions;
}

/** How often staleness and push ttls are re-evaluated (also done lazily when the summary is read). */
export const SWEEP_MS = 1000;

const PENDING_MESSAGE = 'waiting for the first poll';
const PUSH_PENDING_MESSAGE = 'waiting for the first report';

/** Checks that are never polled carry their own status: --global, and discovery's fixed checks. */
function presetOf(check: Check): { status: Status; message: string } | undefined {
  if (check.kind === 'global') return { status: check.statusoverride ?? 'Critical', message: 'host forced by the --global check' };
  if (check.kind === 'fixed') return { status: check.status, message: check.message };
  return undefined;
}

/** Holds every check's state, feeds the scheduler, and keeps the host summary current. */
export class Monitor {
  private readonly states = new Map<string, CheckState>();
  /** Counts and problems kept per change, so summary() never rescans every check. */
  private readonly index = new SummaryIndex();
  private cached: Summary | undefined;
  private hostStatus: Status | undefined;
  private changes = 0;
  readonly events = new EventEmitter<MonitorEvents>();
  private readonly flap: FlapOptions;
  private lastSweep = 0;
  /** No check can expire before this (a lower bound), so a sweep before it skips the scan of every check. */
  private quietUntil = -Infinity;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: MonitorDeps) {
    this.flap = deps.flap ?? { window: 10, changes: 5 };
  }

  /** Re-evaluates staleness and ttls every `everyMs` until stop(). */
  start(everyMs = SWEEP_MS): void {
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(), everyMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Adds or replaces a check. `keepState` (a reload that only retimed it) keeps its status and `since`. */
  upsert(check: Check, opts: { keepState?: boolean } = {}): void {
    const previous = this.states.get(check.id);
    if (opts.keepState && previous) {
      previous.check = check;
      this.mayExpireAt(previous);
      this.events.emit('upserted', previous);
      if (check.kind === 'global' || check.kind === 'push') this.deps.scheduler.unschedule(check.id);
      else this.deps.scheduler.schedule(check.id, check.intervalMs, check.timeoutMs, (signal) => this.deps.probe(check, signal));
      return;
    }
    const now = this.deps.now();
    const preset = presetOf(check);
    const state: CheckState = {
      check,
      status: preset?.status ?? 'Unknown',
      message: preset?.message ?? (check.kind === 'push' ? PUSH_PENDING_MESSAGE : PENDING_MESSAGE),
      since: now,
      registeredAt: now,
      consecutive: 0,
      flapping: false,
      stale: false,
      tracking: newTracking(),
    };
    if (previous && previous.status === state.status) state.since = previous.since;
    this.states.set(check.id, state);
    this.mayExpireAt(state);
    this.index.set(check.id, state.status, state.message);
    this.events.emit('upserted', state);
    if (previous && previous.status !== state.status) {
      this.events.emit('transition', { check: check.id, from: previous.status, to: state.status, message: state.message, at: state.since });
    }
    this.changed();
    if (preset || check.kind === 'push') this.deps.scheduler.unschedule(check.id);
    else this.deps.scheduler.schedule(check.id, check.intervalMs, check.timeoutMs, (signal) => this.deps.probe(check, signal));
  }

  remove(id: string): boolean {
    if (!this.states.delete(id)) return false;
    this.index.delete(id);
    this.deps.scheduler.unschedule(id);
    this.events.emit('removed', id);
    this.changed();
    return true;
  }

  get(id: string): CheckState | undefined {
    return this.states.get(id);
  }

  all(): IterableIterator<CheckState> {
    return this.states.values();
  }

  get size(): number {
    return this.states.size;
  }

  /** Records a poll's (or a push's) result through rise/fall; the summary changes only if status or message did. */
  onResult(id: string, result: Result): void {
    const state = this.states.get(id);
    if (!state) return;
    const { check } = state;
    const pending = state.result === undefined || state.stale;
    const verdict = judge({ status: state.status, message: state.message, pending }, state.tracking, result, { rise: check.rise, fall: check.fall, flap: this.flap });
    state.result = result;
    this.mayExpireAt(state);
    state.stale = false;
    state.tracking = verdict.tracking;
    state.consecutive = verdict.tracking.consecutive;
    state.flapping = verdict.tracking.flapping;
    // 'result' is announced before any 'transition' it causes, as integrations expect.
    this.apply(state, check.statusoverride ?? verdict.status, verdict.message, result.at, () => this.events.emit('result', id, result, state));
  }

  /** Applies what time does (push ttl expiry, staleness) to every check. Called by the timer and lazily on read. */
  sweep(): void {
    const now = this.deps.now();
    this.lastSweep = now;
    // Nothing can have expired yet: skip the scan (it cost ~1-2 % of a core per second at 10 000 checks).
    if (now <= this.quietUntil) return;
    let soonest = Infinity;
    let scanned = false;
    // Listeners called during the scan may lower the bound (mayExpireAt); keep what they set.
    this.quietUntil = Infinity;
    try {
      for (const state of this.states.values()) {
        const e = expiry(state.check, state.result?.at, state.registeredAt, now);
        if (!e) {
          soonest = Math.min(soonest, expiresAfter(state.check, state.result?.at, state.registeredAt));
          continue;
        }
        // An expired check's message (its age) changes every sweep, so the next sweep scans again.
        soonest = -Infinity;
        state.stale = e.stale;
        this.apply(state, state.check.statusoverride ?? e.status, e.message, now);
      }
      scanned = true;
    } finally {
      this.quietUntil = scanned ? Math.min(this.quietUntil, soonest) : -Infinity;
    }
  }

  // Keeps quietUntil a lower bound when a check's expiry moves (new check, new timing, a result with an old time).
  private mayExpireAt(state: CheckState): void {
    this.quietUntil = Math.min(this.quietUntil, expiresAfter(state.check, state.result?.at, state.registeredAt));
  }

  private apply(state: CheckState, status: Status, message: string, at: number, announce?: () => void): void {
    const from = state.status;
    const changed = status !== from || message !== state.message;
    if (status !== from) state.since = at;
    state.status = status;
    state.message = message;
    if (changed) this.index.set(state.check.id, status, message);
    announce?.();
    if (status !== from) this.events.emit('transition', { check: state.check.id, from, to: status, message, at });
    if (changed) this.changed();
  }

  /** Bumped whenever the summary may have changed; reading it first applies what time did. */
  get version(): number {
    this.sweepIfDue();
    return this.changes;
  }

  // A stalled loop or a stuck poll must never leave an old OK on show: re-check ages when due.
  private sweepIfDue(): void {
    if (this.deps.now() - this.lastSweep >= SWEEP_MS) this.sweep();
  }

  summary(): Summary {
    this.sweepIfDue();
    this.cached ??= this.index.summary();
    return this.cached;
  }

  private changed(): void {
    this.cached = undefined;
    this.changes++;
    if (this.events.listenerCount('transition') === 0) return;
    // O(1) host status; the full summary (sorted message) only when the host status moved.
    const status = this.index.status();
    if (this.hostStatus !== undefined && status !== this.hostStatus) {
      const host = this.summary();
      this.events.emit('transition', { check: null, from: this.hostStatus, to: host.status, message: host.message, at: this.deps.now() });
    }
    this.hostStatus = status;
  }
}
