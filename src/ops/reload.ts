import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';

/**
 * One part of the config that a reload can apply on its own. `pick` selects what it owns;
 * `apply` runs only when that part changed, and must leave what did not change alone.
 */
export interface ReloadSection {
  name: string;
  pick(config: Config): unknown;
  apply(next: Config, prev: Config): void | Promise<void>;
  /** Set when only a restart can apply it: `apply` just says so. */
  restartOnly?: boolean;
}

export interface ReloadOutcome {
  applied: string[];
  /** Changed, but only a restart applies them. */
  needsRestart: string[];
}

/** Applies every changed section in order. A failing section is logged, the rest go on. */
export async function applyReload(sections: readonly ReloadSection[], prev: Config, next: Config, logger: Logger): Promise<ReloadOutcome> {
  const out: ReloadOutcome = { applied: [], needsRestart: [] };
  for (const section of sections) {
    if (isDeepStrictEqual(section.pick(prev), section.pick(next))) continue;
    try {
      await section.apply(next, prev);
      (section.restartOnly ? out.needsRestart : out.applied).push(section.name);
    } catch (err) {
      logger.error({ err, section: section.name }, 'config reload: could not apply a section');
    }
  }
  return out;
}

/** Sections that only a restart can apply: a reload logs that, and changes nothing. */
export function restartOnlySections(logger: Logger): ReloadSection[] {
  const warn = (name: string, pick: (c: Config) => unknown): ReloadSection => ({
    name,
    pick,
    restartOnly: true,
    apply(next, prev) {
      logger.warn({ key: name, running: pick(prev), configured: pick(next) }, `config reload: \`${name}\` changed; restart megaphone to apply it`);
    },
  });
  return [
    warn('listen', (c) => c.listen),
    warn('dataFile', (c) => c.dataFile),
    warn('limits.concurrentPolls', (c) => c.limits.concurrentPolls),
    warn('flap', (c) => c.flap),
    warn('limits.headersTimeout/requestTimeout/connectionsPerClient', (c) => [c.limits.headersTimeout, c.limits.requestTimeout, c.limits.connectionsPerClient]),
  ];
}
