import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { compileConfigChecks } from '../checks/config-checks.js';
import { timingChanged } from '../checks/timing-changed.js';
import type { Monitor } from '../monitor.js';
import type { ReloadSection } from './reload.js';

/**
 * The config file's `checks` on reload: removed ones stop, new ones start, a changed spec is a
 * new check (its state starts over), and a check whose only change is timing from `defaults`
 * is retimed keeping its state. Unchanged checks are not touched, so their polls go on.
 */
export function configChecksSection(monitor: Monitor, logger: Logger): ReloadSection {
  return {
    name: 'checks',
    pick: (c) => [c.checks, c.defaults],
    apply(next, prev) {
      const prevSpecs = new Map(prev.checks.map((s) => [s.id, s]));
      const wanted = compileConfigChecks(next);
      const wantedIds = new Set(wanted.map((c) => c.id));
      for (const spec of prev.checks) {
        if (!wantedIds.has(spec.id) && monitor.get(spec.id)?.check.source === 'config') monitor.remove(spec.id);
      }
      const started: string[] = [];
      for (const check of wanted) {
        const running = monitor.get(check.id);
        const sameSpec = isDeepStrictEqual(prevSpecs.get(check.id), next.checks.find((s) => s.id === check.id));
        if (running?.check.source === 'config' && sameSpec) {
          if (timingChanged(running.check, check)) monitor.upsert(check, { keepState: true });
          continue;
        }
        monitor.upsert(check);
        started.push(check.id);
      }
      if (started.length > 0) logger.info({ ids: started }, 'config reload: config checks (re)started');
    },
  };
}
