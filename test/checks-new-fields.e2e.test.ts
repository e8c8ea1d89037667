import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeDns, type FakeDns } from './helpers/dns-server.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { megaphone } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

// The built daemon and CLI (npm run build first): `checks add` flags, and config checks reloaded by SIGHUP.
let daemon: RunningDaemon;
let svc: FakeService;
let dns: FakeDns;
const TIMING = { defaults: { interval: '300ms', timeout: '250ms' } };

beforeAll(async () => {
  svc = await startFakeService({ body: { queue: { depth: 12 } } });
  dns = await startFakeDns();
  dns.set('db.test', 'TXT', { answers: [{ type: 'TXT', name: '', data: ['v=1'] }] });
  daemon = await spawnDaemon(TIMING);
});
afterAll(async () => {
  await daemon?.stop();
  await svc?.close();
  await dns?.close();
});

type State = { status: string; message: string; latency?: unknown };
const get = async (p: string) => (await fetch(`${daemon.url}${p}`)).json() as Promise<Record<string, unknown>>;
const until = (id: string, status: string, message: string) =>
  waitFor(async () => {
    const s = (await get(`/checks/${id}/state`)) as unknown as State;
    if (s.status !== status || s.message !== message) throw new Error(`${id} is ${s.status}: ${s.message}`);
    return s;
  }, 15_000);

describe('megaphone checks add: the latency, threshold and dns flags', () => {
  it('registers thresholds and latency limits, shown back by GET /checks and the state', async () => {
    const add = await megaphone([
      ...['checks', 'add', 'queue', svc.url, '--url', daemon.url, '--jsonpath', 'queue/depth'],
      ...['--threshold-warning', '~:10', '--threshold-critical', '@0:5'],
      ...['--latency-warning', '100ms', '--latency-critical', '200ms'],
    ]);
    expect(add).toMatchObject({ code: 0, stdout: 'added queue\n' });
    expect((await get('/checks')).queue).toEqual({
      addr: svc.url,
      jsonpath: 'queue/depth',
      thresholds: { warning: '~:10', critical: '@0:5' },
    });
    const s = await until('queue', 'Warning', 'queue/depth is 12: above 10 (warning range ~:10)');
    expect(s.latency).toEqual({ warning: '100ms', critical: '200ms' });
  });

  it('registers a dns:// check with its type, server and expected values', async () => {
    const args = ['checks', 'add', 'txt', 'dns://db.test', '--url', daemon.url, '--dns-type', 'TXT'];
    const add = await megaphone([...args, '--dns-server', dns.server, '--expect', 'v=1', '--expect', 'v=2']);
    expect(add).toMatchObject({ code: 0, stdout: 'added txt\n' });
    expect((await get('/checks')).txt).toEqual({
      addr: 'dns://db.test',
      type: 'TXT',
      server: dns.server,
      expect: ['v=1', 'v=2'],
    });
    await until('txt', 'Critical', 'db.test TXT: v=1; expected but not in the answer: v=2');
  });

  it('prints the daemon error for a bad value and exits 1', async () => {
    const bad = await megaphone(['checks', 'add', 'x', 'dns://db.test', '--url', daemon.url, '--dns-type', 'MX']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '`url.type` must be one of A, AAAA, CNAME, TXT, SRV, got "MX" (E_VALIDATION, HTTP 400)',
    );
  });
});

describe('SIGHUP: config checks pick up changed latency, thresholds and dns fields', () => {
  it('a changed rule applies from the next poll', async () => {
    const write = (checks: unknown[]) =>
      writeFileSync(daemon.configFile, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...TIMING, checks }));
    const queue = (thresholds: unknown) => ({
      id: 'cq',
      url: { addr: svc.url, jsonpath: 'queue/depth', thresholds },
      latency: { warning: '200ms' },
    });
    const txt = (expect: string[]) => ({
      id: 'ct',
      url: { addr: 'dns://db.test', type: 'TXT', server: dns.server, expect },
    });
    write([queue({ critical: '~:10' }), txt(['v=2'])]);
    daemon.proc.kill('SIGHUP');
    await until('cq', 'Critical', 'queue/depth is 12: above 10 (critical range ~:10)');
    await until('ct', 'Critical', 'db.test TXT: v=1; expected but not in the answer: v=2');
    write([queue({ critical: '~:100' }), txt(['v=1'])]);
    daemon.proc.kill('SIGHUP');
    await until('cq', 'OK', 'queue/depth is 12');
    await until('ct', 'OK', 'db.test TXT: v=1');
  });
});
