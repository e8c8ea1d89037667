import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { CheckTable } from '../table/check-table.js';
import { assertConfigDependencies, compileConfigChecks } from './config-checks.js';
import type { DependencyGraph } from './dependencies.js';
import { timingChanged } from './timing.js';

/**
 * The config file as a source of checks (`checks`, source "config"). On reload removed ones stop,
 * new ones start, a changed spec is a new check (its state starts over), and a check whose only
 * change is timing from `defaults` is retimed keeping its state. Unchanged checks keep polling.
 * A reload whose checks would close a dependency cycle (or a chain over the bound) with the checks
 * megaphone holds (`graph`: API and discovery checks, registrations queued) is refused.
 */
export function configChecksFeature(
  config: Config,
  table: CheckTable,
  logger: Logger,
  graph: DependencyGraph,
): Feature {
  // Config checks go in first: a stored API registration with the same id is then left aside.
  for (const check of compileConfigChecks(config)) table.upsert(check);
  // What a reload would do; throws a ConfigError naming the check when it would close a cycle.
  const plan = (next: Config, prev: Config) => {
    const prevSpecs = new Map(prev.checks.map((s) => [s.id, s]));
    const nextSpecs = new Map(next.checks.map((s) => [s.id, s]));
    const wanted = compileConfigChecks(next);
    const removed = prev.checks
      .filter((s) => !nextSpecs.has(s.id) && table.get(s.id)?.check.source === 'config')
      .map((s) => s.id);
    const unchanged = (id: string) =>
      table.get(id)?.check.source === 'config' && isDeepStrictEqual(prevSpecs.get(id), nextSpecs.get(id));
    const changed = new Set(wanted.filter((c) => !unchanged(c.id)).map((c) => c.id));
    assertConfigDependencies(wanted, graph, { changed, removed, source: 'config reload' });
    return { wanted, removed, unchanged };
  };
  return {
    name: 'config checks',
    sections: [
      {
        key: 'checks',
        pick: (c) => [c.checks, c.defaults],
        validate: (next, prev) => void plan(next, prev),
        apply(next, prev) {
          // Planned again in the turn it is applied: a validation before an earlier section's await is stale.
          const { wanted, removed, unchanged } = plan(next, prev);
          for (const id of removed) table.remove(id);
          const started: string[] = [];
          for (const check of wanted) {
            if (unchanged(check.id)) {
              const running = table.get(check.id);
              if (running && timingChanged(running.check, check)) table.upsert(check, { keepState: true });
              continue;
            }
            table.upsert(check);
            started.push(check.id);
          }
          if (started.length > 0) logger.info({ ids: started }, 'config reload: config checks (re)started');
        },
      },
    ],
  };
}
