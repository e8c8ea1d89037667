import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { megaphone } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

// Runs the BUILT CLI against the BUILT daemon: `npm test` builds first (or run `npm run build`).

let d: RunningDaemon;
beforeAll(async () => {
  d = await spawnDaemon({
    checks: [
      { id: 'db', ttl: '1h' },
      { id: 'web', url: 'http://127.0.0.1:9/health' },
    ],
  });
});
afterAll(async () => {
  await d?.stop();
});

const cli = (...args: string[]) => megaphone([...args, '--url', d.url]);
const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
const json = async (path: string) => (await (await fetch(`${d.url}${path}`)).json()) as Record<string, unknown>;

describe('megaphone checks silence / unsilence', () => {
  it('silences a check for a ttl with a reason, shows it in `checks list`, and lifts it: one line each', async () => {
    const on = await cli('checks', 'silence', 'db', '--ttl', '1h', '--reason', 'migrating the schema');
    expect(on.stderr).toBe('');
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(new RegExp(`^silenced db: migrating the schema \\(until ${ISO}\\)\\n$`));
    expect(await json('/checks/db/silence')).toMatchObject({
      check: 'db',
      silenced: { reason: 'migrating the schema', untilOk: false, until: expect.stringMatching(/Z$/) },
    });

    const list = await cli('checks', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^db\\tnull \\(silenced: migrating the schema until ${ISO}\\)$`)),
      'web\thttp://127.0.0.1:9/health',
      '',
    ]);

    expect(await cli('checks', 'unsilence', 'db')).toMatchObject({ code: 0, stdout: 'unsilenced db\n', stderr: '' });
    expect(await json('/checks/db/silence')).toEqual({ check: 'db', silenced: null });
    expect((await cli('checks', 'list')).stdout).toBe('db\tnull\nweb\thttp://127.0.0.1:9/health\n');
  });

  it('--until-ok without a ttl lifts once the check reads OK', async () => {
    const on = await cli('checks', 'silence', 'db', '--reason', 'restoring a backup', '--until-ok');
    expect(on).toMatchObject({ code: 0, stdout: 'silenced db: restoring a backup (until OK)\n' });
    expect((await json('/checks/db/silence')).silenced).toMatchObject({ untilOk: true, until: null });
    expect((await cli('checks', 'list')).stdout).toContain('db\tnull (silenced: restoring a backup until OK)\n');
    await fetch(`${d.url}/checks/db/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'OK' }),
    });
    await waitFor(async () => (await json('/checks/db/silence')).silenced === null);
    expect((await cli('checks', 'list')).stdout).toContain('db\tnull\n');
  });

  it.each([
    [
      ['checks', 'silence', 'nope', '--reason', 'x'],
      /^megaphone: no check with id "nope" \(E_CHECK_NOT_FOUND, HTTP 404\)$/,
    ],
    [['checks', 'unsilence', 'nope'], /^megaphone: no check with id "nope" \(E_CHECK_NOT_FOUND, HTTP 404\)$/],
    [
      ['checks', 'silence', 'db', '--reason', 'x', '--ttl', 'forever'],
      /^megaphone: `ttl` must be a duration.*HTTP 400\)$/,
    ],
    [['checks', 'silence', 'db'], /required option '--reason <text>' not specified/],
  ])('%j fails with one line on stderr and exit 1, like the other client commands', async (args, error) => {
    const r = await cli(...args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(error);
  });
});

describe('megaphone maintenance on, without a reason', () => {
  it('with none running, the reason is "maintenance" (the help says so)', async () => {
    const help = await megaphone(['maintenance', 'on', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('when none is on, the reason is "maintenance"');
    const on = await cli('maintenance', 'on');
    expect(on).toMatchObject({ code: 0, stdout: 'maintenance on: maintenance\n' });
    expect(await json('/maintenance')).toMatchObject({ maintenance: { reason: 'maintenance', until: null } });
    await cli('maintenance', 'off');
  });

  it('while one is on, keeps its reason and ttl; --ttl alone sets a new ttl and says what it replaced', async () => {
    expect((await cli('maintenance', 'on', 'swap', 'disks', '--ttl', '2h')).code).toBe(0);
    const before = (await json('/maintenance')).maintenance as { reason: string; since: string; until: string };

    const again = await cli('maintenance', 'on');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `maintenance already on since ${before.since} (until ${before.until}): swap disks (unchanged)\n`,
    );
    expect((await json('/maintenance')).maintenance).toEqual(before);

    const longer = await cli('maintenance', 'on', '--ttl', '3h');
    expect(longer.stdout).toMatch(
      new RegExp(
        `^maintenance on: swap disks \\(until ${ISO}\\); replaced: swap disks \\(until ${before.until}\\)\\n$`,
      ),
    );
    const after = (await json('/maintenance')).maintenance as { reason: string; since: string; until: string };
    expect(after).toMatchObject({ reason: 'swap disks', since: before.since });
    expect(Date.parse(after.until)).toBeGreaterThan(Date.parse(before.until));

    const other = await cli('maintenance', 'on', 'new', 'kernel');
    expect(other.stdout).toBe(`maintenance on: new kernel; replaced: swap disks (until ${after.until})\n`);
    await cli('maintenance', 'off');
  });
});
