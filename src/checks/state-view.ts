import type { CheckState } from '../table/check-state.js';
import type { Status } from '../status.js';
import type { Perfdatum } from '../probes/perfdata.js';

/** What GET /checks/:id/state (and each entry of GET /checks?verbose=1) shows. */
export interface StateView {
  id: string;
  kind: string;
  source: string;
  /** Discovered checks: the rule that made it. */
  rule?: string;
  status: Status;
  message: string;
  /** ISO time of the last status transition (or of registration). */
  since: string;
  /** ISO time the latest result was taken (poll start, or push received); null before the first. */
  checkedAt: string | null;
  latencyMs: number | null;
  consecutive: number;
  flapping: boolean;
  /** Command checks: what the plugin printed (capped at 4 KB), and its parsed perfdata. */
  output?: string;
  perfdata?: Perfdatum[];
}

export function stateView(s: CheckState): StateView {
  const r = s.result;
  const view: StateView = {
    id: s.check.id,
    kind: s.check.kind,
    source: s.check.source,
    status: s.status,
    message: s.message,
    since: new Date(s.since).toISOString(),
    checkedAt: r ? new Date(r.at).toISOString() : null,
    latencyMs: r ? r.latencyMs : null,
    consecutive: s.consecutive,
    flapping: s.flapping,
  };
  if (s.check.rule !== undefined) view.rule = s.check.rule;
  if (r?.output !== undefined) view.output = r.output;
  if (r?.perfdata !== undefined) view.perfdata = r.perfdata;
  return view;
}
