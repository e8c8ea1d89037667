import { afterEach, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { runToken, spawnStatusProcess, type StatusProcess } from './helpers/status-process.js';
import { waitFor } from './helpers/wait.js';

// Real processes, a real daemon, a real process table; every rule matches only this run's token.
const running: Array<StatusProcess | RunningDaemon> = [];
afterEach(async () => {
  for (const r of running.splice(0)) await ('stop' in r ? r.stop() : r.kill());
});

// Generous poll timeout: two cores are shared with other builds.
const fast = { defaults: { interval: '1s', timeout: '900ms' } };

/** Retries `assert` until it passes (or 15 s). */
const eventually = (assert: () => Promise<void>) =>
  waitFor(async () => {
    await assert();
    return true;
  }, 15_000);

async function daemonWith(rules: unknown[]): Promise<RunningDaemon> {
  const d = await spawnDaemon({ ...fast, discovery: { interval: '200ms', rules } });
  running.push(d);
  return d;
}

function service(token: string, opts: { waitSignal?: boolean } = {}): StatusProcess {
  const s = spawnStatusProcess(token, opts);
  running.push(s);
  return s;
}

const get = async (d: RunningDaemon, path: string) => {
  const res = await fetch(`${d.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const svcRule = (token: string, extra: object = {}) => ({
  match: { name: 'node', cmd: `status-service\\.mjs ${token}` },
  id: 'svc',
  url: 'http://127.0.0.1:{port}/status',
  ...extra,
});

describe('discovery end to end', () => {
  it(
    'a matching process becomes a check on its port; killed it pulls the host; restarted on a new ' +
      'port it is OK again',
    async () => {
      const token = runToken();
      const first = service(token);
      const port1 = await first.listening;
      const d = await daemonWith([svcRule(token)]);

      await waitFor(async () => (await get(d, '/')).body.status === 'OK', 15_000);
      expect((await get(d, '/checks')).body).toEqual({ svc: `http://127.0.0.1:${port1}/status` });
      await eventually(async () =>
        expect((await get(d, '/checks/svc')).body).toEqual({ status: 'OK', message: `pid ${first.pid} fine` }),
      );

      await first.kill();
      // A poll may see "connection refused" first; discovery's verdict follows within an interval.
      await waitFor(async () => (await get(d, '/')).body.message === 'svc:Critical:process not running', 15_000);
      const down = await get(d, '/');
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('Critical');

      const second = service(token);
      const port2 = await second.listening;
      expect(port2).not.toBe(port1);
      await waitFor(async () => (await get(d, '/')).body.status === 'OK', 15_000);
      expect((await get(d, '/checks')).body).toEqual({ svc: `http://127.0.0.1:${port2}/status` });
      await eventually(async () =>
        expect((await get(d, '/checks/svc')).body).toEqual({ status: 'OK', message: `pid ${second.pid} fine` }),
      );
      // Updated in place: never removed and re-added.
      expect(d.logs()).not.toContain('check removed');
    },
  );

  it('whenMissing "remove" drops the check when the process goes', async () => {
    const token = runToken();
    const s = service(token);
    await s.listening;
    const d = await daemonWith([svcRule(token, { whenMissing: 'remove' })]);
    await waitFor(async () => (await get(d, '/checks/svc')).body.status === 'OK', 15_000);
    await s.kill();
    await waitFor(async () => (await get(d, '/checks/svc')).status === 404, 15_000);
    expect((await get(d, '/')).body).toMatchObject({ status: 'Unknown', message: 'No services are registered!' });
  });

  it('two instances with a {pid} id give two checks, each on its own port', async () => {
    const token = runToken();
    const a = service(token);
    const b = service(token);
    const [pa, pb] = await Promise.all([a.listening, b.listening]);
    const d = await daemonWith([svcRule(token, { id: 'worker-{pid}' })]);
    await waitFor(async () => Object.keys((await get(d, '/checks')).body).length === 2, 15_000);
    expect((await get(d, '/checks')).body).toEqual({
      [`worker-${a.pid}`]: `http://127.0.0.1:${pa}/status`,
      [`worker-${b.pid}`]: `http://127.0.0.1:${pb}/status`,
    });
    await waitFor(async () => (await get(d, '/')).body.status === 'OK', 15_000);
  });

  it(
    'a process with no listening port yet is Unknown "waiting for a listening port", then polled ' + 'once it listens',
    async () => {
      const token = runToken();
      const s = service(token, { waitSignal: true });
      await s.ready;
      const d = await daemonWith([svcRule(token)]);
      await waitFor(async () => (await get(d, '/checks/svc')).body.message === 'waiting for a listening port', 15_000);
      expect((await get(d, '/')).body).toMatchObject({
        status: 'Unknown',
        message: 'svc:Unknown:waiting for a listening port',
      });
      s.listen();
      const port = await s.listening;
      await waitFor(async () => (await get(d, '/checks/svc')).body.status === 'OK', 15_000);
      expect((await get(d, '/checks')).body).toEqual({ svc: `http://127.0.0.1:${port}/status` });
    },
  );

  it('a rule with a fixed id is Critical "process not running" from start-up when nothing matches', async () => {
    const d = await daemonWith([svcRule(runToken(), { id: 'db' })]);
    const res = await get(d, '/');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'Critical', message: 'db:Critical:process not running' });
  });

  it('the API cannot delete, replace or take the ids of discovered checks (409 naming the rule)', async () => {
    const token = runToken();
    const s = service(token);
    await s.listening;
    const d = await daemonWith([svcRule(token), svcRule(token, { id: 'worker-{pid}' })]);
    await waitFor(async () => (await get(d, '/checks/svc')).body.status === 'OK', 15_000);
    const del = await fetch(`${d.url}/checks/svc`, { method: 'DELETE' });
    expect(del.status).toBe(409);
    expect(await del.json()).toEqual({
      code: 'E_NOT_API_CHECK',
      error: expect.stringContaining('discovery.rules[0] (id "svc")'),
    });
    for (const id of ['svc', `worker-${s.pid}`, 'worker-1']) {
      const res = await fetch(`${d.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, url: 'http://127.0.0.1:1/' }),
      });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: string }).error).toMatch(/discovery\.rules\[\d\]/);
    }
    expect((await get(d, '/checks')).body).toEqual({
      svc: expect.any(String),
      [`worker-${s.pid}`]: expect.any(String),
    });
    await eventually(async () => {
      const view = (await get(d, '/discovery')).body;
      expect(view).toMatchObject({ interval: 200, lastSnapshot: { processes: expect.any(Number) } });
      expect(view.rules).toEqual([
        {
          rule: 'discovery.rules[0] (id "svc")',
          whenMissing: 'critical',
          checks: [
            {
              id: 'svc',
              pid: s.pid,
              url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/status$/),
              status: 'OK',
              message: `pid ${s.pid} fine`,
            },
          ],
          refused: [],
        },
        {
          rule: 'discovery.rules[1] (id "worker-{pid}")',
          whenMissing: 'critical',
          checks: [expect.objectContaining({ id: `worker-${s.pid}`, pid: s.pid })],
          refused: [],
        },
      ]);
    });
  });

  it.each([
    [
      { match: { cmd: '(' }, id: 'x', url: 'http://127.0.0.1:{port}/' },
      /`discovery\.rules\.0\.match\.cmd` \(rule "x"\) must be a valid regular expression/,
    ],
    [
      { match: { cmd: 'a' }, id: 'x-{nope}', url: 'http://127.0.0.1:{port}/' },
      /`discovery\.rules\.0\.id` .*unknown placeholder \{nope\}/,
    ],
    [{ match: { cmd: 'a' }, id: 'x y', url: 'http://127.0.0.1:{port}/' }, /`discovery\.rules\.0\.id` .*valid check id/],
    [
      { match: { cmd: 'a' }, id: 'x', url: 'gopher://127.0.0.1:{port}/' },
      /`discovery\.rules\.0\.url` \(rule "x"\) must yield a valid check url/,
    ],
  ])('a bad rule stops start-up naming the rule and the field (%#)', async (rule, error) => {
    await expect(spawnDaemon({ discovery: { rules: [rule] } })).rejects.toThrow(error);
  });
});
