import type { Status } from '../status.js';
import { MAX_TRANSITION_MESSAGE, type EventBus } from '../table/events.js';
import type { Blocking, Summary } from './aggregate.js';
import { SummaryIndex } from './summary-index.js';
import { cut } from '../lib/cut.js';

/**
 * The checks' collated summary (worst-of and messages), kept up to date one change at a time,
 * and the host's transitions: when the worst status moves, a host transition goes on the bus.
 */
export class HostSummary {
  /** Counts and problems kept per change, so summary() never rescans every check. */
  private readonly index = new SummaryIndex();
  private cached: { visible: number; summary: Summary } | undefined;
  /** The host status last announced; undefined until begin(): loading at start-up announces nothing. */
  private hostStatus: Status | undefined;
  private begun = false;
  private changes = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number,
    /** Applies what time did before a read (the staleness sweeper). */
    private readonly freshen: () => void = () => undefined,
    /** How checks block each other, to name root causes first. */
    private readonly blocking?: Blocking,
  ) {
    bus.on('changed', (state) => {
      // A silenced check is left out of the host's status.
      if (state.silence) this.index.silence(state.check.id);
      else this.index.set(state.check.id, state.status, state.message);
      // Its dependents' lines say what blocks them, even when it is silenced itself.
      if (this.hasDependents(state.check.id)) this.index.touch();
      this.changed();
    });
    bus.on('removed', (id) => {
      this.index.delete(id);
      this.changed();
    });
  }

  /** From now on, host transitions are announced (what was loaded at start-up is the baseline). */
  begin(): void {
    this.begun = true;
    this.hostStatus = this.index.status();
  }

  /** Bumped whenever the summary may have changed; reading it first applies what time did. */
  get version(): number {
    this.freshen();
    return this.changes;
  }

  /** Moves only when the summary's status, message or counts may have changed (see SummaryIndex). */
  get visible(): number {
    this.freshen();
    return this.index.visible;
  }

  summary(): Summary {
    this.freshen();
    const visible = this.index.visible;
    if (this.cached?.visible !== visible)
      this.cached = { visible, summary: this.index.summary({ blocking: this.blocking }) };
    return this.cached.summary;
  }

  private hasDependents(id: string): boolean {
    if (!this.blocking) return false;
    for (const _ of this.blocking.dependentsOf(id)) return true;
    return false;
  }

  private changed(): void {
    this.changes++;
    // O(1) host status; the full summary (sorted message) only when the host status moved.
    const status = this.index.status();
    if (!this.begun) return;
    if (this.hostStatus !== undefined && status !== this.hostStatus) {
      const host = this.summary();
      this.bus.emit('transition', {
        check: null,
        from: this.hostStatus,
        to: host.status,
        message: cut(host.message, MAX_TRANSITION_MESSAGE),
        at: this.now(),
      });
    }
    this.hostStatus = status;
  }
}
