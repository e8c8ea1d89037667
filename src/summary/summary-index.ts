import { GLOBAL_ID } from '../checks/id.js';
import { collate, type CheckView, type CollateOptions, type Summary } from './aggregate.js';
import { STATUSES, severity, type Status } from '../status.js';

/**
 * Per-status counts and the checks above OK, kept up to date one check at a time, so the host
 * summary costs O(problems) to rebuild instead of a scan of every check (10 000 at the limit).
 */
export class SummaryIndex {
  private readonly counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  private readonly views = new Map<string, CheckView>();
  private readonly problems = new Map<string, CheckView>();
  private global: CheckView | undefined;

  /** Records a check's current status and message (new or changed). */
  set(id: string, status: Status, message: string): void {
    const view: CheckView = { id, status, message };
    if (id === GLOBAL_ID) {
      this.global = view;
      return;
    }
    const before = this.views.get(id);
    if (before) this.counts[before.status]--;
    this.counts[status]++;
    this.views.set(id, view);
    if (status === 'OK') this.problems.delete(id);
    else this.problems.set(id, view);
  }

  delete(id: string): void {
    if (id === GLOBAL_ID) {
      this.global = undefined;
      return;
    }
    const before = this.views.get(id);
    if (!before) return;
    this.counts[before.status]--;
    this.views.delete(id);
    this.problems.delete(id);
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
    if (worst === undefined) return 'Unknown';
    if (minHealthy === undefined) return worst;
    return this.counts.OK < minHealthy ? 'Critical' : this.counts.OK < total ? 'Warning' : 'OK';
  }

  /** Members now (the `--global` check aside). */
  get size(): number {
    return this.views.size;
  }

  summary(opts: Omit<CollateOptions, 'global'> = {}): Summary {
    return collate({ ...this.counts }, [...this.problems.values()], { ...opts, global: this.global });
  }
}
