import { RULE_MATCH_BUDGET_MS, type Desired, type Evaluation } from './evaluate.js';
import { MISSING_MESSAGE } from './reconcile.js';
import { renderId, type CompiledRule } from './rules.js';
import { cut } from '../lib/cut.js';

/** What `megaphone discover --json` prints for one matching process. */
export interface MatchReport {
  pid: number;
  name: string;
  user: string;
  cmd: string;
  ports?: number[];
  port?: number;
  check: { id: string; url?: unknown; status?: string; message?: string; error?: string };
}

export interface RuleReport {
  rule: string;
  whenMissing: 'critical' | 'remove';
  matches: MatchReport[];
  /** The check made when nothing matches (a rule with a fixed id and whenMissing "critical"). */
  whenNothingMatches?: { id: string; status: 'Critical'; message: string };
  /** Matching processes beyond the per-rule cap. */
  ignored?: number;
  /** Its match regexes ran out of their time budget on this snapshot: what it matches is not known. */
  overran?: true;
}

function matchReport(d: Desired): MatchReport {
  const p = d.process;
  const s = d.state;
  const check =
    s.kind === 'check'
      ? { id: d.id, url: s.registration.url }
      : s.kind === 'waiting'
        ? { id: d.id, url: s.url, status: 'Unknown', message: s.message }
        : { id: d.id, error: s.message };
  return {
    pid: p.pid,
    name: p.name,
    user: p.user,
    cmd: p.cmd,
    ...(d.ports ? { ports: d.ports } : {}),
    ...(d.port !== undefined ? { port: d.port } : {}),
    check,
  };
}

/** Per rule, what it matches now and the check each match would become. Pure. */
export function reportRules(rules: CompiledRule[], ev: Evaluation): RuleReport[] {
  return rules.map((rule) => {
    const matches = ev.desired.filter((d) => d.rule === rule).map(matchReport);
    const report: RuleReport = { rule: rule.label, whenMissing: rule.config.whenMissing, matches };
    const overran = ev.overran.has(rule.index);
    if (matches.length === 0 && !overran && rule.staticId && rule.config.whenMissing === 'critical') {
      report.whenNothingMatches = { id: renderId(rule, {}), status: 'Critical', message: MISSING_MESSAGE };
    }
    const ignored = ev.dropped.get(rule.index);
    if (ignored) report.ignored = ignored;
    if (overran) report.overran = true;
    return report;
  });
}

const clip = (s: string, n = 100) => cut(s, n);

/** The human form of reportRules. */
export function formatReport(reports: RuleReport[], ev: Evaluation): string {
  const lines = [`read ${ev.processes} processes in ${ev.readMs.toFixed(0)} ms`];
  if (reports.length === 0) lines.push('no discovery rules configured (discovery.rules)');
  for (const r of reports) {
    lines.push('', `${r.rule}: ${r.matches.length} matching process${r.matches.length === 1 ? '' : 'es'}`);
    for (const m of r.matches) {
      const port = m.ports === undefined ? '' : m.port !== undefined ? ` port ${m.port}` : ' no listening port';
      lines.push(`  pid ${m.pid} ${m.name} (user ${m.user})${port}: ${clip(m.cmd)}`);
      if (m.check.error) lines.push(`    -> no check: ${m.check.error}`);
      else if (m.check.status)
        lines.push(`    -> check ${JSON.stringify(m.check.id)} ${m.check.status} "${m.check.message}"`);
      else lines.push(`    -> check ${JSON.stringify(m.check.id)} ${JSON.stringify(m.check.url)}`);
    }
    if (r.overran) lines.push(`  its match regexes ran out of their ${RULE_MATCH_BUDGET_MS} ms budget: not evaluated`);
    else if (r.whenNothingMatches)
      lines.push(
        `  nothing matches -> check ${JSON.stringify(r.whenNothingMatches.id)} Critical ` +
          `"${r.whenNothingMatches.message}"`,
      );
    else if (r.matches.length === 0) lines.push('  nothing matches -> no check');
    if (r.ignored) lines.push(`  ${r.ignored} more matching processes ignored (at most 256 checks per rule)`);
  }
  return `${lines.join('\n')}\n`;
}
