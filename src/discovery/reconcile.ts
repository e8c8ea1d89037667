import type { Desired, DesiredState } from './evaluate.js';
import { renderId, type CompiledRule } from './rules.js';

export const MISSING_MESSAGE = 'process not running';

/** A check discovery owns, as last applied. */
export interface Owned {
  id: string;
  rule: CompiledRule;
  slot: string;
  /** What was applied, to skip upserts when nothing changed. */
  fingerprint: string;
  /** The pid behind it; undefined once missing (or never seen). */
  pid?: number;
  /** The last url applied: kept on the Critical check when the process goes away. */
  url: unknown;
}

/** What to do to the check table. */
export type Op =
  | { op: 'upsert'; id: string; rule: CompiledRule; state: DesiredState; pid?: number }
  | { op: 'missing'; id: string; rule: CompiledRule; url: unknown }
  | { op: 'remove'; id: string; rule: CompiledRule };

export const fingerprintOf = (s: DesiredState): string =>
  s.kind === 'check' ? `check:${JSON.stringify(s.registration)}` : `${s.kind}:${s.kind === 'waiting' ? s.message : ''}`;

const MISSING = 'missing';

/**
 * Compares what the rules want now with what discovery applied last time. Pure.
 * A changed check is upserted in place (never removed and re-added, so its history stays).
 * A vanished process: whenMissing "remove" drops its check; "critical" keeps it Critical until a
 * new process of the same slot (same id but for {pid}) replaces it. A rule whose id has no
 * placeholder is Critical from the start when nothing matches.
 */
export function reconcile(
  owned: ReadonlyMap<string, Owned>,
  desired: Desired[],
  rules: CompiledRule[],
  /** Rules (by index) not evaluated on this snapshot: their checks stay as they are. */
  unknown: ReadonlySet<number> = new Set(),
): { next: Map<string, Owned>; ops: Op[] } {
  const next = new Map<string, Owned>();
  const ops: Op[] = [];
  const newBySlot = new Map<string, number>();
  for (const d of desired) {
    // Two rules yielding one id: the first rule wins, or the check would flip between them.
    if (d.state.kind === 'invalid' || next.has(d.id)) continue;
    const fingerprint = fingerprintOf(d.state);
    const prev = owned.get(d.id);
    const url = d.state.kind === 'check' ? d.state.registration.url : d.state.url;
    if (!prev) newBySlot.set(`${d.rule.index}\0${d.slot}`, (newBySlot.get(`${d.rule.index}\0${d.slot}`) ?? 0) + 1);
    if (prev?.fingerprint !== fingerprint)
      ops.push({ op: 'upsert', id: d.id, rule: d.rule, state: d.state, pid: d.process.pid });
    next.set(d.id, { id: d.id, rule: d.rule, slot: d.slot, fingerprint, pid: d.process.pid, url });
  }
  for (const prev of owned.values()) {
    if (next.has(prev.id)) continue;
    if (unknown.has(prev.rule.index)) {
      next.set(prev.id, prev);
      continue;
    }
    const key = `${prev.rule.index}\0${prev.slot}`;
    const replacements = newBySlot.get(key) ?? 0;
    if (prev.rule.config.whenMissing === 'remove' || (replacements > 0 && !prev.rule.staticId)) {
      if (replacements > 0) newBySlot.set(key, replacements - 1);
      ops.push({ op: 'remove', id: prev.id, rule: prev.rule });
      continue;
    }
    if (prev.fingerprint !== MISSING) ops.push({ op: 'missing', id: prev.id, rule: prev.rule, url: prev.url });
    next.set(prev.id, { ...prev, fingerprint: MISSING, pid: undefined });
  }
  for (const rule of rules) {
    const id = renderId(rule, {});
    if (!rule.staticId || rule.config.whenMissing !== 'critical' || next.has(id) || unknown.has(rule.index)) continue;
    // Never seen since start-up: the service may have crashed before megaphone started.
    ops.push({ op: 'missing', id, rule, url: rule.url.value });
    next.set(id, { id, rule, slot: id, fingerprint: MISSING, url: rule.url.value });
  }
  return { next, ops };
}
