import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { ConfigError } from '../src/lib/errors.js';
import { tempDir } from './helpers/app.js';

describe('config', () => {
  it('has the documented defaults when empty', () => {
    const c = parseConfig({});
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 18001 });
    expect(c.dataFile).toBe('megaphone.db.json');
    expect(c.defaults).toEqual({ interval: 10_000, timeout: 3_000, rise: 1, fall: 1 });
    expect(c.flap).toEqual({ window: 10, changes: 5 });
    expect(c.checks).toEqual([]);
  });

  it.each([
    ['"250ms"', '250ms', 250],
    ['"10s"', '10s', 10_000],
    ['"2m"', '2m', 120_000],
    ['a number of milliseconds', 1500, 1500],
  ])('reads a duration given as %s', (_label, value, ms) => {
    expect(parseConfig({ defaults: { interval: value } }).defaults.interval).toBe(ms);
  });

  it.each([
    [{ listen: { port: 'abc' } }, /`listen\.port`.*"abc"/],
    [{ listen: { port: 70000 } }, /`listen\.port`.*70000/],
    [{ defaults: { interval: 'soon' } }, /`defaults\.interval` must be a duration.*"soon"/],
    [{ listen: { hots: 'x' } }, /unknown key `listen\.hots`/],
    [{ colour: 'blue' }, /unknown key `colour`/],
    [{ dataFile: '' }, /`dataFile`/],
  ])('rejects %j with an error naming the key and the value', (raw, pattern) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(pattern);
  });

  it('resolves --config, then MEGAPHONE_CONFIG, then ./megaphone.conf.json, then defaults', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    writeFileSync(a, JSON.stringify({ listen: { port: 1111 } }));
    writeFileSync(b, JSON.stringify({ listen: { port: 2222 } }));
    writeFileSync(path.join(dir, 'megaphone.conf.json'), JSON.stringify({ listen: { port: 3333 } }));
    expect((await loadConfig({ configFlag: a, env: { MEGAPHONE_CONFIG: b }, cwd: dir })).config.listen.port).toBe(1111);
    expect((await loadConfig({ env: { MEGAPHONE_CONFIG: b }, cwd: dir })).config.listen.port).toBe(2222);
    expect((await loadConfig({ env: {}, cwd: dir })).config.listen.port).toBe(3333);
    const empty = tempDir();
    const loaded = await loadConfig({ env: {}, cwd: empty });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.listen.port).toBe(18001);
  });

  it('env overrides the file and flags override env', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'megaphone.conf.json'), JSON.stringify({ listen: { host: '127.0.0.1', port: 1 } }));
    const env = { MEGAPHONE_HOST: '::1', MEGAPHONE_PORT: '2', MEGAPHONE_DATA_FILE: 'env.json' };
    const fromEnv = (await loadConfig({ env, cwd: dir })).config;
    expect(fromEnv.listen).toEqual({ host: '::1', port: 2 });
    expect(fromEnv.dataFile).toBe(path.join(dir, 'env.json'));
    const fromFlags = (
      await loadConfig({ env, cwd: dir, overrides: { host: 'localhost', port: '3', dataFile: 'flag.json' } })
    ).config;
    expect(fromFlags.listen).toEqual({ host: 'localhost', port: 3 });
    expect(fromFlags.dataFile).toBe(path.join(dir, 'flag.json'));
  });

  it('resolves a relative dataFile against the config file folder', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'conf', 'm.json');
    await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(file)));
    writeFileSync(file, JSON.stringify({ dataFile: 'state/db.json' }));
    expect((await loadConfig({ configFlag: file, env: {}, cwd: '/' })).config.dataFile).toBe(
      path.join(dir, 'conf', 'state', 'db.json'),
    );
  });

  it('names a bad MEGAPHONE_PORT and a config file that is not JSON', async () => {
    const dir = tempDir();
    await expect(loadConfig({ env: { MEGAPHONE_PORT: 'http' }, cwd: dir })).rejects.toThrow(/MEGAPHONE_PORT.*"http"/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ listen: ');
    await expect(loadConfig({ configFlag: bad, env: {}, cwd: dir })).rejects.toThrow(/bad\.json is not valid JSON/);
    await expect(loadConfig({ configFlag: path.join(dir, 'missing.json'), env: {}, cwd: dir })).rejects.toThrow(
      /cannot read config file .*missing\.json: ENOENT/,
    );
  });
});
