import { STATUSES, severity, worse, type Status } from '../status.js';
import { GLOBAL_ID } from '../checks/id.js';

/** One check as the summary sees it. */
export interface CheckView {
  id: string;
  status: Status;
  message: string;
}

/** The host's collated status: worst of all checks, and why. */
export interface Summary {
  status: Status;
  message: string;
  counts: Record<Status, number>;
  /** Checks above OK, worst first (then by id). */
  problems: CheckView[];
  /** Checks left out because they are silenced (they count for nothing above). */
  silenced: number;
}

import { ALL_OK_MESSAGE, NO_CHECKS_MESSAGE } from '../api/wire.js';

export { ALL_OK_MESSAGE, NO_CHECKS_MESSAGE };

/** The order problems are listed in: worst first, then by id. */
export const byWorstThenId = (a: CheckView, b: CheckView) =>
  severity(b.status) - severity(a.status) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** How one problem reads in the host's message: `id:Status:message`. */
export const problemLine = (p: CheckView) => `${p.id}:${p.status}:${p.message}`;

/** How checks block each other (`dependsOn`), for naming root causes first. */
export interface Blocking {
  /** The ids blocking a check now (not OK dependencies), or none. */
  blockedBy(id: string): readonly string[];
  /** The ids that depend on a check. */
  dependentsOf(id: string): Iterable<string>;
}

/** How a set of checks is collated: the host's rules, or a group's. */
export interface CollateOptions {
  /** The `--global` check when present: it forces the status and leads the message. */
  global?: CheckView;
  blocking?: Blocking;
  /** A group's `minHealthy`: Critical below it, Warning while any member is not OK. */
  minHealthy?: number;
  /** The message when there is no check at all; default NO_CHECKS_MESSAGE. */
  empty?: string;
  /** The problems come in byWorstThenId order already (kept so per change), so they are not sorted again. */
  sorted?: boolean;
  /** Each problem's problemLine, when the caller keeps them (built once per change, not once per summary). */
  lineOf?: (p: CheckView) => string;
  /** The silenced checks left out: how many, and their ids (asked only to name them when nothing else is left). */
  silenced?: { count: number; ids: () => Iterable<string> };
}

/** Most silenced ids a message names. */
const NAMED_SILENCED = 10;

/**
 * The message when every check is silenced: the status is theirs to leave out, so it is OK (a
 * balancer keeps the host), and the message says why and names them (the first few by id).
 */
export function allSilencedMessage(count: number, ids: Iterable<string>): string {
  const sorted = [...ids].sort().slice(0, NAMED_SILENCED);
  const more = count > sorted.length ? `, … (${count - sorted.length} more)` : '';
  return `all ${count} check${count === 1 ? '' : 's'} silenced: ${sorted.join(', ')}${more}`;
}

/** Collates checks into a summary (Megaphone's rules); see collate(). */
export function summarize(checks: Iterable<CheckView>, global?: CheckView): Summary {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const problems: CheckView[] = [];
  for (const c of checks) {
    counts[c.status]++;
    if (c.status !== 'OK') problems.push(c);
  }
  return collate(counts, problems, { global });
}

// Root causes first (worst, then by id), each with how many checks it blocks; then the blocked ones.
function describe(problems: CheckView[], opts: CollateOptions): { ordered: CheckView[]; listed: string[] } {
  const { blocking } = opts;
  if (!opts.sorted) problems.sort(byWorstThenId);
  const line = opts.lineOf ?? problemLine;
  if (!blocking) return { ordered: problems, listed: problems.map(line) };
  const blockedBy = new Map<string, readonly string[]>();
  for (const p of problems) {
    const by = blocking.blockedBy(p.id);
    if (by.length > 0) blockedBy.set(p.id, by);
  }
  if (blockedBy.size === 0) return { ordered: problems, listed: problems.map(line) };
  const roots = problems.filter((p) => !blockedBy.has(p.id));
  const blocked = problems.filter((p) => blockedBy.has(p.id));
  // Everything blocked through a root, directly or along a chain of blocked checks.
  const blocks = (root: string) => {
    const seen = new Set<string>();
    const queue = [root];
    for (let at = queue.pop(); at !== undefined; at = queue.pop()) {
      for (const d of blocking.dependentsOf(at)) {
        if (!seen.has(d) && blockedBy.get(d)?.includes(at)) {
          seen.add(d);
          queue.push(d);
        }
      }
    }
    return seen.size;
  };
  const listed = [
    ...roots.map((r) => {
      const n = blocks(r.id);
      return n > 0 ? `${line(r)} (blocks ${n})` : line(r);
    }),
    ...blocked.map((b) => `${line(b)} (blocked by ${(blockedBy.get(b.id) ?? []).join(', ')})`),
  ];
  return { ordered: [...roots, ...blocked], listed };
}

/**
 * The summary from per-status counts and the checks above OK (any order), so a caller that keeps
 * those up to date (SummaryIndex) never rescans every check. Costs O(problems).
 */
export function collate(counts: Record<Status, number>, problems: CheckView[], opts: CollateOptions = {}): Summary {
  let worst: Status = 'OK';
  let total = 0;
  for (const s of STATUSES) {
    total += counts[s];
    if (counts[s] > 0) worst = worse(worst, s);
  }
  const { ordered, listed } = describe(problems, opts);
  const { global } = opts;
  const silenced = opts.silenced?.count ?? 0;
  if (global) {
    return {
      status: global.status,
      message: [`${GLOBAL_ID}:${global.status}:${global.message}`, ...listed].join('; '),
      counts,
      problems: [global, ...ordered],
      silenced,
    };
  }
  if (total === 0 && silenced > 0) {
    const message = allSilencedMessage(silenced, opts.silenced?.ids() ?? []);
    return { status: 'OK', message, counts, problems: ordered, silenced };
  }
  if (total === 0) {
    return { status: 'Unknown', message: opts.empty ?? NO_CHECKS_MESSAGE, counts, problems: ordered, silenced };
  }
  if (opts.minHealthy !== undefined) {
    const ok = counts.OK;
    const status: Status = ok < opts.minHealthy ? 'Critical' : ok < total ? 'Warning' : 'OK';
    if (status === 'OK') return { status, message: ALL_OK_MESSAGE, counts, problems: ordered, silenced };
    const head = `${ok} of ${total} OK (minHealthy ${opts.minHealthy})`;
    return { status, message: [head, ...listed].join('; '), counts, problems: ordered, silenced };
  }
  const message = worst === 'OK' ? ALL_OK_MESSAGE : listed.join('; ');
  return { status: worst, message, counts, problems: ordered, silenced };
}
