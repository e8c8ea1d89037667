import { EventEmitter } from 'node:events';
import type { Check } from './checks/definition.js';
import { GLOBAL_ID } from './checks/definition.js';
import type { Result } from './probes/result.js';
import type { Scheduler } from './scheduler.js';
import type { Status } from './status.js';
import { summarize, type CheckView, type Summary } from './aggregate.js';

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
}

const PENDING_MESSAGE = 'waiting for the first poll';

/** Holds every check's state, feeds the scheduler, and keeps the host summary current. */
export class Monitor {
  private readonly states = new Map<string, CheckState>();
  private cached: Summary | undefined;
  private hostStatus: Status | undefined;
  /** Bumped whenever the summary may have changed. */
  version = 0;
  readonly events = new EventEmitter<MonitorEvents>();

  constructor(private readonly deps: MonitorDeps) {}

  /** Adds or replaces a check. `keepState` (a reload that only retimed it) keeps its status and `since`. */
  upsert(check: Check, opts: { keepState?: boolean } = {}): void {
    const previous = this.states.get(check.id);
    if (opts.keepState && previous) {
      previous.check = check;
      this.events.emit('upserted', previous);
      if (check.kind !== 'global') this.deps.scheduler.schedule(check.id, check.intervalMs, check.timeoutMs, (signal) => this.deps.probe(check, signal));
      return;
    }
    const state: CheckState = {
      check,
      status: check.kind === 'global' ? (check.statusoverride ?? 'Critical') : 'Unknown',
      message: check.kind === 'global' ? 'host forced by the --global check' : PENDING_MESSAGE,
      since: this.deps.now(),
    };
    if (previous && previous.status === state.status) state.since = previous.since;
    this.states.set(check.id, state);
    this.events.emit('upserted', state);
    if (previous && previous.status !== state.status) {
      this.events.emit('transition', { check: check.id, from: previous.status, to: state.status, message: state.message, at: state.since });
    }
    this.changed();
    if (check.kind === 'global') this.deps.scheduler.unschedule(check.id);
    else this.deps.scheduler.schedule(check.id, check.intervalMs, check.timeoutMs, (signal) => this.deps.probe(check, signal));
  }

  remove(id: string): boolean {
    if (!this.states.delete(id)) return false;
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

  /** Records a poll's result; the summary changes only if status or message did. */
  onResult(id: string, result: Result): void {
    const state = this.states.get(id);
    if (!state) return;
    const status = state.check.statusoverride ?? result.status;
    const from = state.status;
    state.result = result;
    if (status !== from) state.since = result.at;
    const changed = status !== from || result.message !== state.message;
    state.status = status;
    state.message = result.message;
    this.events.emit('result', id, result, state);
    if (status !== from) this.events.emit('transition', { check: id, from, to: status, message: result.message, at: result.at });
    if (changed) this.changed();
  }

  summary(): Summary {
    if (!this.cached) {
      const views: CheckView[] = [];
      let global: CheckView | undefined;
      for (const s of this.states.values()) {
        const view = { id: s.check.id, status: s.status, message: s.message };
        if (s.check.id === GLOBAL_ID) global = view;
        else views.push(view);
      }
      this.cached = summarize(views, global);
    }
    return this.cached;
  }

  private changed(): void {
    this.cached = undefined;
    this.version++;
    if (this.events.listenerCount('transition') === 0) return;
    const host = this.summary();
    if (this.hostStatus !== undefined && host.status !== this.hostStatus) {
      this.events.emit('transition', { check: null, from: this.hostStatus, to: host.status, message: host.message, at: this.deps.now() });
    }
    this.hostStatus = host.status;
  }
}
