import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import type { CheckTable } from '../table/check-table.js';
import { compileConfigChecks } from './config-checks.js';
import { timingChanged } from './timing.js';

/**
 * The config file as a source of checks (`checks`, source "config"). On reload removed ones stop,
 * new ones start, a changed spec is a new check (its state starts over), and a check whose only
 * change is timing from `defaults` is retimed keeping its state. Unchanged checks keep polling.
 */
export function configChecksFeature(config: Config, table: CheckTable, logger: Logger): Feature {
  // Config checks go in first: a stored API registration with the same id is then left aside.
  for (const check of compileConfigChecks(config)) table.upsert(check);
  return {
    name: 'config checks',
    sections: [
      {
        key: 'checks',
        pick: (c) => [c.checks, c.defaults],
        apply(next, prev) {
          const prevSpecs = new Map(prev.checks.map((s) => [s.id, s]));
          const nextSpecs = new Map(next.checks.map((s) => [s.id, s]));
          const wanted = compileConfigChecks(next);
          for (const spec of prev.checks) {
            if (!nextSpecs.has(spec.id) && table.get(spec.id)?.check.source === 'config') table.remove(spec.id);
          }
          const started: string[] = [];
          for (const check of wanted) {
            const running = table.get(check.id);
            if (
              running?.check.source === 'config' &&
              isDeepStrictEqual(prevSpecs.get(check.id), nextSpecs.get(check.id))
            ) {
              if (timingChanged(running.check, check)) table.upsert(check, { keepState: true });
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
