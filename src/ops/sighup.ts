import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ReloadOutcome } from '../reload.js';
import { ConfigError } from '../lib/errors.js';

/** SIGHUP re-reads the config and applies it; an invalid one is logged and the running one kept. */
export function onSighupReload(
  daemon: { reload(config: Config): Promise<ReloadOutcome> },
  load: () => Promise<LoadedConfig>,
  logger: Logger,
): void {
  let queued = Promise.resolve();
  process.on('SIGHUP', () => {
    queued = queued
      .then(async () => {
        logger.info('SIGHUP: reloading the config');
        let loaded: LoadedConfig;
        try {
          loaded = await load();
        } catch (err) {
          logger.error({ error: (err as Error).message }, 'config reload failed; keeping the current config');
          return;
        }
        let outcome: ReloadOutcome;
        try {
          outcome = await daemon.reload(loaded.config);
        } catch (err) {
          // Refused against what runs now (a dependency cycle with API checks): nothing was applied.
          if (!(err instanceof ConfigError)) throw err;
          logger.error({ error: err.message }, 'config reload failed; keeping the current config');
          return;
        }
        logger.info(
          { config: loaded.file, applied: outcome.applied, needsRestart: outcome.needsRestart },
          'config reloaded',
        );
      })
      .catch((err: unknown) => logger.error({ err }, 'config reload failed'));
  });
}
