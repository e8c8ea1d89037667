import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';
import { procReader, psListReader, type ProcReader } from '../src/discovery/reader.js';
import { runToken, spawnStatusProcess } from './helpers/status-process.js';
import { processInfo, tableReader } from './helpers/process-table.js';
import type { Transition } from '../src/table/events.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** A process table the test controls. */
function fakeReader(): ProcReader & { set(procs: Array<{ pid: number; port?: number }>): void } {
  let procs: Array<{ pid: number; port?: number }> = [];
  const info = (pid: number) => processInfo(pid);
  return {
    set: (p) => (procs = p),
    table: async () => procs.map((p) => info(p.pid)),
    ports: async (pids) =>
      new Map(pids.map((pid) => [pid, { ports: procs.filter((p) => p.pid === pid && p.port).map((p) => p.port!) }])),
  };
}

/** megaphone with `rules` and a process table the test controls, started with `initial` running. */
async function setup(
  rules: unknown[],
  initial: Array<{ pid: number; port?: number }> = [],
  onBus?: (t: TestApp['bus']) => void,
) {
  const reader = fakeReader();
  reader.set(initial);
  const t = await makeTestApp({ discovery: { interval: '1h', rules } } as never, undefined, {
    deps: { processReader: () => reader },
    onBuilt: onBus,
  });
  cleanup.push(() => t.close());
  return { t, runner: t.megaphone.discovery, reader };
}

describe('the discovery runner', () => {
  it(
    'updates a check in place when its port changes: no removal, transitions kept, marked with ' + 'source and rule',
    async () => {
      const a = await startFakeService();
      const b = await startFakeService();
      cleanup.push(
        () => a.close(),
        () => b.close(),
      );
      const events: string[] = [];
      const { t, runner, reader } = await setup(
        [{ match: { cmd: '--serve' }, id: 'app', url: 'http://127.0.0.1:{port}/status' }],
        [{ pid: 10, port: a.port }],
        (bus) => {
          bus.on('removed', (id) => events.push(`removed ${id}`));
          bus.on('transition', (tr: Transition) => void (tr.check && events.push(`${tr.from}->${tr.to}`)));
        },
      );
      expect(t.table.get('app')!.check).toMatchObject({
        source: 'discovery',
        rule: 'discovery.rules[0] (id "app")',
        url: a.url,
      });
      await waitFor(() => t.table.get('app')?.status === 'OK', 10_000);

      reader.set([]);
      await runner.tick();
      expect(t.table.get('app')).toMatchObject({ status: 'Critical', message: 'process not running' });

      reader.set([{ pid: 11, port: b.port }]);
      await runner.tick();
      await waitFor(() => t.table.get('app')?.status === 'OK', 10_000);
      expect(t.table.get('app')!.check.url).toBe(b.url);
      expect(b.hits).toBeGreaterThan(0);
      expect(events).toEqual(['Unknown->OK', 'OK->Critical', 'Critical->Unknown', 'Unknown->OK']);
    },
  );

  it('makes any polled kind from the url template (tcp://), and the state shows source and rule', async () => {
    const svc = await startFakeService();
    cleanup.push(() => svc.close());
    const { t, runner, reader } = await setup(
      [{ match: { cmd: '--serve' }, id: 'port-{pid}', url: 'tcp://127.0.0.1:{port}' }],
      [{ pid: 10, port: svc.port }],
    );
    await waitFor(() => t.table.get('port-10')?.status === 'OK', 10_000);
    const state = await t.request.get('/checks/port-10/state').expect(200);
    expect(state.body).toMatchObject({
      id: 'port-10',
      kind: 'tcp',
      source: 'discovery',
      rule: 'discovery.rules[0] (id "port-{pid}")',
      status: 'OK',
    });
    reader.set([]);
    await runner.tick();
    const gone = await t.request.get('/checks?verbose=1').expect(200);
    expect(gone.body['port-10']).toMatchObject({
      kind: 'fixed',
      source: 'discovery',
      status: 'Critical',
      message: 'process not running',
    });
  });

  it('leaves a check from the API with the same id alone', async () => {
    const svc: FakeService = await startFakeService();
    cleanup.push(() => svc.close());
    const { t, runner, reader } = await setup([
      { match: { cmd: '--serve' }, id: 'mine', url: 'http://127.0.0.1:{port}/status', whenMissing: 'remove' },
    ]);
    await t.request.post('/checks').send({ id: 'mine', url: svc.url }).expect(201);
    reader.set([{ pid: 10, port: 1 }]);
    await runner.tick();
    expect(t.table.get('mine')!.check).toMatchObject({ source: 'api', url: svc.url });
    reader.set([]);
    await runner.tick();
    expect(t.table.get('mine')!.check.source).toBe('api');
    // Once the API check is deleted, the rule takes the id over.
    await t.request.delete('/checks/mine').expect(204);
    reader.set([{ pid: 10, port: svc.port }]);
    await runner.tick();
    expect(t.table.get('mine')!.check).toMatchObject({ source: 'discovery', url: svc.url });
  });

  it('a rule whose regex backtracks on a command line a local user chose is left out of that snapshot', async () => {
    const info = (pid: number, cmd: string) => processInfo(pid, { cmd });
    const reader = tableReader([info(10, 'app --serve')]);
    const rules = [
      { match: { cmd: '^(a+)+$' }, id: 'evil', url: 'http://127.0.0.1:9/' },
      { match: { cmd: '--serve' }, id: 'app', url: 'http://127.0.0.1:9/' },
    ];
    const t = await makeTestApp({ discovery: { interval: '1h', rules } } as never, undefined, {
      deps: { processReader: () => reader },
    });
    cleanup.push(() => t.close());
    expect(t.table.get('evil')).toMatchObject({ status: 'Critical', message: 'process not running' });
    // 2^40 ways to split the a's: a backtracking regex never returns; the rule runs out of its budget.
    reader.set([info(10, 'app --serve'), info(11, `${'a'.repeat(40)}!`)]);
    await t.megaphone.discovery.tick();
    expect(t.megaphone.discovery.last?.overran).toEqual(new Set([0]));
    // Nothing is known of that rule this time: its check stays as it was; the other rule goes on.
    expect(t.table.get('evil')).toMatchObject({ status: 'Critical', message: 'process not running' });
    expect(t.table.get('app')?.check.source).toBe('discovery');
    expect((await t.request.get('/').expect(503)).body.message).toMatch(/evil:Critical:process not running/);
  });

  it('keeps every check as it is when the process table cannot be read', async () => {
    const { t, runner, reader } = await setup(
      [{ match: { cmd: '--serve' }, id: 'app', url: 'http://127.0.0.1:{port}/status' }],
      [{ pid: 10 }],
    );
    expect(t.table.get('app')).toMatchObject({ status: 'Unknown', message: 'waiting for a listening port' });
    reader.table = async () => {
      throw new Error('EACCES');
    };
    await runner.tick();
    expect(t.table.get('app')).toMatchObject({ status: 'Unknown', message: 'waiting for a listening port' });
  });
});

describe('reading /proc', () => {
  it('reads processes, users and listening ports from a /proc tree, skipping zombies and itself', async () => {
    const root = tempDir('megaphone-proc-');
    const passwd = path.join(root, 'passwd');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n');
    const add = (pid: number, comm: string, state: string, uid: number, argv: string[], sockets: string[] = []) => {
      const dir = path.join(root, String(pid));
      mkdirSync(path.join(dir, 'fd'), { recursive: true });
      writeFileSync(
        path.join(dir, 'stat'),
        `${pid} (${comm}) ${state} 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${pid * 10} 0 0`,
      );
      writeFileSync(path.join(dir, 'status'), `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
      writeFileSync(path.join(dir, 'cmdline'), `${argv.join('\0')}\0`);
      sockets.forEach((s, i) => symlinkSync(s, path.join(dir, 'fd', String(i))));
    };
    add(
      100,
      'nginx',
      'S',
      33,
      ['nginx: master process', '-g', 'daemon off;'],
      ['socket:[111]', 'socket:[999]', '/dev/null'],
    );
    add(101, 'dead', 'Z', 0, []);
    add(102, 'self', 'S', 0, ['megaphone']);
    mkdirSync(path.join(root, 'net'));
    writeFileSync(
      path.join(root, 'net', 'tcp'),
      'header\n   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 111 1\n   1: ' +
        '00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 112 1\n',
    );
    const reader = procReader({ procRoot: root, passwdFile: passwd }, 102);
    expect(await reader.table()).toEqual([
      {
        pid: 100,
        ppid: 1,
        name: 'nginx',
        comm: 'nginx',
        cmd: 'nginx: master process -g daemon off;',
        uid: 33,
        user: 'www',
        startTicks: 1000,
      },
    ]);
    expect(await reader.ports([100, 555])).toEqual(
      new Map([
        [100, { ports: [80] }],
        [555, { error: `cannot read ${path.join(root, '555', 'fd')} (ENOENT)` }],
      ]),
    );
  });
});

describe('the ps-list reader (systems without /proc)', () => {
  it('lists the same process with its command line, and says ports need /proc', async () => {
    const token = runToken();
    const s = spawnStatusProcess(token);
    cleanup.push(() => s.kill());
    await s.listening;
    const table = await psListReader().table();
    expect(table.filter((p) => p.cmd.includes(token))).toEqual([
      expect.objectContaining({
        pid: s.pid,
        name: 'node',
        cmd: expect.stringContaining(`status-service.mjs ${token}`),
      }),
    ]);
    expect(table.some((p) => p.pid === process.pid)).toBe(false);
    expect(await psListReader().ports([s.pid])).toEqual(
      new Map([[s.pid, { error: 'listening ports are read from /proc (Linux only)' }]]),
    );
  });
});
