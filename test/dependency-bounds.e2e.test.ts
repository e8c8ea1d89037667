import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers/app.js';
import { call, spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';

let daemon: RunningDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

type Log = { msg: string; error?: string };
const logged = (d: RunningDaemon, msg: string): Log[] =>
  d
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Log)
    .filter((l) => l.msg === msg);

/** Rewrites the daemon's config and sends SIGHUP; resolves with the next log line of one of `outcomes`. */
async function reload(d: RunningDaemon, config: object, outcomes: string[]): Promise<Log> {
  const before = outcomes.map((o) => logged(d, o).length);
  writeFileSync(d.configFile, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...config }));
  d.proc.kill('SIGHUP');
  return waitFor(() => outcomes.map((o, i) => logged(d, o)[before[i] as number]).find(Boolean), 15_000);
}

describe('dependency graphs (the built daemon)', () => {
  it('a stored chain of 9 990 links: one more is a 400 naming the bound, and GET / answers meanwhile', async () => {
    const dir = tempDir('megaphone-chain-');
    const checks: Record<string, unknown> = {};
    for (let i = 0; i < 9_990; i++) checks[`c${i}`] = { id: `c${i}`, ttl: '1h', dependsOn: i ? [`c${i - 1}`] : [] };
    writeFileSync(path.join(dir, 'db.json'), JSON.stringify({ version: 1, checks }));
    daemon = await spawnDaemon({ dataFile: 'db.json', limits: { maxChecks: 20_000 } }, { dir });
    const d = daemon;

    let registered = false;
    const roots: number[] = [];
    const probing = (async () => {
      while (!registered)
        roots.push(
          (await fetch(`${d.url}/`).then(
            (r) => r.arrayBuffer(),
            () => null,
          ))
            ? 1
            : 0,
        );
    })();
    const res = await call(d, 'POST', '/checks', { id: 'c9990', ttl: '1h', dependsOn: ['c9989'] });
    registered = true;
    await probing;

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('E_DEPENDENCY_DEPTH');
    // Named as far as the walk went: it stops at the bound, whatever the length of the chain.
    expect(res.body.error).toMatch(/chain of more than 64 links \(c9990 → c9989 → c9988 → … → c9927 → c9926 → c9925\)/);
    expect(res.body.error).toMatch(/at most 64 links/);
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.every((ok) => ok === 1)).toBe(true);
    expect((await call(d, 'GET', '/checks/c9990/state')).status).toBe(404);
    // The loaded chain itself stands: the bound refuses new links, it does not drop stored ones.
    expect((await call(d, 'GET', '/checks/c9989/state')).body.dependsOn).toEqual(['c9988']);
  });

  it('a reload whose config check closes a cycle with an API check is refused naming it; nothing changes', async () => {
    daemon = await spawnDaemon({});
    await call(daemon, 'POST', '/checks', { id: 'api', ttl: '1m', dependsOn: ['cfg'] }).then((r) =>
      expect(r.status).toBe(201),
    );
    const outcome = await reload(daemon, { checks: [{ id: 'cfg', ttl: '1m', dependsOn: ['api'] }] }, [
      'config reload failed; keeping the current config',
      'config reloaded',
    ]);
    expect(outcome).toMatchObject({
      msg: 'config reload failed; keeping the current config',
      error: 'config reload: `checks[0].dependsOn` makes a dependency cycle: cfg → api → cfg',
    });
    expect(Object.keys((await call(daemon, 'GET', '/checks')).body)).toEqual(['api']);

    // Without the link back, the same check is applied.
    const ok = await reload(daemon, { checks: [{ id: 'cfg', ttl: '1m' }] }, [
      'config reload failed; keeping the current config',
      'config reloaded',
    ]);
    expect(ok.msg).toBe('config reloaded');
    expect(Object.keys((await call(daemon, 'GET', '/checks')).body).sort()).toEqual(['api', 'cfg']);
  });

  it('a config check removed by a reload takes its silence with it: added back, it starts unsilenced', async () => {
    const withCfg = { checks: [{ id: 'cfg', ttl: '1m' }] };
    daemon = await spawnDaemon(withCfg);
    expect((await call(daemon, 'PUT', '/checks/cfg/silence', { reason: 'moving it' })).status).toBe(201);
    await reload(daemon, {}, ['config reloaded']);
    expect((await call(daemon, 'GET', '/checks/cfg/silence')).status).toBe(404);
    await reload(daemon, withCfg, ['config reloaded']);
    expect((await call(daemon, 'GET', '/checks/cfg/silence')).body.silenced).toBeNull();
    // Nor does a restart bring it back from the data file.
    const dir = daemon.dir;
    await daemon.stop();
    daemon = await spawnDaemon(withCfg, { dir });
    expect((await call(daemon, 'GET', '/checks/cfg/silence')).body.silenced).toBeNull();
    expect((await call(daemon, 'GET', '/')).body.message).toMatch(/^cfg:Unknown/);
  });
});
