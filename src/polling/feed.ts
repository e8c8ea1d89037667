import type { Check } from '../checks/definition.js';
import type { Result } from '../probes/result.js';
import { presetOf } from '../table/check-table.js';
import type { CheckState } from '../table/check-state.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';
import type { Scheduler } from './scheduler.js';

/** Runs one poll of a check; must honour the signal and never throw. */
export type ProbeFn = (check: Check, signal: AbortSignal) => Promise<Result>;

/** How many checks per millisecond the first round starts at most, before the spread takes over. */
const START_RATE_PER_MS = 1;

/**
 * Keeps the scheduler in step with the check table: every polled check is scheduled, replaced
 * checks are rescheduled, removed ones stop. Until start() nothing polls; start() spreads the
 * first round of what is already held over the interval, so a restart is no thundering herd.
 */
export class PollFeed {
  private started = false;

  constructor(
    private readonly table: CheckTable,
    bus: EventBus,
    private readonly scheduler: Scheduler,
    private readonly probe: ProbeFn,
    private readonly random: () => number = Math.random,
  ) {
    bus.on('upserted', (state) => {
      if (this.started) this.follow(state, 0);
    });
    bus.on('removed', (id) => this.scheduler.unschedule(id));
  }

  /** Schedules every check held now: a few at once, many spread over up to their interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const spreadMs = this.table.size / START_RATE_PER_MS;
    for (const state of this.table.all()) {
      this.follow(state, this.random() * Math.min(state.check.intervalMs, spreadMs));
    }
  }

  stop(): void {
    this.started = false;
    this.scheduler.stop();
  }

  private follow(state: CheckState, firstDelayMs: number): void {
    const { check } = state;
    if (presetOf(check) || check.kind === 'push') {
      this.scheduler.unschedule(check.id);
      return;
    }
    this.scheduler.schedule(
      check.id,
      check.intervalMs,
      check.timeoutMs,
      (signal) => this.probe(check, signal),
      firstDelayMs,
    );
  }
}
