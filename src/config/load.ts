import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lib/errors.js';
import { configSchema, type Config } from './schema.js';
import { formatIssue } from '../lib/format-issue.js';
import { compileConfigChecks } from '../checks/config-checks.js';
import { resolveTlsPaths, TlsMaterials } from '../tls/materials.js';

/** Flag values given on the command line; they override env and file. */
export interface ConfigOverrides {
  host?: string;
  port?: string | number;
  dataFile?: string;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or undefined when built-in defaults were used. */
  file: string | undefined;
}

/**
 * Validates a raw config object (already parsed JSON); relative TLS file paths are taken from `dir` (default the
 * working folder). Reads nothing but the TLS files the config names.
 */
export function parseConfig(raw: unknown, source = 'config', dir?: string): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${source}: ${formatIssue(result.error, raw)}`);
  if (dir !== undefined) resolveTlsPaths(result.data, dir);
  // Compiling the declared checks surfaces bad regexes and timings now, not at start.
  compileConfigChecks(result.data, source);
  // A missing or unusable TLS file stops start-up (or a reload) naming its key and path.
  TlsMaterials.load(result.data, source);
  return result.data;
}

function parsePort(value: string | number, from: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${from} must be a port number 0-65535, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Which file to read: --config, else MEGAPHONE_CONFIG, else ./megaphone.conf.json if present. */
export function resolveConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (flag) return path.resolve(cwd, flag);
  if (env.MEGAPHONE_CONFIG) return path.resolve(cwd, env.MEGAPHONE_CONFIG);
  const local = path.resolve(cwd, 'megaphone.conf.json');
  return existsSync(local) ? local : undefined;
}

export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let proto = false;
  let value: unknown;
  try {
    // Validation would drop a "__proto__" key without a word; refuse it, as the API does (E_BAD_JSON).
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') proto = true;
      return v;
    });
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (proto) throw new ConfigError(`config file ${file} has a "__proto__" key, which megaphone refuses`);
  return value;
}

/** Loads the effective config: file (or defaults), then env, then flags. */
export async function loadConfig(opts: {
  configFlag?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  overrides?: ConfigOverrides;
}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = resolveConfigFile(opts.configFlag, env, cwd);
  const raw = file ? await readConfigFile(file) : {};
  const config = parseConfig(raw, file ?? 'config', file ? path.dirname(file) : cwd);
  if (file) config.dataFile = path.resolve(path.dirname(file), config.dataFile);
  else config.dataFile = path.resolve(cwd, config.dataFile);
  if (config.auth.tokenFile !== undefined)
    config.auth.tokenFile = path.resolve(file ? path.dirname(file) : cwd, config.auth.tokenFile);

  const o = opts.overrides ?? {};
  const host = o.host ?? env.MEGAPHONE_HOST;
  if (host !== undefined) {
    if (host.trim() === '')
      throw new ConfigError(`${o.host !== undefined ? '--host' : 'MEGAPHONE_HOST'} must not be empty`);
    config.listen.host = host;
  }
  if (o.port !== undefined) config.listen.port = parsePort(o.port, '--port');
  else if (env.MEGAPHONE_PORT !== undefined) config.listen.port = parsePort(env.MEGAPHONE_PORT, 'MEGAPHONE_PORT');
  const dataFile = o.dataFile ?? env.MEGAPHONE_DATA_FILE;
  if (dataFile !== undefined) {
    if (dataFile.trim() === '') throw new ConfigError('the data file path must not be empty');
    config.dataFile = path.resolve(cwd, dataFile);
  }
  return { config, file };
}
