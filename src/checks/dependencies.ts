import { badRequest } from '../lib/errors.js';

/**
 * The cycle that `dependsOn` of `id` would close, as the ids along it (`[a, b, a]`), or undefined.
 * `depsOf` gives every other check's dependencies as they stand. Ids that do not exist have none.
 */
export function findCycle(
  id: string,
  dependsOn: readonly string[],
  depsOf: (id: string) => readonly string[] | undefined,
): string[] | undefined {
  const seen = new Set<string>();
  // Depth-first along dependsOn edges; the path is kept to name the cycle.
  const visit = (at: string, path: string[]): string[] | undefined => {
    const next = at === id ? dependsOn : (depsOf(at) ?? []);
    for (const dep of next) {
      if (dep === id) return [...path, dep];
      if (seen.has(dep)) continue;
      seen.add(dep);
      const found = visit(dep, [...path, dep]);
      if (found) return found;
    }
    return undefined;
  };
  return visit(id, [id]);
}

/** Throws a 400 naming the cycle when `dependsOn` of `id` would close one. */
export function assertNoCycle(
  id: string,
  dependsOn: readonly string[],
  depsOf: (id: string) => readonly string[] | undefined,
): void {
  const cycle = findCycle(id, dependsOn, depsOf);
  if (cycle) throw badRequest(`\`dependsOn\` makes a dependency cycle: ${cycle.join(' → ')}`, 'E_DEPENDENCY_CYCLE');
}
