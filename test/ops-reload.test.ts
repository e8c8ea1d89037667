import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from './helpers/wait.js';
import { makeOpsApp } from './helpers/app.js';
import { parseConfig } from '../src/config/load.js';

let daemon: RunningDaemon | undefined;
let svc: FakeService | undefined;
const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await daemon?.stop();
  await svc?.close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  daemon = svc = undefined;
});

type Log = { msg: string; applied?: string[]; needsRestart?: string[]; error?: string };
const logs = (d: RunningDaemon): Log[] =>
  d
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Log);
const logged = (d: RunningDaemon, msg: string) => logs(d).filter((l) => l.msg === msg);

/** Rewrites the daemon's config file, sends SIGHUP and waits for the n-th outcome of a reload. */
async function reload(d: RunningDaemon, config: unknown, outcome: string): Promise<Log> {
  const before = logged(d, outcome).length;
  writeFileSync(
    d.configFile,
    typeof config === 'string'
      ? config
      : JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...(config as object) }),
  );
  d.proc.kill('SIGHUP');
  return waitFor(() => logged(d, outcome)[before], 15_000);
}

const get = async (d: RunningDaemon, p: string) =>
  (await fetch(`${d.url}${p}`)).json() as Promise<Record<string, unknown>>;

describe('SIGHUP reload', () => {
  it('applies new notifications and defaults, keeps API registrations and the checks state', async () => {
    svc = await startFakeService();
    const before = await startWebhookReceiver();
    const after = await startWebhookReceiver();
    receivers.push(before, after);
    const base = { defaults: { interval: '500ms', timeout: '500ms' } };
    daemon = await spawnDaemon({ ...base, notify: [{ url: before.url, checks: ['db'] }] });
    await fetch(`${daemon.url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'db', url: svc.url }),
    });
    svc.status('Critical', 'first');
    await waitFor(() => before.received.some((r) => r.body.message === 'first'), 10_000);

    const outcome = await reload(
      daemon,
      { defaults: { interval: '700ms', timeout: '500ms' }, notify: [{ url: after.url, checks: ['db'] }] },
      'config reloaded',
    );
    expect(outcome.applied).toEqual(['notify', 'checks', 'defaults, limits.maxChecks']);
    expect(outcome.needsRestart).toEqual([]);
    expect(await get(daemon, '/checks')).toEqual({ db: svc.url });
    // Retimed, not restarted: the check stayed Critical, no Unknown blip in its history.
    const history = (await get(daemon, '/checks/db/history')).history as { to: string }[];
    expect(history[0]?.to).toBe('Critical');
    expect(history.some((h) => h.to === 'Unknown')).toBe(false);

    svc.status('OK', 'fixed');
    await waitFor(
      async () =>
        ((await get(daemon as RunningDaemon, '/checks/db/history')).history as { to: string }[])[0]?.to === 'OK',
      10_000,
    );
    svc.status('Critical', 'second');
    await waitFor(() => after.received.some((r) => r.body.message === 'second'), 10_000);
    expect(after.received.find((r) => r.body.message === 'second')?.body.lifecycle).toBe('created');
    expect(before.received.some((r) => r.body.message === 'second' || r.body.message === 'fixed')).toBe(false);
  });

  it('an invalid config is logged and the running one kept', async () => {
    svc = await startFakeService();
    const hook = await startWebhookReceiver();
    receivers.push(hook);
    daemon = await spawnDaemon({
      defaults: { interval: '500ms', timeout: '500ms' },
      notify: [{ url: hook.url, checks: ['db'] }],
    });
    await fetch(`${daemon.url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'db', url: svc.url }),
    });

    const bad = await reload(
      daemon,
      { notify: [{ url: 'gopher://nope' }] },
      'config reload failed; keeping the current config',
    );
    expect(bad.error).toMatch(/`notify\.0\.url` must be an http:\/\/ or https:\/\/ URL/);
    const torn = await reload(daemon, '{"notify": [', 'config reload failed; keeping the current config');
    expect(torn.error).toMatch(/not valid JSON/);

    svc.status('Critical', 'still watched');
    await waitFor(() => hook.received.some((r) => r.body.message === 'still watched'), 10_000);
    expect(daemon.proc.exitCode).toBeNull();
  });

  it('discovery rules added by a reload make their checks at once; removed rules take theirs away', async () => {
    daemon = await spawnDaemon({});
    const rules = [
      { match: { name: 'megaphone-test-no-such-process' }, id: 'ghost', url: 'http://127.0.0.1:1/health' },
    ];
    const added = await reload(daemon, { discovery: { interval: '1s', rules } }, 'config reloaded');
    expect(added.applied).toContain('discovery');
    const ghost = await get(daemon, '/checks/ghost/state');
    expect(ghost).toMatchObject({ status: 'Critical', message: 'process not running', source: 'discovery' });
    await reload(daemon, {}, 'config reloaded');
    expect((await fetch(`${daemon.url}/checks/ghost`)).status).toBe(404);
  });

  it('a restart-only change is reported by every reload until the restart, not only the first', async () => {
    daemon = await spawnDaemon({});
    const changed = { limits: { headersTimeout: '20s' }, agent: { port: 0 } };
    const first = await reload(daemon, changed, 'config reloaded');
    const second = await reload(daemon, changed, 'config reloaded');
    const keys = ['limits.headersTimeout, limits.requestTimeout', 'agent.port, agent.host, agent.sendWait'];
    expect(first.needsRestart).toEqual(keys);
    expect(second.needsRestart).toEqual(keys);
    // Back to what runs: nothing left to restart for.
    expect((await reload(daemon, {}, 'config reloaded')).needsRestart).toEqual([]);
  });

  it('a changed port is reported as needing a restart, and the daemon keeps its socket', async () => {
    daemon = await spawnDaemon({});
    const outcome = await reload(daemon, { listen: { host: '127.0.0.1', port: 1 } }, 'config reloaded');
    expect(outcome.needsRestart).toEqual(['listen']);
    expect(logs(daemon).some((l) => l.msg === 'config reload: `listen` changed; restart megaphone to apply it')).toBe(
      true,
    );
    expect((await fetch(daemon.url)).status).toBe(200);
  });
});

describe('reload(newConfig) in-process', () => {
  it(
    'restarts no poll when only notify changes, retimes every check when defaults change, and ' +
      'applies history bounds',
    async () => {
      svc = await startFakeService();
      const t = await makeOpsApp();
      try {
        for (const id of ['a', 'b']) await t.request.post('/checks').send({ id, url: svc.url }).expect(201);
        await t.request
          .post('/checks')
          .send({ id: '--global', url: { addr: svc.url, statusoverride: 'OK' } })
          .expect(201);
        await waitFor(() => t.table.get('a')?.status === 'OK' && t.table.get('b')?.status === 'OK', 10_000);
        const upserted: string[] = [];
        t.bus.on('upserted', (s) => upserted.push(s.check.id));
        const base = { ...t.config };

        const notifyOnly = await t.reload({
          ...base,
          notify: parseConfig({ notify: [{ url: 'http://127.0.0.1:9/h' }] }).notify,
        });
        expect(notifyOnly).toEqual({ applied: ['notify'], needsRestart: [] });
        expect(upserted).toEqual([]);

        const retimed = await t.reload({ ...base, defaults: { ...base.defaults, interval: 700, timeout: 500 } });
        expect(retimed.applied).toEqual(['notify', 'checks', 'defaults, limits.maxChecks']);
        expect(upserted.sort()).toEqual(['--global', 'a', 'b']);
        // The --global check is never polled, reload or not.
        expect(t.megaphone.scheduler.has('--global')).toBe(false);
        expect(t.table.get('a')?.check.intervalMs).toBe(700);
        expect(t.table.get('a')?.status).toBe('OK');

        for (let i = 0; i < 5; i++)
          t.megaphone.history.record({ check: 'a', from: 'OK', to: 'Warning', message: `m${i}`, at: Date.now() });
        await t.reload({
          ...base,
          defaults: { ...base.defaults, interval: 700, timeout: 500 },
          history: { retention: 86_400_000, perCheck: 2 },
        });
        expect(t.megaphone.history.forCheck('a', 100)).toHaveLength(2);
      } finally {
        await t.close();
      }
    },
  );
});

describe('reload of config checks', () => {
  it('starts new ones, stops removed ones, restarts a changed one, and leaves unchanged ones polling', async () => {
    svc = await startFakeService();
    const spec = (id: string, extra: object = {}) => ({ id, url: svc?.url, ...extra });
    const t = await makeOpsApp({ checks: [spec('keep'), spec('change'), spec('drop')] } as never);
    try {
      await waitFor(() => ['keep', 'change', 'drop'].every((id) => t.table.get(id)?.status === 'OK'), 10_000);
      const upserted: string[] = [];
      const removed: string[] = [];
      t.bus.on('upserted', (s) => upserted.push(s.check.id));
      t.bus.on('removed', (id) => removed.push(id));
      const next = parseConfig({
        ...t.config,
        checks: [spec('keep'), spec('change', { url: { addr: svc.url, statusoverride: 'Warning' } }), spec('new')],
      });
      const outcome = await t.reload({ ...next, dataFile: t.config.dataFile });
      expect(outcome.applied).toEqual(['checks']);
      expect(removed).toEqual(['drop']);
      expect(upserted.sort()).toEqual(['change', 'new']);
      expect(t.table.get('keep')?.status).toBe('OK');
      await waitFor(() => t.table.get('change')?.status === 'Warning' && t.table.get('new')?.status === 'OK', 10_000);
      expect(t.table.get('new')?.check.source).toBe('config');
    } finally {
      await t.close();
    }
  });
});

describe('reload of dialect settings', () => {
  it('http.statusCodes and http.cacheMaxAge apply to the next GET /, on the fast path too', async () => {
    const t = await makeOpsApp();
    try {
      expect((await t.request.get('/')).status).toBe(200);
      const next = parseConfig({ ...t.config, http: { statusCodes: { Unknown: 299 }, cacheMaxAge: '5s' } });
      const outcome = await t.reload({ ...next, dataFile: t.config.dataFile });
      expect(outcome).toEqual({ applied: ['http'], needsRestart: [] });
      const res = await t.request.get('/');
      expect(res.status).toBe(299);
      expect(res.headers['cache-control']).toBe('max-age=5');
      expect(t.megaphone.handler.fastRoot.hits).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
