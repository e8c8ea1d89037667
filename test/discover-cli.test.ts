import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './helpers/app.js';
import { CLI } from './helpers/daemon.js';
import { runToken, spawnStatusProcess, type StatusProcess } from './helpers/status-process.js';

const run = promisify(execFile);
const procs: StatusProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill();
});

function configWith(rules: unknown[]): { dir: string; file: string } {
  const dir = tempDir('megaphone-discover-');
  const file = path.join(dir, 'megaphone.conf.json');
  writeFileSync(file, JSON.stringify({ discovery: { rules } }));
  return { dir, file };
}

const rules = (token: string) => [
  { match: { cmd: `status-service\\.mjs ${token}` }, id: 'svc', url: 'http://127.0.0.1:{port}/status' },
  {
    match: { cmd: `status-service\\.mjs ${token}` },
    id: 'worker-{pid}',
    url: { addr: 'http://127.0.0.1:{port}/status', jsonpath: 'status' },
    whenMissing: 'remove',
  },
  { match: { cmd: `never-${token}` }, id: 'ghost', url: 'http://127.0.0.1:{port}/' },
];

describe('megaphone discover', () => {
  it('prints each rule, the processes it matches now, their ports and the checks they would become', async () => {
    const token = runToken();
    const s = spawnStatusProcess(token);
    procs.push(s);
    const port = await s.listening;
    const { dir, file } = configWith(rules(token));
    const { stdout } = await run(process.execPath, [CLI, 'discover', '--config', file]);
    expect(stdout).toMatch(/^read \d+ processes in \d+ ms$/m);
    expect(stdout).toContain('discovery.rules[0] (id "svc"): 1 matching process\n');
    expect(stdout).toContain(`  pid ${s.pid} node (user `);
    expect(stdout).toContain(`port ${port}: `);
    expect(stdout).toContain(`    -> check "svc" "http://127.0.0.1:${port}/status"`);
    expect(stdout).toContain(
      `    -> check "worker-${s.pid}" {"addr":"http://127.0.0.1:${port}/status","jsonpath":"status"}`,
    );
    expect(stdout).toContain(
      'discovery.rules[2] (id "ghost"): 0 matching processes\n  nothing matches -> check "ghost" Critical ' +
        '"process not running"',
    );
    // It changes nothing: no data file appears beside the config.
    expect(readdirSync(dir)).toEqual(['megaphone.conf.json']);
    expect(existsSync(path.join(dir, 'megaphone.db.json'))).toBe(false);
  });

  it('--json gives the same as data, including a process not listening yet', async () => {
    const token = runToken();
    const s = spawnStatusProcess(token, { waitSignal: true });
    procs.push(s);
    await s.ready;
    const { file } = configWith(rules(token));
    const report = JSON.parse((await run(process.execPath, [CLI, 'discover', '--config', file, '--json'])).stdout) as {
      rules: Array<{ rule: string; matches: Array<Record<string, unknown>> }>;
    };
    expect(report.rules[0]!.matches).toEqual([
      {
        pid: s.pid,
        name: 'node',
        user: expect.any(String),
        cmd: expect.stringContaining(token),
        ports: [],
        check: {
          id: 'svc',
          url: 'http://127.0.0.1:{port}/status',
          status: 'Unknown',
          message: 'waiting for a listening port',
        },
      },
    ]);
  });

  it('a bad rule exits non-zero naming the rule and the field', async () => {
    const { file } = configWith([{ match: { name: '/[/' }, id: 'bad', url: 'http://127.0.0.1:{port}/' }]);
    const err = await run(process.execPath, [CLI, 'discover', '--config', file]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('`discovery.rules.0.match.name` (rule "bad") must be a valid regular expression'),
    });
  });
});
