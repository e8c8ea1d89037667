import { badRequest, type MegaphoneError } from '../lib/errors.js';
import { cycleThrough, walk, type Walk } from './dependency-walk.js';

/** Longest chain of `dependsOn` links through one check (`a → b → c` is 2 links); 64. */
export const MAX_DEPENDENCY_DEPTH = 64;

/** The dependency graph as some state has it (the check table, plus writes queued, plus a change). */
export interface DependencyGraph {
  /** An id's `dependsOn`; none when there is no such check. */
  depsOf(id: string): readonly string[];
  /** Ids that may name `id` in their `dependsOn`: an index, each checked against depsOf. */
  dependentsOf(id: string): Iterable<string>;
}

/** `base` with some checks' `dependsOn` replaced (null: the check goes). */
export function withChanges(
  base: DependencyGraph,
  changes: ReadonlyMap<string, readonly string[] | null>,
): DependencyGraph {
  const named = new Map<string, string[]>();
  for (const [id, deps] of changes) {
    for (const dep of deps ?? []) {
      const list = named.get(dep);
      if (list) list.push(id);
      else named.set(dep, [id]);
    }
  }
  return {
    depsOf(id) {
      const changed = changes.get(id);
      return changed === undefined ? base.depsOf(id) : (changed ?? []);
    },
    *dependentsOf(id) {
      yield* base.dependentsOf(id);
      yield* named.get(id) ?? [];
    },
  };
}

/** What is wrong with a graph after a change: a cycle through a changed id, or a chain over the bound. */
export type DependencyProblem =
  | { kind: 'cycle'; at: string; ids: string[] }
  /** `ids`: the longest chain, or (`more`) the first chain over `max` links a walk met (it stopped there). */
  | { kind: 'depth'; at: string; ids: string[]; max: number; more?: boolean };

// The ids along a walk's longest chain from `id`.
function chain(w: Walk, id: string): string[] {
  const ids = [id];
  for (let at = w.reached.get(id)?.via; at !== undefined; at = w.reached.get(at)?.via) ids.push(at);
  return ids;
}

/**
 * What giving the `changed` ids their `dependsOn` in `graph` would do wrong: a cycle through one
 * of them (a cycle already there that none of them is on is not theirs), or a chain through one of
 * them longer than `max` links. Linear in the checks and links reached; nothing recursive.
 */
export function dependencyProblem(
  changed: Iterable<string>,
  graph: DependencyGraph,
  max = MAX_DEPENDENCY_DEPTH,
): DependencyProblem | undefined {
  const ids = [...changed];
  const rank = new Map(ids.map((id, i) => [id, i]));
  const depsOf = (id: string) => graph.depsOf(id);
  const down = walk(ids, depsOf, max);
  if (down.deep) return { kind: 'depth', at: down.deep[0] as string, ids: down.deep, max, more: true };
  let first: string | undefined;
  for (const members of down.cycles) {
    for (const m of members) if (rank.has(m) && (first === undefined || rank.get(m)! < rank.get(first)!)) first = m;
  }
  if (first !== undefined) {
    const members = new Set(down.cycles.find((c) => c.includes(first as string)));
    return { kind: 'cycle', at: first, ids: cycleThrough(first, members, depsOf) };
  }
  const up = walk(
    ids,
    (id) => {
      const named = new Set<string>();
      for (const d of graph.dependentsOf(id)) if (graph.depsOf(d).includes(id)) named.add(d);
      return [...named];
    },
    max,
  );
  if (up.deep) return { kind: 'depth', at: up.deep[0] as string, ids: [...up.deep].reverse(), max, more: true };
  for (const id of ids) {
    if ((down.reached.get(id)?.height ?? 0) + (up.reached.get(id)?.height ?? 0) <= max) continue;
    return { kind: 'depth', at: id, ids: [...chain(up, id).reverse(), ...chain(down, id).slice(1)], max };
  }
  return undefined;
}

/** The checks of `ids` that lie on a dependency cycle (e.g. in a data file written before cycles were refused). */
export function onCycles(ids: Iterable<string>, depsOf: (id: string) => readonly string[]): string[][] {
  return walk(ids, depsOf).cycles;
}

// A long chain is named by its ends and the check that made it.
function showChain(ids: readonly string[], at: string): string {
  if (ids.length <= 7) return ids.join(' → ');
  const i = ids.indexOf(at);
  const middle = i > 2 && i < ids.length - 3 ? [at, '…'] : [];
  return [...ids.slice(0, 3), '…', ...middle, ...ids.slice(-3)].join(' → ');
}

/** How a problem reads after the field that caused it: `… makes a dependency cycle: a → b → a`. */
export function describeProblem(p: DependencyProblem): string {
  if (p.kind === 'cycle') return `makes a dependency cycle: ${p.ids.join(' → ')}`;
  // A walk stops at the first chain over the bound (`more`): that much of it is named.
  const links = p.more ? `more than ${p.max}` : String(p.ids.length - 1);
  return `makes a dependency chain of ${links} links (${showChain(p.ids, p.at)}); at most ${p.max} links are allowed`;
}

/** The 400 for a problem: E_DEPENDENCY_CYCLE or E_DEPENDENCY_DEPTH, naming the cycle or the chain and the bound. */
export function dependencyError(p: DependencyProblem): MegaphoneError {
  return badRequest(
    `\`dependsOn\` ${describeProblem(p)}`,
    p.kind === 'cycle' ? 'E_DEPENDENCY_CYCLE' : 'E_DEPENDENCY_DEPTH',
  );
}

/** Throws dependencyError when giving `id` its `dependsOn` in `graph` is a problem. */
export function assertDependencies(id: string, dependsOn: readonly string[], graph: DependencyGraph): void {
  // No links out: no cycle through it, and every chain ending at it counted it already (an id need not exist).
  if (dependsOn.length === 0) return;
  const problem = dependencyProblem([id], withChanges(graph, new Map([[id, dependsOn]])));
  if (problem) throw dependencyError(problem);
}
