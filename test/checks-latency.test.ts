import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { Result } from '../src/probes/result.js';
import type { Status } from '../src/status.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { storedChecks } from './helpers/stored.js';
import { waitFor } from './helpers/wait.js';

let t: TestApp | undefined;
let svc: FakeService | undefined;
afterEach(async () => {
  await t?.close();
  await svc?.close();
  t = svc = undefined;
});

type State = { status: Status; message: string; latencyMs: number | null; latency?: unknown };
const stateOf = async (app: TestApp, id: string) =>
  (await app.request.get(`/checks/${id}/state`).expect(200)).body as State;
// Waits for a status whose message matches: a loaded machine may make one fast poll slow, the next one is not.
const until = (app: TestApp, id: string, status: Status, message: RegExp) =>
  waitFor(async () => {
    const s = await stateOf(app, id);
    if (s.status !== status || !message.test(s.message)) throw new Error(`${id} is ${s.status}: ${s.message}`);
    return s;
  }, 15_000);

// Thresholds far apart from the delays the target adds, so the statuses do not depend on how busy the machine is.
const LIMITS = { warning: '150ms', critical: '1s' };
const TIMING = { interval: '2s', timeout: '1800ms' };

describe('latency: a slow answer is Warning, then Critical', () => {
  it('an OK answer slower than `warning` is Warning with the time, slower than `critical` Critical', async () => {
    t = await makeTestApp();
    svc = await startFakeService({ body: { status: 'OK', message: 'fine' } });
    const reg = { id: 'api', url: svc.url, latency: LIMITS, ...TIMING };
    await t.request.post('/checks').send(reg).expect(201);
    const ok = await until(t, 'api', 'OK', /^fine$/);
    expect(ok.latency).toEqual({ warning: '150ms', critical: '1s' });

    svc.reply({ body: { status: 'OK', message: 'fine' }, delayMs: 400 });
    const warn = await until(t, 'api', 'Warning', /^slow: answered in \d+ ms \(warning above 150 ms\); fine$/);
    expect(warn.latencyMs).toBeGreaterThanOrEqual(400);

    svc.reply({ body: { status: 'OK', message: 'fine' }, delayMs: 1200 });
    const crit = await until(t, 'api', 'Critical', /^slow: answered in \d+ ms \(critical above 1000 ms\); fine$/);
    expect(crit.latencyMs).toBeGreaterThanOrEqual(1200);

    svc.reply({ body: { status: 'OK', message: 'fine' } });
    await until(t, 'api', 'OK', /^fine$/);
  }, 40_000);

  it('a slow answer that is worse already keeps its own status and message', async () => {
    t = await makeTestApp();
    svc = await startFakeService({ body: { status: 'Critical', message: 'disk full' }, delayMs: 400 });
    await t.request
      .post('/checks')
      .send({ id: 'api', url: svc.url, latency: LIMITS, ...TIMING })
      .expect(201);
    await until(t, 'api', 'Critical', /^disk full$/);
  });

  it('rise and fall apply to the status latency gives, as to any other', async () => {
    t = await makeTestApp();
    svc = await startFakeService({ body: { status: 'OK', message: 'fine' } });
    const seen: Array<{ raw: Status; shown: Status }> = [];
    t.bus.on('result', (id: string, r: Result, state: { status: Status }) => {
      if (id === 'api') seen.push({ raw: r.status, shown: state.status });
    });
    const latency = { warning: '150ms', critical: '400ms' };
    const reg = { id: 'api', url: svc.url, latency, interval: '500ms', timeout: '450ms', rise: 2, fall: 2 };
    await t.request.post('/checks').send(reg).expect(201);
    await until(t, 'api', 'OK', /^fine$/);
    svc.reply({ body: { status: 'OK', message: 'fine' }, delayMs: 250 });
    await until(t, 'api', 'Warning', /^slow: /);
    svc.reply({ body: { status: 'OK', message: 'fine' } });
    await until(t, 'api', 'OK', /^fine$/);
    // Whatever the machine's load: OK is left only after 2 slow results in a row, and regained after 2 fast ones.
    const bad = (s: Status) => s !== 'OK';
    seen.forEach(({ raw, shown }, i) => {
      const before = seen[i - 1];
      if (!before) return;
      if (!bad(before.shown) && bad(shown)) expect([before.raw, raw].every(bad), `result ${i}`).toBe(true);
      if (bad(before.shown) && !bad(shown)) expect([before.raw, raw].some(bad), `result ${i}`).toBe(false);
    });
    expect(seen.some(({ raw, shown }) => raw === 'Warning' && shown === 'OK')).toBe(true);
    expect(seen.some(({ raw, shown }) => raw === 'OK' && shown === 'Warning')).toBe(true);
  }, 30_000);

  it('applies to command checks too: a plugin slower than `warning` is Warning', async () => {
    t = await makeTestApp({
      checks: [
        {
          id: 'report',
          command: ['/bin/sh', '-c', 'sleep 0.4; echo REPORT OK'],
          latency: { warning: '150ms' },
          ...TIMING,
        },
      ],
    });
    await until(t, 'report', 'Warning', /^slow: answered in \d+ ms \(warning above 150 ms\); REPORT OK$/);
  });

  it('shows in /metrics: each check its latest time, and polls by kind in a histogram, no check label', async () => {
    t = await makeTestApp();
    svc = await startFakeService({ body: { status: 'OK', message: 'fine' }, delayMs: 400 });
    await t.request
      .post('/checks')
      .send({ id: 'api', url: svc.url, latency: LIMITS, ...TIMING })
      .expect(201);
    await until(t, 'api', 'Warning', /^slow: /);
    const text = (await t.request.get('/metrics')).text;
    const last = /^megaphone_check_latency_seconds\{check="api"\} (\S+)$/m.exec(text)?.[1];
    expect(Number(last)).toBeGreaterThanOrEqual(0.4);
    expect(Number(/^megaphone_poll_duration_seconds_count\{kind="http"\} (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^megaphone_poll_duration_seconds_bucket\{le="0\.25",kind="http"\} 0$/m);
    expect(text).not.toMatch(/^megaphone_poll_duration_seconds\w*\{[^}]*check=/m);
  });
});

describe('latency: bad input is a 400 naming the fields, and nothing is stored', () => {
  it.each([
    [{ warning: '3s', critical: '2s' }, /`latency\.warning` \(3s\) must not be above `latency\.critical` \(2s\)/],
    [{ critical: '2s' }, /`latency\.critical` \(2s\) must be below the check's timeout \(500ms\)/],
    [{ warning: '500ms' }, /`latency\.warning` \(500ms\) must be below the check's timeout \(500ms\)/],
    [{}, /`latency` needs `warning` or `critical`/],
    [{ warning: 'fast' }, /`latency\.warning` must be a duration like "250ms"/],
    [{ warning: '100ms', slow: '1s' }, /unknown key `latency\.slow`/],
  ])('latency %j', async (latency, why) => {
    t = await makeTestApp();
    const res = await t.request.post('/checks').send({ id: 'api', url: 'http://127.0.0.1:1/', latency });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'E_VALIDATION', error: expect.stringMatching(why) });
    expect((await t.request.get('/checks')).body).toEqual({});
    expect(storedChecks(t.dataFile)).toEqual({});
  });

  it('is refused on checks that are not polled', async () => {
    t = await makeTestApp();
    const res = await t.request.post('/checks').send({ id: 'job', ttl: '1h', latency: { warning: '1s' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('`latency` applies to polled checks only, not to a push (`ttl`) check');
  });

  it('in the config file, names the check', () => {
    const config = { checks: [{ id: 'api', url: 'http://127.0.0.1:1/', latency: { warning: '2s', critical: '1s' } }] };
    expect(() => parseConfig(config)).toThrow(/`checks\[0\]\.latency\.warning` \(2s\) must not be above/);
  });
});
