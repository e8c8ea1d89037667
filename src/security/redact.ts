import type { Config } from '../config/schema.js';

/** A copy of the config safe to print (`config check`, logs): the token is replaced. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  if (copy.auth.token !== undefined) copy.auth.token = '(redacted)';
  return copy;
}
