import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, MEGAPHONE_CONFIG: '', ...env },
      cwd: tempDir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function configFile(content: unknown): string {
  const file = path.join(tempDir(), 'megaphone.conf.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const effective = (stdout: string) => JSON.parse(stdout.replace(/^#.*\n/, '')) as Record<string, unknown>;

describe.concurrent('megaphone config check', () => {
  it('prints the effective config with defaults filled in and exits 0', async () => {
    const file = configFile({ listen: { port: 18123 }, history: { retention: '2d' } });
    const r = await run(['config', 'check', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file} is valid`);
    const c = effective(r.stdout);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 18123 });
    expect(c.history).toEqual({ retention: 2 * 86_400_000, perCheck: 100 });
    expect(c.dataFile).toBe(path.join(path.dirname(file), 'megaphone.db.json'));
  });

  it('redacts secrets: passwords and query strings of webhook URLs', async () => {
    const file = configFile({
      notify: [{ url: 'https://bot:hunter2@hooks.example.com/services/T0?token=s3cret', format: 'slack' }],
    });
    const r = await run(['config', 'check', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).not.toContain('s3cret');
    expect((effective(r.stdout).notify as { url: string }[])[0]?.url).toBe(
      'https://bot:***@hooks.example.com/services/T0?***',
    );
  });

  it('redacts by exact key: the token and secret header values; flags and paths print as they are', async () => {
    const dir = tempDir();
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'file-token-0123456789abcdef\n');
    const headers = { Authorization: 'Bearer h1', Cookie: 'sid=h2', 'X-Api-Token': 'h3', 'X-Request-Id': 'visible' };
    const withToken = configFile({
      auth: { token: 'inline-token-0123456789', requireTokenOnLoopback: true },
      checks: [
        { id: 'web', url: { addr: 'http://svc:pw1@127.0.0.1:8080/health?format=json', headers } },
        { id: 'plain', url: 'http://user:pw2@127.0.0.1:8081/health' },
      ],
      discovery: { rules: [{ match: { name: 'nginx' }, id: 'nginx', url: { addr: 'http://127.0.0.1/', headers } }] },
    });
    const r = await run(['config', 'check', '--config', withToken]);
    expect(r.code, r.stderr).toBe(0);
    for (const secret of ['inline-token', 'Bearer h1', 'sid=h2', 'h3', 'pw1', 'pw2'])
      expect(r.stdout).not.toContain(secret);
    const c = effective(r.stdout) as {
      auth: unknown;
      checks: { url: unknown }[];
      discovery: { rules: { url: unknown }[] };
    };
    expect(c.auth).toEqual({ token: '***', requireTokenOnLoopback: true });
    const shownHeaders = { Authorization: '***', Cookie: '***', 'X-Api-Token': '***', 'X-Request-Id': 'visible' };
    expect(c.checks[0]?.url).toEqual({
      addr: 'http://svc:***@127.0.0.1:8080/health?format=json',
      headers: shownHeaders,
    });
    expect(c.checks[1]?.url).toBe('http://user:***@127.0.0.1:8081/health');
    expect(c.discovery.rules[0]?.url).toEqual({ addr: 'http://127.0.0.1/', headers: shownHeaders });

    const fromFile = await run([
      'config',
      'check',
      '--config',
      configFile({ auth: { tokenFile, requireTokenOnLoopback: false } }),
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).not.toContain('file-token');
    expect(effective(fromFile.stdout).auth).toEqual({ tokenFile, requireTokenOnLoopback: false });
  });

  it.each([
    [
      { notify: [{ url: 'ftp://example.com/x' }] },
      /`notify\.0\.url` must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/example\.com\/x"/,
    ],
    [{ notify: [{ url: 'http://x.example/', repeat: '10ms' }] }, /`notify\.0\.repeat` must be between 1s and 7d/],
    [{ history: { retention: 'forever' } }, /`history\.retention` must be a duration/],
    [{ histroy: {} }, /unknown key `histroy`/],
    ['{ not json', /not valid JSON/],
    // Validation would drop it without a word (zod skips the key): refused, as the API does.
    ['{"checks":[{"id":"a","url":{"addr":"http://127.0.0.1/","headers":{"__proto__":"x"}}}]}', /"__proto__" key/],
  ])('%j exits 1 naming what is wrong', async (content, pattern) => {
    const r = await run(['config', 'check', '--config', configFile(content)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stdout).toBe('');
  });

  it('--quiet prints nothing for a valid config (the unit runs it before every start)', async () => {
    const r = await run(['config', 'check', '--quiet', '--config', configFile({})]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('finds the config through $MEGAPHONE_CONFIG like serve does', async () => {
    const file = configFile({ listen: { port: 1 } });
    const r = await run(['config', 'check'], { MEGAPHONE_CONFIG: file });
    expect(r.code).toBe(0);
    expect((effective(r.stdout).listen as { port: number }).port).toBe(1);
  });
});
