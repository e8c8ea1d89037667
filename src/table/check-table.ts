import type { Check } from '../checks/definition.js';
import { newTracking } from '../checks/thresholds.js';
import { onCycles } from '../checks/dependencies.js';
import type { Status } from '../status.js';
import type { CheckState } from './check-state.js';
import type { EventBus, Transition } from './events.js';

const NONE: ReadonlySet<string> = new Set();

const PENDING_MESSAGE = 'waiting for the first poll';
const PUSH_PENDING_MESSAGE = 'waiting for the first report';

/** Checks that are never polled carry their own status: --global, and discovery's fixed checks. */
export function presetOf(check: Check): { status: Status; message: string } | undefined {
  if (check.kind === 'global') {
    return { status: check.statusoverride ?? 'Critical', message: 'host forced by the --global check' };
  }
  if (check.kind === 'fixed') return { status: check.status, message: check.message };
  return undefined;
}

/**
 * Every check megaphone holds, whatever its source (config, API, discovery), and its current
 * state. The one place a check's status changes; it announces each change on the bus.
 */
export class CheckTable {
  private readonly states = new Map<string, CheckState>();
  /** Who depends on an id (the reverse of `dependsOn`), whether that id exists or not. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Checks on a dependency cycle that was loaded (writes refuse new ones): root causes, never blocked. */
  private cyclic: ReadonlySet<string> = NONE;

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number,
  ) {}

  /** Adds or replaces a check. `keepState` (a reload that only retimed it) keeps its status and `since`. */
  upsert(check: Check, opts: { keepState?: boolean } = {}): void {
    const previous = this.states.get(check.id);
    this.index(previous?.check, check);
    if (opts.keepState && previous) {
      previous.check = check;
      this.recheckCycles(check.id);
      this.bus.emit('upserted', previous, previous);
      return;
    }
    const now = this.now();
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
    this.recheckCycles(check.id);
    this.bus.emit('upserted', state, previous);
    if (previous && previous.status !== state.status) {
      this.bus.emit('transition', this.transition(state, previous.status, state.since));
    }
    this.bus.emit('changed', state);
  }

  remove(id: string): boolean {
    const state = this.states.get(id);
    if (!state) return false;
    this.states.delete(id);
    this.index(state.check, undefined);
    this.recheckCycles(id);
    this.bus.emit('removed', id, state);
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

  /**
   * Sets a check's status and message (from a result, or from time). `announce` runs before the
   * transition it may cause (results are announced before their transitions, as listeners expect).
   */
  set(state: CheckState, status: Status, message: string, at: number, announce?: () => void, quiet = false): void {
    const from = state.status;
    const changed = status !== from || message !== state.message;
    if (status !== from) state.since = at;
    state.status = status;
    state.message = message;
    announce?.();
    // Quiet: a state restored at start-up; its transition is already in history.
    if (status !== from && !quiet) this.bus.emit('transition', this.transition(state, from, at));
    if (changed) this.bus.emit('changed', state);
  }

  /**
   * The dependencies that block a check now: while it is not OK, those of its `dependsOn` that
   * exist, are not OK either and are not silenced. A dependency that does not exist (yet), or a
   * silenced one, blocks nothing: the check fails for its own reason and is a root cause itself,
   * as is every check on a dependency cycle.
   */
  blockedBy(state: CheckState): string[] {
    if (state.status === 'OK' || state.check.dependsOn.length === 0 || this.cyclic.has(state.check.id)) return [];
    return state.check.dependsOn.filter((id) => {
      const dep = this.states.get(id);
      return dep !== undefined && dep.status !== 'OK' && dep.silence === undefined;
    });
  }

  /**
   * Finds the dependency cycles among the checks held (once every source has loaded; again when one
   * of their members changes). Linear in checks and links. Returns them, as sets of ids.
   */
  findCycles(): string[][] {
    const cycles = onCycles(this.states.keys(), (id) => this.states.get(id)?.check.dependsOn ?? []);
    this.cyclic = cycles.length > 0 ? new Set(cycles.flat()) : NONE;
    return cycles;
  }

  /** The ids that name `id` in their `dependsOn`. */
  dependentsOf(id: string): ReadonlySet<string> {
    return this.dependents.get(id) ?? NONE;
  }

  // A loaded cycle may break when one of its checks changes or goes (writes never make one).
  private recheckCycles(id: string): void {
    if (this.cyclic.has(id)) this.findCycles();
  }

  private transition(state: CheckState, from: Status, at: number): Transition {
    const t: Transition = { check: state.check.id, from, to: state.status, message: state.message, at };
    const blockedBy = this.blockedBy(state);
    if (blockedBy.length > 0) t.blockedBy = blockedBy;
    return t;
  }

  // Keeps the reverse index of dependsOn as a check is added, replaced (prev → next) or removed.
  private index(prev: Check | undefined, next: Check | undefined): void {
    for (const dep of prev?.dependsOn ?? []) {
      const set = this.dependents.get(dep);
      set?.delete(prev!.id);
      if (set?.size === 0) this.dependents.delete(dep);
    }
    for (const dep of next?.dependsOn ?? []) {
      let set = this.dependents.get(dep);
      if (!set) this.dependents.set(dep, (set = new Set()));
      set.add(next!.id);
    }
  }
}
