import type { Config } from './config/schema.js';

/**
 * One part of the config that a feature owns. `apply` runs on a reload only when what `pick`
 * selects changed, and must leave what did not change alone. Without `apply`, only a restart
 * can apply it: a reload says so (every time, until the process restarts).
 */
export interface ReloadSection {
  /** The config key(s), as an operator writes them: "notify", "limits.maxChecks". */
  key: string;
  pick(config: Config): unknown;
  /** Throws (a ConfigError naming the problem) when `next` cannot apply to what runs now: the reload is refused. */
  validate?(next: Config, prev: Config): void;
  apply?(next: Config, prev: Config): void | Promise<void>;
}

/**
 * A feature of megaphone as the composition root sees it: the config it owns and how a reload
 * applies it, what it starts once megaphone runs, and how it closes. The root only collects these.
 */
export interface Feature {
  name: string;
  sections?: ReloadSection[];
  /** Called once everything is built, before the daemon listens. */
  start?(): void | Promise<void>;
  /** Called in reverse order of the features on close. */
  close?(): void | Promise<void>;
}
