import type { Check } from '../checks/definition.js';
import type { DependencyGraph } from '../checks/dependencies.js';
import type { CheckTable } from '../table/check-table.js';

/** What other sources of checks (discovery) validate against besides the table. */
export interface QueuedWrites {
  /** The table's `dependsOn` links and the queued registrations' ones. */
  readonly graph: DependencyGraph;
  /** A registration of this id is queued. */
  queued(id: string): boolean;
  /** Registrations queued for ids the table does not hold yet (they count toward limits.maxChecks). */
  readonly fresh: number;
}

interface Queued {
  checks: Check[];
  /** The id was not in the table when its first registration was queued. */
  fresh: boolean;
}

/**
 * Writes queued to the data file and not yet in the check table. A write validates against the
 * table plus these, in the same turn as it queues its op (no `await` between): that is the state
 * its op commits into, as the journal orders them. Writes are not made to wait for each other's
 * fsync (group commit stays). A queued write may still fail, so what it leads others to accept
 * must hold either way: the graph is the union of the table's links and every queued one (a cycle
 * in none of the outcomes), and a check counts as there only if it is in the table and no queued
 * write deletes it. Each tracked write is settled in the same turn the table takes it (or it failed).
 */
export class PendingWrites implements QueuedWrites {
  private readonly puts = new Map<string, Queued>();
  private readonly deletes = new Map<string, number>();
  /** dep → ids whose queued registrations name it. */
  private readonly named = new Map<string, Map<string, number>>();
  private freshCount = 0;

  constructor(private readonly table: CheckTable) {}

  /** What every source of checks validates `dependsOn` against: the table's links and the queued ones. */
  readonly graph: DependencyGraph = {
    depsOf: (id) => {
      const committed = this.table.get(id)?.check.dependsOn ?? [];
      const queued = this.puts.get(id);
      if (!queued) return committed;
      const all = new Set(committed);
      for (const c of queued.checks) for (const d of c.dependsOn) all.add(d);
      return [...all];
    },
    dependentsOf: (id) => {
      const queued = this.named.get(id);
      const committed = this.table.dependentsOf(id);
      return queued ? new Set([...committed, ...queued.keys()]) : committed;
    },
  };

  /** The id is in the table and no queued write deletes it: a silence or a report may be written for it. */
  holds(id: string): boolean {
    return this.table.get(id) !== undefined && !this.deletes.has(id);
  }

  /** A registration of the id is queued. */
  queued(id: string): boolean {
    return this.puts.has(id);
  }

  /** Registrations queued for ids the table does not hold yet: they count toward limits.maxChecks. */
  get fresh(): number {
    return this.freshCount;
  }

  /** Tracks a queued registration; call the function returned when the table took it or the write failed. */
  put(check: Check): () => void {
    let q = this.puts.get(check.id);
    if (!q) {
      q = { checks: [], fresh: this.table.get(check.id) === undefined };
      if (q.fresh) this.freshCount++;
      this.puts.set(check.id, q);
    }
    q.checks.push(check);
    for (const dep of check.dependsOn) {
      let by = this.named.get(dep);
      if (!by) this.named.set(dep, (by = new Map()));
      by.set(check.id, (by.get(check.id) ?? 0) + 1);
    }
    const entry = q;
    return once(() => {
      entry.checks.splice(entry.checks.indexOf(check), 1);
      if (entry.checks.length === 0) {
        this.puts.delete(check.id);
        if (entry.fresh) this.freshCount--;
      }
      for (const dep of check.dependsOn) {
        const by = this.named.get(dep);
        const n = (by?.get(check.id) ?? 1) - 1;
        if (n > 0) by?.set(check.id, n);
        else by?.delete(check.id);
        if (by?.size === 0) this.named.delete(dep);
      }
    });
  }

  /** Tracks a queued deletion; call the function returned when the table dropped it or the write failed. */
  delete(id: string): () => void {
    this.deletes.set(id, (this.deletes.get(id) ?? 0) + 1);
    return once(() => {
      const n = (this.deletes.get(id) ?? 1) - 1;
      if (n > 0) this.deletes.set(id, n);
      else this.deletes.delete(id);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
