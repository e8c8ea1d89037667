import type { Config } from '../config/schema.js';
import { ConfigError, MegaphoneError } from '../lib/errors.js';
import { compileCheck } from './compile.js';
import type { Check } from './definition.js';
import { dependencyProblem, describeProblem, withChanges, type DependencyGraph } from './dependencies.js';

/** Compiles the config file's `checks` (source "config"). Throws ConfigError naming `checks[i]` and the problem. */
export function compileConfigChecks(config: Pick<Config, 'checks' | 'defaults'>, source = 'config'): Check[] {
  const seen = new Set<string>();
  const checks = config.checks.map((spec, i) => {
    if (seen.has(spec.id))
      throw new ConfigError(`${source}: \`checks[${i}].id\` ${JSON.stringify(spec.id)} is declared twice`);
    seen.add(spec.id);
    try {
      return compileCheck(spec, 'config', config.defaults);
    } catch (err) {
      if (err instanceof MegaphoneError)
        throw new ConfigError(
          `${source}: \`checks[${i}]\` (${JSON.stringify(spec.id)}): ` +
            `${err.message.replace(/`([^`]+)`/, (_m, k: string) => `\`checks[${i}].${k}\``)}`,
        );
      throw err;
    }
  });
  assertConfigDependencies(checks, NO_GRAPH, { source });
  return checks;
}

const NO_GRAPH: DependencyGraph = { depsOf: () => [], dependentsOf: () => [] };

/**
 * Throws a ConfigError naming `checks[i].dependsOn` when the config's checks, in `graph` (the other
 * checks megaphone holds; none when the file is read alone), make a cycle or a chain over the bound.
 * `changed`: only those are checked (the others stand as they were); `removed`: config checks that go.
 */
export function assertConfigDependencies(
  checks: readonly Check[],
  graph: DependencyGraph,
  opts: { source?: string; changed?: ReadonlySet<string>; removed?: Iterable<string> } = {},
): void {
  const changes = new Map<string, readonly string[] | null>();
  for (const id of opts.removed ?? []) changes.set(id, null);
  for (const c of checks) changes.set(c.id, c.dependsOn);
  const starts = checks.filter((c) => opts.changed?.has(c.id) ?? true).map((c) => c.id);
  const problem = dependencyProblem(starts, withChanges(graph, changes));
  if (!problem) return;
  const i = checks.findIndex((c) => c.id === problem.at);
  throw new ConfigError(`${opts.source ?? 'config'}: \`checks[${i}].dependsOn\` ${describeProblem(problem)}`);
}
