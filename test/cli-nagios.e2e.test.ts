import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { freePort, megaphone, run } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

const CHECK_HTTP = '/usr/lib/nagios/plugins/check_http';

let a: FakeService;
let b: FakeService;
let daemon: RunningDaemon;

beforeAll(async () => {
  a = await startFakeService();
  b = await startFakeService();
  daemon = await spawnDaemon({ defaults: { interval: '200ms' } });
});
afterAll(async () => {
  await daemon?.stop();
  await a?.close();
  await b?.close();
});

const hostStatus = async () => (await (await fetch(`${daemon.url}/`)).json()) as { status: string; message: string };
/** Setup through the API directly: the CLI is exercised where it is the subject. */
const addCheck = (id: string, url: string) =>
  fetch(`${daemon.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url }),
  });
const status = (...args: string[]) => megaphone(['status', '--url', daemon.url, ...args]);

describe('megaphone checks / maintenance (thin HTTP clients)', () => {
  it('adds, lists and removes checks, with MEGAPHONE_URL or --url', async () => {
    const env = { MEGAPHONE_URL: daemon.url };
    expect(await megaphone(['checks', 'add', 'a', a.url], env)).toMatchObject({ code: 0, stdout: 'added a\n' });
    expect(
      await megaphone(['checks', 'add', 'tmp', b.url, '--url', daemon.url, '--status-override', 'warning']),
    ).toMatchObject({ code: 0, stdout: 'added tmp\n' });
    const list = await megaphone(['checks', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(`a\t${a.url}\ntmp\t${JSON.stringify({ addr: b.url, statusoverride: 'warning' })}\n`);
    expect(await megaphone(['checks', 'rm', 'tmp'], env)).toMatchObject({ code: 0, stdout: 'removed tmp\n' });
    expect((await megaphone(['checks', 'list'], env)).stdout).toBe(`a\t${a.url}\n`);
  });

  it('prints the daemon error, naming the problem, and exits 1', async () => {
    const bad = await megaphone(['checks', 'add', 'x', 'ftp://nope', '--url', daemon.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^megaphone: .*url.*\(E_VALIDATION, HTTP 400\)\n$/);
    const missing = await megaphone(['checks', 'rm', 'nope', '--url', daemon.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no check with id "nope" \(E_CHECK_NOT_FOUND, HTTP 404\)/);
  });

  it('says clearly when the daemon is not there', async () => {
    const port = await freePort();
    const res = await megaphone(['checks', 'list', '--url', `http://127.0.0.1:${port}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /cannot reach megaphone at http:\/\/127\.0\.0\.1:\d+\/checks: connection refused \(ECONNREFUSED\).*MEGAPHONE_URL/,
    );
  });
});

describe('megaphone status (a Nagios plugin)', () => {
  it.each([
    ['OK', 0, 'OK - Everything is OK! | ok=1 warning=0 critical=0 unknown=0'],
    ['Warning', 1, 'WARNING - a:Warning:it is Warning | ok=0 warning=1 critical=0 unknown=0'],
    ['Critical', 2, 'CRITICAL - a:Critical:it is Critical | ok=0 warning=0 critical=1 unknown=0'],
    ['Unknown', 3, 'UNKNOWN - a:Unknown:it is Unknown | ok=0 warning=0 critical=0 unknown=1'],
  ])('a %s host exits %i with one line and perfdata', async (state, code, line) => {
    await addCheck('a', a.url);
    a.status(state);
    await waitFor(async () => (await hostStatus()).status === state, 15_000);
    expect(await status()).toEqual({ code, stdout: `${line}\n`, stderr: '' });
  });

  it('--check reports one check', async () => {
    a.status('OK');
    await addCheck('b', b.url);
    b.status('Warning', 'slow disk');
    await waitFor(async () => (await hostStatus()).status === 'Warning', 15_000);
    const one = await status('--check', 'a');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^OK - a: OK \| latency=\d+ms\n$/);
    const other = await status('--check', 'b');
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^WARNING - b: slow disk \| latency=\d+ms\n$/);
    expect(await status('--check', 'nope')).toMatchObject({
      code: 3,
      stdout: 'UNKNOWN - no check "nope" on this megaphone\n',
    });
    await fetch(`${daemon.url}/checks/b`, { method: 'DELETE' });
  });

  it('says how many checks are silenced: in the line and as perfdata', async () => {
    a.status('OK');
    await addCheck('quiet', b.url);
    b.status('Critical', 'disk full');
    await waitFor(async () => (await hostStatus()).status === 'Critical', 15_000);
    await fetch(`${daemon.url}/checks/quiet/silence`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'new disk' }),
    });
    expect(await status()).toMatchObject({
      code: 0,
      stdout: 'OK - Everything is OK! (1 silenced) | ok=1 warning=0 critical=0 unknown=0 silenced=1\n',
    });
    await fetch(`${daemon.url}/checks/quiet`, { method: 'DELETE' });
  });

  it('maintenance on/off via the CLI: CRITICAL (exit 2) while on', async () => {
    a.status('OK');
    await waitFor(async () => (await hostStatus()).status === 'OK', 15_000);
    const on = await megaphone(['maintenance', 'on', 'swap', 'disks', '--ttl', '10m', '--url', daemon.url]);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^maintenance on: swap disks \(until \d{4}-.*Z\)\n$/);
    expect(await status()).toMatchObject({
      code: 2,
      stdout: 'CRITICAL - maintenance: swap disks | ok=1 warning=0 critical=0 unknown=0\n',
    });
    expect((await megaphone(['maintenance', 'show', '--url', daemon.url])).stdout).toMatch(
      /^maintenance on since .* until .*: swap disks\n$/,
    );
    expect(await megaphone(['maintenance', 'off', '--url', daemon.url])).toMatchObject({
      code: 0,
      stdout: 'maintenance off\n',
    });
    expect((await status()).code).toBe(0);
  });

  it('exits 3 (UNKNOWN) when megaphone cannot be reached, or answers something else', async () => {
    const port = await freePort();
    const gone = await megaphone(['status', '--url', `http://127.0.0.1:${port}/`, '--timeout', '2s']);
    expect(gone.code).toBe(3);
    expect(gone.stdout).toMatch(
      /^UNKNOWN - cannot reach megaphone at http:\/\/127\.0\.0\.1:\d+\/: connection refused \(ECONNREFUSED\)\n$/,
    );
    const notMegaphone = await megaphone(['status', '--url', `${daemon.url}/nope`]);
    expect(notMegaphone).toMatchObject({ code: 3, stdout: 'UNKNOWN - not a megaphone status: HTTP 404\n' });
    expect((await megaphone(['status', '--bogus'])).code).toBe(3);
    expect(await megaphone(['status', '--url', daemon.url, '--timeout', 'soon'])).toMatchObject({
      code: 3,
      stdout: 'UNKNOWN - --timeout must be a duration like "5s", got "soon"\n',
    });
  });

  it('reads the seed JSON of any Megaphone (no perfdata then)', async () => {
    const seed = await startFakeService(
      { code: 503, body: { status: 'Critical', date: '2026-01-01T00:00:00Z', message: 'foo:Critical:down' } },
      '/',
    );
    try {
      expect(await megaphone(['status', '--url', seed.url])).toMatchObject({
        code: 2,
        stdout: 'CRITICAL - foo:Critical:down\n',
      });
    } finally {
      await seed.close();
    }
  });
});

describe('check_http against GET /', () => {
  it('sees 200 while the host serves and 503 when it is Critical', async () => {
    await addCheck('a', a.url);
    a.status('OK');
    await waitFor(async () => (await hostStatus()).status === 'OK', 15_000);
    const up = await run(CHECK_HTTP, ['-H', '127.0.0.1', '-p', String(daemon.port), '-u', '/']);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^HTTP OK: HTTP\/1\.1 200 OK/);
    a.status('Critical');
    await waitFor(async () => (await hostStatus()).status === 'Critical', 15_000);
    const down = await run(CHECK_HTTP, ['-H', '127.0.0.1', '-p', String(daemon.port), '-u', '/']);
    expect(down.code).toBe(2);
    expect(down.stdout).toMatch(/^HTTP CRITICAL: HTTP\/1\.1 503 Service Unavailable/);
    a.status('OK');
  });
});
