import type { Logger } from 'pino';
import { compileCheck } from '../checks/compile.js';
import type { Check } from '../checks/definition.js';
import type { Registration } from '../checks/spec.js';
import { publicUrl } from '../checks/redact.js';
import type { CheckDefaults } from '../checks/timing.js';
import type { CheckTable } from '../table/check-table.js';
import { dependencyProblem, describeProblem, withChanges } from '../checks/dependencies.js';
import type { QueuedWrites } from '../registrations/pending.js';
import { evaluateRules, type DesiredState, type Evaluation } from './evaluate.js';
import type { ProcReader } from './reader.js';
import { MISSING_MESSAGE, reconcile, type Op, type Owned } from './reconcile.js';
import type { CompiledRule } from './rules.js';
import { wildcardMatcher } from '../lib/wildcard.js';

export interface DiscoveryDeps {
  rules: CompiledRule[];
  intervalMs: number;
  reader: ProcReader;
  table: CheckTable;
  defaults: CheckDefaults;
  maxChecks: number;
  logger: Logger;
  now?: () => number;
  /** Registrations queued to the data file: their ids are taken, their links and their number count. */
  pending?: QueuedWrites;
}

/** GET /discovery's body. */
export interface DiscoveryView {
  interval: number;
  lastSnapshot: { at: string; processes: number; readMs: number } | null;
  rules: Array<{
    rule: string;
    whenMissing: string;
    checks: Array<{ id: string; pid: number | null; url: unknown; status: string | null; message: string | null }>;
    /** Checks the rule yields but megaphone refused at the last snapshot, and why (a dependency cycle …). */
    refused: Array<{ id: string; error: string }>;
  }>;
}

// Ids like "worker-{pid}" are reserved for their rule even while no such process runs. Matched without a regex:
// the id comes from the API, and `{pid}{pid}…` as a regex backtracks.
const patternsOf = (rules: CompiledRule[]) =>
  rules
    .filter((r) => r.id.uses.has('pid') && !r.id.uses.has('name'))
    .map((rule) => ({
      rule,
      matches: wildcardMatcher(rule.id.parts.map((p) => (typeof p === 'string' ? p : { run: 'digits' as const }))),
    }));

/**
 * The thin, stateful side of discovery: one snapshot per interval, shared by every rule, and the
 * resulting changes applied to the check table as checks with source "discovery".
 */
export class DiscoveryRunner {
  private owned = new Map<string, Owned>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly warned = new Set<string>();
  /** Checks refused at the last snapshot, by id (bounded: at most 256 per rule). */
  private refused = new Map<string, { rule: CompiledRule; error: string }>();
  private pidPatterns: Array<{ matches: (id: string) => boolean; rule: CompiledRule }>;
  /** The last evaluation, for diagnostics. */
  last: Evaluation | undefined;

  constructor(private deps: DiscoveryDeps) {
    this.pidPatterns = patternsOf(deps.rules);
  }

  /**
   * A config reload: new rules, interval and defaults, applied by a snapshot now. Checks whose
   * registration is unchanged are not touched (reconcile compares fingerprints), so they keep polling.
   */
  async reconfigure(next: Pick<DiscoveryDeps, 'rules' | 'intervalMs' | 'defaults' | 'maxChecks'>): Promise<void> {
    const hadRules = this.deps.rules.length > 0;
    this.deps = { ...this.deps, ...next };
    this.pidPatterns = patternsOf(next.rules);
    // Checks of a rule that is gone (or changed) go with it; a kept rule's checks move to its new object.
    const byConfig = new Map(next.rules.map((r) => [JSON.stringify(r.config), r]));
    for (const [id, o] of this.owned) {
      const rule = byConfig.get(JSON.stringify(o.rule.config));
      if (rule) o.rule = rule;
      else {
        this.owned.delete(id);
        this.deps.table.remove(id);
      }
    }
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (next.rules.length > 0 || hadRules) await this.tick();
    if (next.rules.length > 0) this.schedule();
  }

  /** Applies the first snapshot (so discovered checks exist before the API answers), then one per interval. */
  async start(): Promise<void> {
    if (this.deps.rules.length === 0) return;
    await this.tick();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Closing the reader first ends a snapshot in flight rather than waiting for it.
    await this.deps.reader.close?.();
    await this.running;
  }

  /** The rule that owns an id (a check it made, its fixed id, or its {pid} pattern), for 409s. */
  ownerOf(id: string): string | undefined {
    const owned = this.owned.get(id);
    if (owned) return owned.rule.label;
    return this.pidPatterns.find((p) => p.matches(id))?.rule.label;
  }

  /** What GET /discovery shows: each rule and the checks it owns now. */
  view(): DiscoveryView {
    const last = this.last;
    return {
      interval: this.deps.intervalMs,
      lastSnapshot: last
        ? { at: new Date(last.at).toISOString(), processes: last.processes, readMs: Math.round(last.readMs) }
        : null,
      rules: this.deps.rules.map((rule) => ({
        rule: rule.label,
        whenMissing: rule.config.whenMissing,
        checks: [...this.owned.values()]
          .filter((o) => o.rule === rule)
          .map((o) => {
            const state = this.deps.table.get(o.id);
            return {
              id: o.id,
              pid: o.pid ?? null,
              url: publicUrl(o.url),
              status: state?.status ?? null,
              message: state?.message ?? null,
            };
          }),
        refused: [...this.refused].filter(([, r]) => r.rule === rule).map(([id, r]) => ({ id, error: r.error })),
      })),
    };
  }

  /** One snapshot and its changes; a failed snapshot changes nothing. */
  tick(): Promise<void> {
    this.running ??= this.runTick().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'discovery: snapshot failed'))
        .finally(() => this.schedule());
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  private async runTick(): Promise<void> {
    let evaluation: Evaluation;
    try {
      evaluation = await evaluateRules(this.deps.rules, this.deps.reader, this.deps.now);
    } catch (err) {
      // Not seeing the table is not the same as the processes being gone: keep every check as it is.
      this.deps.logger.error({ err }, 'discovery: cannot read the process table');
      return;
    }
    if (this.stopped) return;
    this.last = evaluation;
    for (const d of evaluation.desired) {
      if (d.state.kind === 'invalid')
        this.warnOnce(
          `${d.id}:${d.state.message}`,
          { rule: d.rule.label, pid: d.process.pid },
          `discovery: rule yields an invalid check: ${d.state.message}`,
        );
    }
    for (const index of evaluation.overran) {
      const rule = this.deps.rules[index];
      this.warnOnce(
        `overran:${index}`,
        { rule: rule?.label },
        "discovery: the rule's match regexes ran out of their time budget on a snapshot; its checks stay as they were",
      );
    }
    const { next, ops } = reconcile(this.owned, evaluation.desired, this.deps.rules, evaluation.overran);
    this.owned = next;
    // Refused checks are forgotten (see apply): each snapshot tries them again and says why anew.
    this.refused = new Map();
    for (const op of ops) this.apply(op);
  }

  private apply(op: Op): void {
    const { table, logger } = this.deps;
    const existing = table.get(op.id);
    // Not applied: forget it, so the next snapshot tries again (e.g. once the API check is deleted).
    const skip = () => void this.owned.delete(op.id);
    const { pending } = this.deps;
    if ((existing && existing.check.source !== 'discovery') || (!existing && pending?.queued(op.id))) {
      this.warnOnce(
        `foreign:${op.id}`,
        { rule: op.rule.label, id: op.id, source: existing?.check.source ?? 'api' },
        'discovery: id is taken by a check from elsewhere; leaving it alone',
      );
      return skip();
    }
    if (op.op === 'remove') {
      if (table.remove(op.id))
        logger.info({ id: op.id, rule: op.rule.label }, 'discovery: process gone, check removed');
      return;
    }
    if (!existing && table.size + (pending?.fresh ?? 0) >= this.deps.maxChecks) {
      this.warnOnce(
        `limit:${op.id}`,
        { id: op.id, rule: op.rule.label },
        'discovery: limits.maxChecks reached; check not added',
      );
      return skip();
    }
    const check =
      op.op === 'missing'
        ? this.fixed(op.id, op.rule, op.url, 'Critical', MISSING_MESSAGE)
        : this.build(op.id, op.rule, op.state);
    if (!check) return skip();
    // Validated against the table and the queued registrations, in the turn the table takes it.
    const problem =
      pending && dependencyProblem([op.id], withChanges(pending.graph, new Map([[op.id, check.dependsOn]])));
    if (problem) {
      const error = `\`dependsOn\` ${describeProblem(problem)}`;
      this.refused.set(op.id, { rule: op.rule, error });
      this.warnOnce(`deps:${op.id}:${error}`, { rule: op.rule.label, id: op.id }, `discovery: check refused: ${error}`);
      return skip();
    }
    table.upsert(check);
    logger.info(
      {
        id: op.id,
        rule: op.rule.label,
        ...(op.op === 'upsert' ? { pid: op.pid } : {}),
        status: table.get(op.id)?.status,
        url: check.url,
      },
      op.op === 'missing' ? 'discovery: process not running' : 'discovery: check applied',
    );
  }

  private build(id: string, rule: CompiledRule, state: DesiredState): Check | undefined {
    if (state.kind === 'waiting') return this.fixed(id, rule, state.url, 'Unknown', state.message);
    if (state.kind === 'invalid') return undefined;
    try {
      return { ...compileCheck(state.registration, 'discovery', this.deps.defaults), rule: rule.label };
    } catch (err) {
      this.warnOnce(
        `compile:${id}`,
        { rule: rule.label, id },
        `discovery: rule yields an invalid check: ${(err as Error).message}`,
      );
      return undefined;
    }
  }

  private fixed(id: string, rule: CompiledRule, url: unknown, status: 'Critical' | 'Unknown', message: string): Check {
    const { interval, timeout } = this.deps.defaults;
    // Never stored or re-validated: the registration only records the id.
    const registration = { id } as Registration;
    return {
      kind: 'fixed',
      id,
      source: 'discovery',
      rule: rule.label,
      url,
      registration,
      status,
      message,
      intervalMs: interval,
      timeoutMs: timeout,
      rise: 1,
      fall: 1,
      dependsOn: rule.config.dependsOn ?? [],
    };
  }

  private warnOnce(key: string, fields: object, message: string): void {
    if (this.warned.has(key)) return;
    // Bounded: a rule failing for every new pid must not grow this forever.
    if (this.warned.size >= 1000) this.warned.clear();
    this.warned.add(key);
    this.deps.logger.warn(fields, message);
  }
}
