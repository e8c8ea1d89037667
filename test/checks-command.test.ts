import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { parseConfig } from '../src/config/load.js';
import { waitFor } from './helpers/wait.js';
import { startFakeService } from './helpers/fake-service.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Writes an executable sh script into a fresh temp folder. */
function plugin(name: string, body: string, dir = tempDir('megaphone-plugin-')): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A process is gone when /proc has no entry for it, or only a zombie awaiting its reaper. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

type State = { status: string; message: string; source: string; kind: string; output?: string; perfdata?: unknown[] };
const stateOf = async (app: TestApp, id: string) =>
  (await app.request.get(`/checks/${id}/state`).expect(200)).body as State;
const settled = (app: TestApp, id: string) =>
  waitFor(async () => {
    const s = await stateOf(app, id);
    if (s.message === 'waiting for the first poll') throw new Error(`${id} not polled yet`);
    return s;
  }, 10_000);

describe('command checks (Nagios plugins, config file only)', () => {
  it.each([
    [0, 'OK'],
    [1, 'Warning'],
    [2, 'Critical'],
    [3, 'Unknown'],
    [4, 'Unknown'],
    [127, 'Unknown'],
  ])('exit %i reads %s; the first line of stdout is the message', async (code, status) => {
    const cmd = plugin('check_thing', `echo "THING says ${code}"\necho "second line"\nexit ${code}`);
    t = await makeTestApp({ checks: [{ id: 'thing', command: [cmd] }] });
    const s = await settled(t, 'thing');
    expect(s).toMatchObject({ status, source: 'config', kind: 'command' });
    expect(s.message).toBe(code > 3 ? `exit code ${code}: THING says ${code}` : `THING says ${code}`);
    expect(s.output).toBe(`THING says ${code}\nsecond line\n`);
  });

  it('passes arguments without a shell and keeps the perfdata after |', async () => {
    const cmd = plugin(
      'check_disk',
      'echo "DISK OK - free space: $1 3326 MB (56%) | \'/ free\'=2643MB;5948;5958;0;5968 inodes=99%"\nexit 0',
    );
    t = await makeTestApp({ checks: [{ id: 'disk', command: [cmd, '/; rm -rf /tmp/x'] }] });
    const s = await settled(t, 'disk');
    expect(s.message).toBe('DISK OK - free space: /; rm -rf /tmp/x 3326 MB (56%)');
    expect(s.perfdata).toEqual([
      { label: '/ free', value: 2643, uom: 'MB', warn: '5948', crit: '5958', min: 0, max: 5968 },
      { label: 'inodes', value: 99, uom: '%' },
    ]);
  });

  it('a plugin that hangs is Critical "timed out after 300ms" and its whole process group is killed', async () => {
    const dir = tempDir('megaphone-plugin-');
    const pidFile = path.join(dir, 'sleep.pid');
    const cmd = plugin('check_hang', `sleep 60 &\necho $! > ${pidFile}\nwait`, dir);
    t = await makeTestApp({ checks: [{ id: 'hang', command: [cmd], interval: '5s', timeout: '300ms' }] });
    const s = await settled(t, 'hang');
    expect(s).toMatchObject({ status: 'Critical', message: 'timed out after 300ms' });
    expect(existsSync(pidFile)).toBe(true);
    const sleepPid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(sleepPid), 10_000);
  });

  it('caps captured output at 4 KB', async () => {
    const cmd = plugin('check_loud', "head -c 100000 /dev/zero | tr '\\0' 'x'\nexit 1");
    t = await makeTestApp({ checks: [{ id: 'loud', command: [cmd] }] });
    const s = await settled(t, 'loud');
    expect(s.status).toBe('Warning');
    expect(s.output).toHaveLength(4096);
  });

  it('a plugin that cannot be run is Unknown naming why', async () => {
    t = await makeTestApp({ checks: [{ id: 'missing', command: ['/nonexistent/check_nothing'] }] });
    expect(await settled(t, 'missing')).toMatchObject({
      status: 'Unknown',
      message: 'cannot run /nonexistent/check_nothing: ENOENT',
    });
  });

  it('a POST with a command is a 400 and stores nothing', async () => {
    t = await makeTestApp();
    const res = await t.request
      .post('/checks')
      .send({ id: 'rce', command: ['/bin/sh', '-c', 'touch /tmp/pwned'] })
      .expect(400);
    expect(res.body).toEqual({ error: expect.stringContaining('config file'), code: 'E_COMMAND_OVER_HTTP' });
    expect((await t.request.get('/checks')).body).toEqual({});
  });
});

describe('real Nagios plugins (monitoring-plugins-basic)', () => {
  const CHECK_HTTP = '/usr/lib/nagios/plugins/check_http';

  it('check_http against a real service is OK with its perfdata; against a closed port, Critical', async () => {
    const svc = await startFakeService();
    try {
      t = await makeTestApp({
        checks: [
          {
            id: 'web',
            command: [CHECK_HTTP, '-H', '127.0.0.1', '-p', String(svc.port), '-u', '/status', '-t', '5'],
            interval: '10s',
            timeout: '6s',
          },
          {
            id: 'gone',
            command: [CHECK_HTTP, '-H', '127.0.0.1', '-p', '1', '-t', '5'],
            interval: '10s',
            timeout: '6s',
          },
        ],
      });
      const web = await settled(t, 'web');
      expect(web.status).toBe('OK');
      expect(web.message).toMatch(/^HTTP OK: HTTP\/1\.1 200 OK/);
      expect((web.perfdata as Array<{ label: string }>).map((p) => p.label)).toEqual(['time', 'size']);
      expect(svc.hits).toBeGreaterThan(0);
      const gone = await settled(t, 'gone');
      expect(gone.status).toBe('Critical');
    } finally {
      await svc.close();
    }
  });
});

describe('checks from the config file', () => {
  it('are registered at start with source "config"; the API cannot delete or replace them (409)', async () => {
    const cmd = plugin('check_ok', 'echo fine; exit 0');
    t = await makeTestApp({
      checks: [
        { id: 'ok', command: [cmd] },
        { id: 'job', ttl: '1m' },
        { id: 'db', url: 'tcp://127.0.0.1:1' },
      ],
    });
    expect((await t.request.get('/checks')).body).toEqual({ ok: null, job: null, db: 'tcp://127.0.0.1:1' });
    const verbose = (await t.request.get('/checks?verbose=1')).body as Record<string, State>;
    expect(Object.values(verbose).map((s) => [s.kind, s.source])).toEqual([
      ['command', 'config'],
      ['push', 'config'],
      ['tcp', 'config'],
    ]);
    expect((await t.request.delete('/checks/ok').expect(409)).body.code).toBe('E_NOT_API_CHECK');
    expect((await t.request.post('/checks').send({ id: 'db', url: 'tcp://127.0.0.1:2' }).expect(409)).body.code).toBe(
      'E_NOT_API_CHECK',
    );
    await t.request.put('/checks/job/status').send({ status: 'OK' }).expect(200);
  });

  it.each([
    [
      {
        checks: [
          { id: 'a', ttl: '1m' },
          { id: 'a', ttl: '2m' },
        ],
      },
      /checks\[1\]\.id.*declared twice/,
    ],
    [{ checks: [{ id: 'a', url: { addr: 'http://127.0.0.1:1/', match: '(' } }] }, /checks\[0\]\.url\.match/],
    [{ checks: [{ id: 'a', command: ['/bin/true'], interval: '1s', timeout: '2s' }] }, /checks\[0\]\.timeout/],
    [{ checks: [{ id: 'a', command: [] }] }, /checks\.0\.command/],
    [{ flap: { window: 1 } }, /flap\.window/],
  ])('a bad config names the key: %j', (raw, error) => {
    expect(() => parseConfig(raw)).toThrow(error);
  });
});
