import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      cwd: tempDir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('megaphone CLI', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists serve and its flags', async () => {
    const r = await run(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--config', '--host', '--port', '--data-file']) expect(r.stdout).toContain(flag);
  });

  it.each([
    [['serve', '--bogus'], /unknown option '--bogus'/],
    [['serve', '--port', 'eighty'], /--port must be a port number.*"eighty"/],
    [['serve', '--config', '/nonexistent/m.json'], /cannot read config file \/nonexistent\/m\.json/],
  ])('%j exits non-zero with one clear line', async (args, pattern) => {
    const r = await run(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a config with an unknown key stops start-up naming the key', async () => {
    const dir = tempDir();
    const conf = path.join(dir, 'm.json');
    writeFileSync(conf, JSON.stringify({ listen: { port: 0, hots: 'x' } }));
    const r = await run(['--config', conf]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown key `listen\.hots`/);
  });

  it('MEGAPHONE_PORT that is not a port stops start-up naming it', async () => {
    const r = await run([], { MEGAPHONE_PORT: 'abc' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/MEGAPHONE_PORT.*"abc"/);
  });
});
