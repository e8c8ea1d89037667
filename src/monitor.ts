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
  /** Bumped whenever the summary may have changed. */
  version = 0;

  constructor(private readonly deps: MonitorDeps) {}

  upsert(check: Check): void {
    const previous = this.states.get(check.id);
    const state: CheckState = {
      check,
      status: check.kind === 'global' ? (check.statusoverride ?? 'Critical') : 'Unknown',
      message: check.kind === 'global' ? 'host forced by the --global check' : PENDING_MESSAGE,
      since: this.deps.now(),
    };
    if (previous && previous.status === state.status) state.since = previous.since;
    this.states.set(check.id, state);
    this.changed();
    if (check.kind === 'global') this.deps.scheduler.unschedule(check.id);
    else this.deps.scheduler.schedule(check.id, check.intervalMs, check.timeoutMs, (signal) => this.deps.probe(check, signal));
  }

  remove(id: string): boolean {
    if (!this.states.delete(id)) return false;
    this.deps.scheduler.unschedule(id);
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
    state.result = result;
    if (status !== state.status) state.since = result.at;
    if (status !== state.status || result.message !== state.message) {
      state.status = status;
      state.message = result.message;
      this.changed();
    }
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
  }
}
