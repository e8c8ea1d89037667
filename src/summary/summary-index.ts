import { GLOBAL_ID } from '../checks/id.js';
import { byWorstThenId, collate, problemLine, type CheckView, type CollateOptions, type Summary } from './aggregate.js';
import { STATUSES, severity, type Status } from '../status.js';

// Where `v` goes in `order` (sorted by byWorstThenId; ids are unique, so an equal entry is `v`'s own).
function position(order: readonly CheckView[], v: CheckView): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byWorstThenId(order[mid] as CheckView, v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Past this many changes since the last summary, the problems are sorted afresh rather than moved one by one. */
const RESORT_AFTER = 64;

/**
 * Per-status counts and the checks above OK, kept up to date one check at a time (O(1) per
 * change), so the host summary never rescans every check. The problems' sorted order and each
 * one's line of the message are kept between summaries: a summary after a few changes moves only
 * those (binary search), after many it sorts once (10 000 checks loading at start-up).
 */
export class SummaryIndex {
  private readonly counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  private readonly views = new Map<string, CheckView>();
  /** The checks above OK now. */
  private readonly problems = new Map<string, CheckView>();
  /** The problems in byWorstThenId order as of the last summary. */
  private order: CheckView[] = [];
  /** Ids changed since the last summary, each with the view it has in `order` (undefined: none). */
  private readonly moved = new Map<string, CheckView | undefined>();
  /** Each problem view's problemLine, built at the first summary that lists it. */
  private readonly lines = new WeakMap<CheckView, string>();
  private global: CheckView | undefined;
  private shown = 0;
  /** Silenced checks: left out of counts and problems, only counted (and named when nothing else is left). */
  private readonly silencedIds = new Set<string>();

  /**
   * Moves whenever the summary's status, message or counts may have changed: every change but an
   * OK check's new message (OK checks are not in the message). A summary costs O(problems), so
   * it is rebuilt only when this moved, not on every poll of an OK check.
   */
  get visible(): number {
    return this.shown;
  }

  /** Something the summary shows changed outside the index (a member's dependency): rebuild it. */
  touch(): void {
    this.shown++;
  }

  /** Records a check's current status and message (new or changed). */
  set(id: string, status: Status, message: string): void {
    if (this.silencedIds.delete(id)) this.shown++;
    const view: CheckView = { id, status, message };
    if (id === GLOBAL_ID) {
      this.global = view;
      this.shown++;
      return;
    }
    const before = this.views.get(id);
    if (!(before?.status === 'OK' && status === 'OK')) this.shown++;
    if (before) this.counts[before.status]--;
    this.counts[status]++;
    this.views.set(id, view);
    this.move(id, before);
    if (status === 'OK') this.problems.delete(id);
    else this.problems.set(id, view);
  }

  /** A check is silenced: it leaves the counts and problems, and is counted apart. */
  silence(id: string): void {
    if (id === GLOBAL_ID) return this.delete(id);
    if (this.silencedIds.has(id)) return;
    this.delete(id);
    this.silencedIds.add(id);
    this.shown++;
  }

  delete(id: string): void {
    if (this.silencedIds.delete(id)) this.shown++;
    if (id === GLOBAL_ID) {
      if (this.global) this.shown++;
      this.global = undefined;
      return;
    }
    const before = this.views.get(id);
    if (!before) return;
    this.shown++;
    this.counts[before.status]--;
    this.views.delete(id);
    this.move(id, before);
    this.problems.delete(id);
  }

  // The first change since the last summary notes where the id sits in `order`: its view then, if a problem.
  private move(id: string, before: CheckView | undefined): void {
    if (!this.moved.has(id)) this.moved.set(id, before && before.status !== 'OK' ? before : undefined);
  }

  // Brings `order` up to date with `problems`: the moved ids one by one, or one sort after many.
  private sync(): void {
    if (this.moved.size === 0) return;
    if (this.moved.size > RESORT_AFTER) this.order = [...this.problems.values()].sort(byWorstThenId);
    else {
      for (const [id, was] of this.moved) {
        if (was) this.order.splice(position(this.order, was), 1);
        const now = this.problems.get(id);
        if (now) this.order.splice(position(this.order, now), 0, now);
      }
    }
    this.moved.clear();
  }

  /** The status alone, O(1): what collate() would say, without building the message. */
  status(minHealthy?: number): Status {
    if (this.global) return this.global.status;
    let worst: Status | undefined;
    let total = 0;
    for (const s of STATUSES) {
      total += this.counts[s];
      if (this.counts[s] > 0 && (worst === undefined || severity(s) > severity(worst))) worst = s;
    }
    // Nothing counted: OK when every check is silenced (as collate() says), else no check at all.
    if (worst === undefined) return this.silencedIds.size > 0 ? 'OK' : 'Unknown';
    if (minHealthy === undefined) return worst;
    return this.counts.OK < minHealthy ? 'Critical' : this.counts.OK < total ? 'Warning' : 'OK';
  }

  /** Members now (the `--global` check aside). */
  get size(): number {
    return this.views.size;
  }

  summary(opts: Omit<CollateOptions, 'global'> = {}): Summary {
    this.sync();
    return collate({ ...this.counts }, this.order.slice(), {
      ...opts,
      global: this.global,
      sorted: true,
      silenced: { count: this.silencedIds.size, ids: () => this.silencedIds },
      lineOf: (p) => {
        let line = this.lines.get(p);
        if (line === undefined) this.lines.set(p, (line = problemLine(p)));
        return line;
      },
    });
  }
}
