import { loadConfig } from '../config/load.js';
import { redactConfig } from '../config/redact.js';

/**
 * `megaphone config check`: loads the config exactly as `serve` would (file, env, defaults) and
 * prints the effective config with secrets redacted. A bad config throws ConfigError (exit 1).
 */
export async function configCheck(opts: { config?: string; quiet?: boolean }, out: (s: string) => void): Promise<void> {
  const { config, file } = await loadConfig({ configFlag: opts.config });
  if (opts.quiet) return;
  out(`# ${file ?? '(no config file: built-in defaults)'} is valid; effective config:\n`);
  out(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
}
