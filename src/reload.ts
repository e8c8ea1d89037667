import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { ReloadSection } from './feature.js';

export interface ReloadOutcome {
  /** Keys whose change was applied. */
  applied: string[];
  /** Keys that changed but only a restart applies (said again on every reload until then). */
  needsRestart: string[];
}

/**
 * Applies a new config section by section. Sections with `apply` are compared with the config
 * last applied; restart-only sections with the config the process started with, so a change
 * that is still waiting for a restart is reported by every reload, not only the first.
 */
export class Reloader {
  private current: Config;
  private readonly started: Config;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sections: readonly ReloadSection[],
    initial: Config,
    private readonly logger: Logger,
  ) {
    this.current = initial;
    this.started = initial;
  }

  /** The keys only a restart applies, derived from the sections (never listed by hand). */
  get restartOnly(): string[] {
    return this.sections.filter((s) => !s.apply).map((s) => s.key);
  }

  /**
   * Reloads run one at a time, in order. A section that refuses the new config (`validate`) refuses
   * the whole reload before anything is applied (the promise rejects with its error); a section
   * that fails to apply is logged, and the others go on.
   */
  reload(next: Config): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.apply(next));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(next: Config): Promise<ReloadOutcome> {
    const out: ReloadOutcome = { applied: [], needsRestart: [] };
    const prev = this.current;
    for (const section of this.sections) {
      if (section.apply && !isDeepStrictEqual(section.pick(prev), section.pick(next))) section.validate?.(next, prev);
    }
    for (const section of this.sections) {
      if (!section.apply) {
        const running = section.pick(this.started);
        const configured = section.pick(next);
        if (isDeepStrictEqual(running, configured)) continue;
        this.logger.warn(
          { key: section.key, running, configured },
          `config reload: \`${section.key}\` changed; restart megaphone to apply it`,
        );
        out.needsRestart.push(section.key);
        continue;
      }
      if (isDeepStrictEqual(section.pick(prev), section.pick(next))) continue;
      try {
        await section.apply(next, prev);
        out.applied.push(section.key);
      } catch (err) {
        this.logger.error({ err, section: section.key }, 'config reload: could not apply a section');
      }
    }
    this.current = next;
    return out;
  }
}
