import type { CheckState } from '../table/check-state.js';
import type { Status } from '../status.js';
import type { Perfdatum } from '../probes/perfdata.js';
import { silenceView } from '../silences/view.js';
import { tlsView, type TlsView } from './tls-spec.js';
import type { PeerCert } from '../tls/peer.js';
import { formatDuration } from '../lib/duration.js';

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
  /** Its `latency` limits, when it has any: a poll slower than one is Warning / Critical. */
  latency?: { warning?: string; critical?: string };
  consecutive: number;
  flapping: boolean;
  /** Command checks: what the plugin printed (capped at 4 KB), and its parsed perfdata. */
  output?: string;
  perfdata?: Perfdatum[];
  /** Its `dependsOn`, when it has any. */
  dependsOn?: readonly string[];
  /** While it is not OK: the dependencies not OK either (its likely root causes). */
  blockedBy?: readonly string[];
  /** Set while silenced: left out of the host's status. */
  silenced?: { reason: string; since: string; until: string | null; untilOk: boolean };
  /** Checks that speak TLS: how the connection is verified (`insecure` when it is not). */
  tls?: TlsView;
  /** Checks that speak TLS: the peer certificate of the latest poll's connection. */
  certificate?: PeerCert;
}

/** A check's state for the API; `blockedBy` from CheckTable.blockedBy. */
export function stateView(s: CheckState, blockedBy: readonly string[] = []): StateView {
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
  if (s.check.latency) view.latency = latencyView(s.check.latency);
  if (r?.output !== undefined) view.output = r.output;
  if (r?.perfdata !== undefined) view.perfdata = r.perfdata;
  if (s.check.dependsOn.length > 0) view.dependsOn = s.check.dependsOn;
  if (blockedBy.length > 0) view.blockedBy = blockedBy;
  if (s.silence) view.silenced = silenceView(s.silence);
  if ('tls' in s.check && s.check.tls) view.tls = tlsView(s.check.tls);
  if (r?.tls !== undefined) view.certificate = r.tls;
  return view;
}

function latencyView(l: { warningMs?: number; criticalMs?: number }): NonNullable<StateView['latency']> {
  const out: NonNullable<StateView['latency']> = {};
  if (l.warningMs !== undefined) out.warning = formatDuration(l.warningMs);
  if (l.criticalMs !== undefined) out.critical = formatDuration(l.criticalMs);
  return out;
}
