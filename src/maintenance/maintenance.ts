import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { StorageError } from '../lib/errors.js';

/** The host is drained on purpose: why, since when, and until when (absent: until lifted). */
export interface MaintenanceState {
  reason: string;
  /** Epoch ms. */
  since: number;
  /** Epoch ms when it lifts itself; absent without a ttl. */
  until?: number;
}

/** Where the state lives durably: a section of the data file. */
export interface SectionStore {
  section(key: 'maintenance'): unknown;
  writeSection(key: 'maintenance', value: unknown): Promise<void>;
}

const storedSchema = z.strictObject({
  reason: z.string(),
  since: z.number(),
  until: z.number().optional(),
});

// setTimeout fires at once beyond 2^31-1 ms; longer ttls re-arm.
const MAX_TIMER = 2 ** 31 - 1;

/** Host maintenance: entered and lifted durably, lifts itself when its ttl runs out. */
export class Maintenance {
  private state: MaintenanceState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private version_ = 0;
  /** Writes run one at a time: each reads the state the one before it left (`since`, `created`). */
  private writes: Promise<unknown> = Promise.resolve();
  readonly events = new EventEmitter<{ changed: [state: MaintenanceState | undefined] }>();

  private constructor(
    private readonly store: SectionStore,
    private readonly now: () => number,
    state: MaintenanceState | undefined,
  ) {
    this.state = state;
    this.arm();
  }

  /** Reads the stored state; an unreadable one stops start-up like a corrupt data file. */
  static load(store: SectionStore, now: () => number): Maintenance {
    const raw = store.section('maintenance');
    if (raw === undefined || raw === null) return new Maintenance(store, now, undefined);
    const parsed = storedSchema.safeParse(raw);
    if (!parsed.success) throw new StorageError('data file holds an invalid "maintenance" section; refusing to start');
    const m = new Maintenance(store, now, parsed.data);
    m.current();
    return m;
  }

  /** Bumps whenever maintenance starts, changes or lifts (expiry included). */
  get version(): number {
    this.current();
    return this.version_;
  }

  /** The maintenance in force now, if any; an expired one is lifted on the spot. */
  current(): MaintenanceState | undefined {
    const s = this.state;
    if (s?.until !== undefined && s.until <= this.now()) {
      this.apply(undefined);
      // Best effort: a failed write leaves an expired record, which is lifted again at load.
      this.store.writeSection('maintenance', null).catch(() => undefined);
    }
    return this.state;
  }

  /** Enters (or updates) maintenance once it is on disk. `since` is kept when already in it. */
  enter(reason: string, ttlMs?: number): Promise<{ state: MaintenanceState; created: boolean }> {
    return this.serially(async () => {
      const now = this.now();
      const previous = this.current();
      const state: MaintenanceState = { reason, since: previous?.since ?? now };
      if (ttlMs !== undefined) state.until = now + ttlMs;
      await this.store.writeSection('maintenance', state);
      this.apply(state);
      return { state, created: previous === undefined };
    });
  }

  /** Lifts maintenance once that is on disk; false when there was none. */
  lift(): Promise<boolean> {
    return this.serially(async () => {
      const had = this.current() !== undefined;
      await this.store.writeSection('maintenance', null);
      this.apply(undefined);
      return had;
    });
  }

  // Rare writes (an operator's): one at a time costs nothing and keeps validate-then-commit whole.
  private serially<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writes.then(write);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Stops the ttl timer (daemon shutdown). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private apply(state: MaintenanceState | undefined): void {
    this.state = state;
    this.version_++;
    this.arm();
    this.events.emit('changed', state);
  }

  private arm(): void {
    this.stop();
    const until = this.state?.until;
    if (until === undefined) return;
    this.timer = setTimeout(
      () => {
        if (this.current()) this.arm();
      },
      Math.min(Math.max(until - this.now(), 0), MAX_TIMER),
    );
    this.timer.unref();
  }
}

/** The `maintenance` object of GET / and /maintenance. */
export function maintenanceView(s: MaintenanceState): { reason: string; since: string; until: string | null } {
  return {
    reason: s.reason,
    since: new Date(s.since).toISOString(),
    until: s.until === undefined ? null : new Date(s.until).toISOString(),
  };
}
