import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { readStored } from './helpers/stored.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('tcp checks', () => {
  it('are OK while a listener accepts and Critical with the reason once it closes', async () => {
    t = await makeTestApp({ defaults: { interval: '200ms', timeout: '150ms' } });
    const app = t;
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await app.request.post('/checks').send({ id: 'pg', url }).expect(201);
    expect((await app.request.get('/checks')).body).toEqual({ pg: url });
    const ok = await waitFor(async () => {
      const b = (await app.request.get('/checks/pg/state')).body;
      return b.status === 'OK' && b;
    }, 10_000);
    expect(ok).toMatchObject({ kind: 'tcp', source: 'api', message: `connected to ${url.slice(6)}` });
    await new Promise<void>((r) => server.close(() => r()));
    const down = await waitFor(async () => {
      const b = (await app.request.get('/').expect(503)).body;
      // A poll racing the close may first see a reset; once closed, every poll is refused.
      return b.message === 'pg:Critical:connection refused (ECONNREFUSED)' && b;
    }, 10_000);
    expect(down.status).toBe('Critical');
  });

  it('rejects a tcp url without a port', async () => {
    t = await makeTestApp();
    const res = await t.request.post('/checks').send({ id: 'pg', url: 'tcp://127.0.0.1' }).expect(400);
    expect(res.body.error).toMatch(/`url`/);
  });
});

describe('push (ttl) checks', () => {
  const clock = { now: 1_800_000_000_000 };
  const now = () => clock.now;

  it('are Unknown until the first report, take reports, and go Critical when the ttl passes', async () => {
    t = await makeTestApp({}, undefined, { now });
    const app = t;
    await app.request.post('/checks').send({ id: 'backup', ttl: '30s' }).expect(201);
    expect((await app.request.get('/checks')).body).toEqual({ backup: null });
    let state = (await app.request.get('/checks/backup/state').expect(200)).body;
    expect(state).toMatchObject({
      kind: 'push',
      status: 'Unknown',
      message: 'waiting for the first report',
      checkedAt: null,
    });

    state = (
      await app.request.put('/checks/backup/status').send({ status: 'pass', message: 'backup done' }).expect(200)
    ).body;
    expect(state).toMatchObject({ status: 'OK', message: 'backup done', checkedAt: new Date(clock.now).toISOString() });
    expect((await app.request.get('/')).body.status).toBe('OK');
    const reported = new Date(clock.now).toISOString().replace(/\.\d{3}Z$/, 'Z');

    clock.now += 30_000;
    expect((await app.request.get('/')).body.status).toBe('OK');
    clock.now += 12_000;
    const res = await app.request.get('/').expect(503);
    expect(res.body.message).toBe(`backup:Critical:no report since ${reported} (ttl 30s)`);

    await app.request.put('/checks/backup/status').send({ status: 'Warning', message: 'slow' }).expect(200);
    expect((await app.request.get('/')).body.message).toBe('backup:Warning:slow');
  });

  it('an acknowledged report survives a restart', async () => {
    t = await makeTestApp({}, undefined, { now });
    await t.request.post('/checks').send({ id: 'job', ttl: '1m' }).expect(201);
    await t.request.put('/checks/job/status').send({ status: 'critical', message: 'disk full' }).expect(200);
    expect(readStored(t.dataFile).pushes.get('job')).toEqual({
      status: 'Critical',
      message: 'disk full',
      at: clock.now,
    });
    const file = t.dataFile;
    await t.close();
    t = await makeTestApp({}, file, { now });
    expect((await t.request.get('/checks/job/state')).body).toMatchObject({ status: 'Critical', message: 'disk full' });
    // Restoring it is not a new transition: history holds the one from before the restart, once.
    const history = (await t.request.get('/checks/job/history')).body.history as Array<{ to: string }>;
    expect(history.map((h) => h.to)).toEqual(['Critical']);
  });

  it('refuse bad reports (400), unknown ids (404) and pushes to checks of other kinds (409)', async () => {
    const svc = await startFakeService();
    try {
      t = await makeTestApp({}, undefined, { now });
      await t.request.post('/checks').send({ id: 'job', ttl: '1m' }).expect(201);
      await t.request.post('/checks').send({ id: 'web', url: svc.url }).expect(201);
      expect((await t.request.put('/checks/job/status').send({ status: 'sideways' }).expect(400)).body.error).toMatch(
        /`status`/,
      );
      expect(
        (
          await t.request
            .put('/checks/job/status')
            .send({ status: 'OK', message: 'x'.repeat(5000) })
            .expect(400)
        ).body.error,
      ).toMatch(/`message`/);
      expect(
        (await t.request.put('/checks/job/status').send({ status: 'OK', extra: 1 }).expect(400)).body.error,
      ).toMatch(/extra/);
      expect((await t.request.put('/checks/nope/status').send({ status: 'OK' }).expect(404)).body.code).toBe(
        'E_CHECK_NOT_FOUND',
      );
      expect((await t.request.put('/checks/web/status').send({ status: 'OK' }).expect(409)).body.code).toBe(
        'E_NOT_PUSH_CHECK',
      );
      expect((await t.request.get('/checks/job/state')).body.status).toBe('Unknown');
    } finally {
      await svc.close();
    }
  });

  it.each([
    ['a negative ttl', { ttl: '-5s' }, /`ttl`/],
    ['a zero ttl', { ttl: 0 }, /`ttl`/],
    ['a ttl with a url', { ttl: '30s', url: 'http://127.0.0.1:1/' }, /cannot be combined/],
    ['a ttl with an interval', { ttl: '30s', interval: '5s' }, /do not apply to a push/],
    ['no url, ttl or command', {}, /one of `url`, `ttl`/],
    ['a ttl on the --global check', { id: '--global', ttl: '30s' }, /`--global` check takes a `url`/],
  ])('registration with %s is a 400', async (_what, fields, error) => {
    t = await makeTestApp();
    const res = await t.request
      .post('/checks')
      .send({ id: 'p', ...fields })
      .expect(400);
    expect(res.body.error).toMatch(error);
  });
});
