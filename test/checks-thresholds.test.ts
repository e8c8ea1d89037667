import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';
import type { Result } from '../src/probes/result.js';
import type { Status } from '../src/status.js';

let t: TestApp | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const c of cleanups.splice(0)) await c();
});

/** Every result the monitor applied to `id`: the raw status and the status it then showed. */
function recordResults(app: TestApp, id: string): Array<{ raw: Status; shown: Status }> {
  const log: Array<{ raw: Status; shown: Status }> = [];
  app.bus.on('result', (checkId, result, state) => {
    if (checkId === id) log.push({ raw: result.status, shown: state.status });
  });
  return log;
}

describe('rise and fall', () => {
  it('a check leaves OK only after `fall` failures in a row and returns after `rise` successes', async () => {
    const svc = await startFakeService({ body: { status: 'OK' } });
    cleanups.push(() => svc.close());
    t = await makeTestApp();
    const app = t;
    await app.request
      .post('/checks')
      .send({ id: 'api', url: svc.url, interval: '100ms', timeout: '80ms', fall: 3, rise: 2 })
      .expect(201);
    await waitFor(() => app.table.get('api')?.status === 'OK', 10_000);
    const log = recordResults(app, 'api');
    svc.status('Critical', 'down');
    await waitFor(() => app.table.get('api')?.status === 'Critical', 10_000);
    const firstCritical = log.findIndex((e) => e.shown === 'Critical');
    const failures = log
      .slice(0, firstCritical + 1)
      .reverse()
      .findIndex((e) => e.raw !== 'Critical');
    // Exactly the third Critical result in a row turned it Critical; the two before still showed OK.
    expect(failures === -1 ? firstCritical + 1 : failures).toBe(3);
    expect(log.slice(firstCritical - 2, firstCritical).map((e) => e.shown)).toEqual(['OK', 'OK']);
    expect((await app.request.get('/checks/api/state')).body.consecutive).toBeGreaterThanOrEqual(3);

    log.length = 0;
    svc.status('OK', 'back');
    await waitFor(() => app.table.get('api')?.status === 'OK', 10_000);
    const firstOk = log.findIndex((e) => e.shown === 'OK');
    expect(log[firstOk - 1]).toEqual({ raw: 'OK', shown: 'Critical' });
    expect(log[firstOk]).toEqual({ raw: 'OK', shown: 'OK' });
  });

  it.each([
    [{ rise: 0 }, /`rise`/],
    [{ fall: 1.5 }, /`fall`/],
    [{ interval: '50ms' }, /`interval` must be between 100ms/],
    [{ interval: '1s', timeout: '1s' }, /`timeout` must be shorter than the interval \(1s\), got 1s/],
    [{ interval: 'soon' }, /`interval`/],
  ])('bad timing or thresholds are a 400: %j', async (fields, error) => {
    t = await makeTestApp();
    const res = await t.request
      .post('/checks')
      .send({ id: 'x', url: 'http://127.0.0.1:1/', ...fields })
      .expect(400);
    expect(res.body.error).toMatch(error);
    expect((await t.request.get('/checks')).body).toEqual({});
  });

  it('per-check interval and timeout override the defaults; an omitted timeout stays below the interval', async () => {
    t = await makeTestApp({ defaults: { interval: '10s', timeout: '3s' } });
    await t.request
      .post('/checks')
      .send({ id: 'a', url: 'http://127.0.0.1:1/', interval: '500ms', timeout: '200ms' })
      .expect(201);
    await t.request.post('/checks').send({ id: 'b', url: 'http://127.0.0.1:1/', interval: '1s' }).expect(201);
    expect(t.table.get('a')?.check).toMatchObject({ intervalMs: 500, timeoutMs: 200 });
    expect(t.table.get('b')?.check).toMatchObject({ intervalMs: 1000, timeoutMs: 800 });
  });
});

describe('flapping', () => {
  it('a service that alternates is flapping: true, and stops being so once it settles', async () => {
    let n = 0;
    let steady = false;
    const server = http.createServer((_req, res) => {
      const status = steady || n++ % 2 === 0 ? 'OK' : 'Critical';
      res.end(JSON.stringify({ status }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    t = await makeTestApp({ flap: { window: 6, changes: 3 } });
    const app = t;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await app.request.post('/checks').send({ id: 'flappy', url, interval: '100ms', timeout: '80ms' }).expect(201);
    await waitFor(async () => (await app.request.get('/checks/flappy/state')).body.flapping === true, 10_000);
    expect((await app.request.get('/checks?verbose=1')).body.flappy.flapping).toBe(true);
    steady = true;
    await waitFor(async () => (await app.request.get('/checks/flappy/state')).body.flapping === false, 10_000);
  });
});

describe('staleness', () => {
  it('a check whose poll never returns reads Unknown "stale: last result at <time>" — never an old OK', async () => {
    const clock = { now: 1_800_000_000_000 };
    let polls = 0;
    const probe = (): Promise<Result> => {
      polls++;
      // The first poll answers; every later one hangs and ignores its deadline.
      return polls === 1
        ? Promise.resolve({ status: 'OK', message: 'fine', latencyMs: 1, at: clock.now })
        : new Promise<Result>(() => undefined);
    };
    t = await makeTestApp({}, undefined, { now: () => clock.now, probe });
    const app = t;
    await app.request
      .post('/checks')
      .send({ id: 'stuck', url: 'http://127.0.0.1:1/', interval: '10s', timeout: '1s' })
      .expect(201);
    await waitFor(async () => (await app.request.get('/')).body.status === 'OK', 10_000);
    clock.now += 30_000;
    expect((await app.request.get('/')).body.status).toBe('OK');
    clock.now += 17_000;
    const res = await app.request.get('/').expect(200);
    const lastResult = new Date(clock.now - 47_000).toISOString().replace('.000Z', 'Z');
    expect(res.body).toMatchObject({ status: 'Unknown', message: `stuck:Unknown:stale: last result at ${lastResult}` });
    expect((await app.request.get('/checks/stuck/state')).body).toMatchObject({
      status: 'Unknown',
      message: `stale: last result at ${lastResult}`,
      checkedAt: new Date(clock.now - 47_000).toISOString(),
    });
  });

  it('the sweep timer marks a stale check without anyone reading', async () => {
    const clock = { now: 1_800_000_000_000 };
    const probe = (): Promise<Result> => new Promise<Result>(() => undefined);
    t = await makeTestApp({}, undefined, { now: () => clock.now, probe });
    const app = t;
    await app.request
      .post('/checks')
      .send({ id: 'never', url: 'http://127.0.0.1:1/', interval: '1s', timeout: '500ms' })
      .expect(201);
    expect(app.table.get('never')?.message).toBe('waiting for the first poll');
    const registered = new Date(clock.now).toISOString().replace('.000Z', 'Z');
    app.megaphone.sweeper.start(20);
    clock.now += 5_000;
    // Read the state directly: nothing here triggers the lazy sweep of a summary read.
    await waitFor(() => app.table.get('never')?.message === `stale: no result since ${registered}`, 10_000);
    expect(app.table.get('never')?.stale).toBe(true);
  });
});
