import type { Config } from '../config/schema.js';
import { ConfigError, MegaphoneError } from '../lib/errors.js';
import { compileCheck } from './compile.js';
import type { Check } from './definition.js';
import { findCycle } from './dependencies.js';

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
  const deps = new Map(checks.map((c) => [c.id, c.dependsOn]));
  checks.forEach((c, i) => {
    const cycle = findCycle(c.id, c.dependsOn, (id) => deps.get(id));
    if (cycle)
      throw new ConfigError(`${source}: \`checks[${i}].dependsOn\` makes a dependency cycle: ${cycle.join(' → ')}`);
  });
  return checks;
}
