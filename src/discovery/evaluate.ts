import type { Registration } from '../checks/spec.js';
import type { ProcessInfo } from './proc.js';
import type { PortsResult } from './ports.js';
import type { ProcReader } from './reader.js';
import { idSafe, renderRegistration, renderId, ruleMatches, type CompiledRule } from './rules.js';
import { renderTemplate, type TemplateVars } from './template.js';
import { runWithin } from '../lib/within.js';

/** Most checks one rule makes; processes beyond are ignored (and reported by `megaphone discover`). */
export const MAX_CHECKS_PER_RULE = 256;

/**
 * Longest one rule's `match` regexes may run over one snapshot (ms). Any local user picks the
 * command lines they run against: past it the rule is left out of that snapshot, its checks kept.
 */
export const RULE_MATCH_BUDGET_MS = 50;

export const WAITING_MESSAGE = 'waiting for a listening port';

/** What a rule wants for one check now. */
export type DesiredState =
  | { kind: 'check'; registration: Registration }
  | { kind: 'waiting'; message: string; url: unknown }
  | { kind: 'invalid'; message: string };

export interface Desired {
  rule: CompiledRule;
  id: string;
  /** The id with `{pid}` blanked: a new process in the same slot replaces a vanished one. */
  slot: string;
  process: ProcessInfo;
  /** Listening ports found (only read when the url uses `{port}`). */
  ports?: number[];
  port?: number;
  state: DesiredState;
}

export interface Evaluation {
  at: number;
  /** Processes in the snapshot. */
  processes: number;
  /** How long reading /proc took, ms. */
  readMs: number;
  desired: Desired[];
  /** Matching processes left out by MAX_CHECKS_PER_RULE, per rule index. */
  dropped: Map<number, number>;
  /** Rules whose regexes ran out of RULE_MATCH_BUDGET_MS on this snapshot (by index): nothing is known of them. */
  overran: Set<number>;
}

const oldestFirst = (a: ProcessInfo, b: ProcessInfo) => a.startTicks - b.startTicks || a.pid - b.pid;

/**
 * Per rule: the processes that become checks, one per distinct id, the oldest process winning;
 * null for a rule whose regexes ran out of `budgetMs` on this table. Pure.
 */
export function selectProcesses(
  rules: CompiledRule[],
  table: ProcessInfo[],
  budgetMs = RULE_MATCH_BUDGET_MS,
): Map<CompiledRule, ProcessInfo[] | null> {
  const sorted = [...table].sort(oldestFirst);
  const out = new Map<CompiledRule, ProcessInfo[] | null>();
  for (const rule of rules) {
    // One budgeted run per rule (a budgeted call costs ~70 µs: not one per process).
    const matching = runWithin(() => sorted.filter((p) => ruleMatches(rule, p)), budgetMs)?.value;
    if (!matching) {
      out.set(rule, null);
      continue;
    }
    const seen = new Set<string>();
    const chosen: ProcessInfo[] = [];
    for (const p of matching) {
      const id = renderId(rule, { pid: p.pid, name: p.name });
      if (seen.has(id)) continue;
      seen.add(id);
      chosen.push(p);
    }
    out.set(rule, chosen);
  }
  return out;
}

/** What the rule wants for one chosen process, given its ports. Pure. */
export function desire(rule: CompiledRule, p: ProcessInfo, ports: PortsResult | undefined): Desired {
  const vars: TemplateVars = { pid: p.pid, name: p.name };
  const id = renderId(rule, vars);
  const slot = renderTemplate(rule.id, { ...vars, pid: '*' }, idSafe);
  const base = { rule, id, slot, process: p };
  if (rule.url.uses.has('port')) {
    const waitingUrl = rule.url.render(vars, encodeURIComponent);
    if (!ports) return { ...base, state: { kind: 'waiting', message: WAITING_MESSAGE, url: waitingUrl } };
    if ('error' in ports)
      return { ...base, state: { kind: 'waiting', message: `${WAITING_MESSAGE} (${ports.error})`, url: waitingUrl } };
    const port = ports.ports[rule.config.portIndex];
    if (port === undefined)
      return { ...base, ports: ports.ports, state: { kind: 'waiting', message: WAITING_MESSAGE, url: waitingUrl } };
    vars.port = port;
    Object.assign(base, { ports: ports.ports, port });
  }
  try {
    return { ...base, state: { kind: 'check', registration: renderRegistration(rule, vars) } };
  } catch (err) {
    return { ...base, state: { kind: 'invalid', message: (err as Error).message } };
  }
}

/** One snapshot of the process table, shared by every rule, turned into what each rule wants. */
export async function evaluateRules(
  rules: CompiledRule[],
  reader: ProcReader,
  now: () => number = Date.now,
): Promise<Evaluation> {
  const started = performance.now();
  const table = rules.length > 0 ? await reader.table() : [];
  const selected = selectProcesses(rules, table);
  const dropped = new Map<number, number>();
  const overran = new Set<number>();
  const needPorts = new Set<number>();
  for (const [rule, procs] of selected) {
    if (!procs) {
      overran.add(rule.index);
      continue;
    }
    if (procs.length > MAX_CHECKS_PER_RULE) {
      dropped.set(rule.index, procs.length - MAX_CHECKS_PER_RULE);
      procs.length = MAX_CHECKS_PER_RULE;
    }
    if (rule.url.uses.has('port')) for (const p of procs) needPorts.add(p.pid);
  }
  const ports = needPorts.size > 0 ? await reader.ports([...needPorts]) : new Map<number, PortsResult>();
  const desired: Desired[] = [];
  for (const [rule, procs] of selected) for (const p of procs ?? []) desired.push(desire(rule, p, ports.get(p.pid)));
  return { at: now(), processes: table.length, readMs: performance.now() - started, desired, dropped, overran };
}
