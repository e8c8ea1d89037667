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
}

import { ALL_OK_MESSAGE, NO_CHECKS_MESSAGE } from '../api/wire.js';

export { ALL_OK_MESSAGE, NO_CHECKS_MESSAGE };

const byWorstThenId = (a: CheckView, b: CheckView) =>
  severity(b.status) - severity(a.status) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Collates checks into the host summary (Megaphone's rules). `global` is the `--global`
 * check when present: it forces the host to its status and leads the message.
 */
export function summarize(checks: Iterable<CheckView>, global?: CheckView): Summary {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const problems: CheckView[] = [];
  for (const c of checks) {
    counts[c.status]++;
    if (c.status !== 'OK') problems.push(c);
  }
  return collate(counts, problems, global);
}

/**
 * The summary from per-status counts and the checks above OK (any order; sorted here), so a
 * caller that keeps those up to date (SummaryIndex) never rescans every check.
 */
export function collate(counts: Record<Status, number>, problems: CheckView[], global?: CheckView): Summary {
  let status: Status = 'OK';
  let total = 0;
  for (const s of STATUSES) {
    total += counts[s];
    if (counts[s] > 0) status = worse(status, s);
  }
  problems.sort(byWorstThenId);
  const listed = problems.map((p) => `${p.id}:${p.status}:${p.message}`);
  if (global) {
    return {
      status: global.status,
      message: [`${GLOBAL_ID}:${global.status}:${global.message}`, ...listed].join('; '),
      counts,
      problems: [global, ...problems],
    };
  }
  if (total === 0) return { status: 'Unknown', message: NO_CHECKS_MESSAGE, counts, problems };
  return { status, message: status === 'OK' ? ALL_OK_MESSAGE : listed.join('; '), counts, problems };
}
