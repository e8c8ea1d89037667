import { describe, expect, it } from 'vitest';
import { makeOpsApp, makeTestApp } from './helpers/app.js';
import { testScope } from './helpers/scope.js';
import { waitFor, sleep } from './helpers/wait.js';

const scope = testScope();
const service = () => scope.service();

/** megaphone with checks `ok` (OK) and `db` (Critical), and a webhook receiver. */
async function setup(opts: { now?: () => number } = {}) {
  const ok = await service();
  const db = await service();
  db.status('Critical', 'connection refused');
  const receiver = await scope.webhook();
  const app = scope.keep(await makeOpsApp({ notify: [{ url: receiver.url }] }, opts));
  await app.request.post('/checks').send({ id: 'ok', url: ok.url }).expect(201);
  await app.request.post('/checks').send({ id: 'db', url: db.url }).expect(201);
  await waitFor(() => app.table.get('db')?.status === 'Critical' && app.table.get('ok')?.status === 'OK', 10_000);
  return { app, db, receiver };
}

describe('check silences', () => {
  it('a silenced check is left out of / and tells no webhook, while its real status shows', async () => {
    const { app, db, receiver } = await setup();
    await waitFor(() => receiver.received.some((r) => r.body.check === 'db'), 10_000);
    expect((await app.request.get('/')).status).toBe(503);

    const put = await app.request.put('/checks/db/silence').send({ reason: 'migrating the database', ttl: '1h' });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      check: 'db',
      silenced: { reason: 'migrating the database', untilOk: false, until: expect.any(String) },
    });
    const root = await app.request.get('/');
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ status: 'OK', message: 'Everything is OK!' });
    const state = (await app.request.get('/checks/db/state')).body;
    expect(state).toMatchObject({ status: 'Critical', silenced: { reason: 'migrating the database' } });
    expect((await app.request.get('/checks?verbose=1')).body.db.silenced.reason).toBe('migrating the database');
    expect((await app.request.get('/checks/db/silence')).body.silenced.reason).toBe('migrating the database');
    // health+json leaves it out too: the top status and the list agree.
    const health = JSON.parse((await app.request.get('/').set('Accept', 'application/health+json')).text);
    expect(health.status).toBe('pass');
    expect(Object.keys(health.checks)).toEqual(['ok:status']);

    // While silenced its changes tell nobody.
    const before = receiver.received.length;
    db.status('Warning', 'replica lag');
    await waitFor(() => app.table.get('db')?.status === 'Warning', 10_000);
    await sleep(300);
    expect(receiver.received.length).toBe(before);

    // Silencing and lifting are transitions in history; lifted, it counts again and notifies.
    await app.request.delete('/checks/db/silence').expect(204);
    expect((await app.request.get('/')).body.status).toBe('Warning');
    const history = (await app.request.get('/checks/db/history')).body.history;
    expect(history.slice(0, 3).map((h: { silence?: string; message: string }) => [h.silence, h.message])).toEqual([
      ['off', 'silence lifted'],
      [undefined, 'replica lag'],
      ['on', 'silenced: migrating the database'],
    ]);
    await waitFor(() => receiver.received.slice(before).some((r) => r.body.check === 'db'), 10_000);
  });

  it('lifts by itself at its ttl, and when the check next reads OK with untilOk', async () => {
    const clock = { now: Date.now() };
    const { app, db } = await setup({ now: () => clock.now });
    await app.request.put('/checks/db/silence').send({ reason: 'until fixed', untilOk: true }).expect(201);
    expect((await app.request.get('/')).body.status).toBe('OK');
    db.status('OK', 'fixed');
    await waitFor(async () => (await app.request.get('/checks/db/silence')).body.silenced === null, 10_000);
    expect((await app.request.get('/checks/db/history')).body.history[0]).toMatchObject({
      silence: 'off',
      message: 'silence lifted (check OK)',
    });

    db.status('Critical', 'again');
    await waitFor(() => app.table.get('db')?.status === 'Critical', 10_000);
    await app.request.put('/checks/db/silence').send({ reason: 'short', ttl: '2s' }).expect(201);
    expect((await app.request.get('/')).body.status).toBe('OK');
    clock.now += 3_000;
    await waitFor(async () => (await app.request.get('/')).body.status === 'Critical', 10_000);
    expect((await app.request.get('/checks/db/silence')).body.silenced).toBeNull();
  });

  it('is durable: a silence survives a restart; deleting the check lifts it', async () => {
    const { app } = await setup();
    await app.request.put('/checks/db/silence').send({ reason: 'kept', ttl: '1h' }).expect(201);
    const dataFile = app.dataFile;
    await app.close();
    const again = scope.keep(await makeTestApp({}, dataFile));
    await waitFor(() => again.table.get('db')?.status === 'Critical', 10_000);
    expect((await again.request.get('/checks/db/silence')).body.silenced).toMatchObject({ reason: 'kept' });
    expect((await again.request.get('/')).body.status).toBe('OK');
    await again.request.delete('/checks/db').expect(204);
    await again.close();
    const third = scope.keep(await makeTestApp({}, dataFile));
    expect((await third.request.get('/checks/db/silence')).status).toBe(404);
  });

  it.each([
    ['no body', undefined, 400, /reason/],
    ['no reason', { ttl: '1h' }, 400, /`reason`/],
    ['a ttl over 30 days', { reason: 'r', ttl: '31d' }, 400, /`ttl`/],
    ['untilOk not a boolean', { reason: 'r', untilOk: 'yes' }, 400, /`untilOk`/],
    ['an unknown field', { reason: 'r', forever: true }, 400, /forever/],
  ])('PUT with %s is refused naming it, and changes nothing', async (_name, body, code, pattern) => {
    const { app } = await setup();
    const req = app.request.put('/checks/db/silence');
    const res = await (body === undefined ? req : req.send(body));
    expect(res.status).toBe(code);
    expect(res.body.error).toMatch(pattern);
    expect((await app.request.get('/checks/db/silence')).body.silenced).toBeNull();
    expect((await app.request.get('/')).status).toBe(503);
  });

  it('an unknown check is 404 E_CHECK_NOT_FOUND for PUT, GET and DELETE', async () => {
    const { app } = await setup();
    for (const req of [
      app.request.put('/checks/nope/silence').send({ reason: 'r' }),
      app.request.get('/checks/nope/silence'),
      app.request.delete('/checks/nope/silence'),
    ]) {
      const res = await req;
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('E_CHECK_NOT_FOUND');
    }
  });
});
