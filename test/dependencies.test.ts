import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { makeOpsApp, makeTestApp, tempDir } from './helpers/app.js';
import { testScope } from './helpers/scope.js';
import { megaphone } from './helpers/procs.js';
import { waitFor, sleep } from './helpers/wait.js';
import { parseConfig } from '../src/config/load.js';
import { tableReader } from './helpers/process-table.js';

const scope = testScope();
const service = () => scope.service();

describe('check dependencies', () => {
  it('a check whose dependency is down is blocked by it: state, message, history and webhooks say so', async () => {
    const db = await service();
    const app1 = await service();
    const app2 = await service();
    const receiver = await scope.webhook();
    const app = scope.keep(await makeOpsApp({ notify: [{ url: receiver.url }] }));
    await app.request.post('/checks').send({ id: 'db', url: db.url }).expect(201);
    await app.request
      .post('/checks')
      .send({ id: 'app', url: app1.url, dependsOn: ['db'] })
      .expect(201);
    await app.request
      .post('/checks')
      .send({ id: 'web', url: app2.url, dependsOn: ['app'] })
      .expect(201);
    await waitFor(() => ['db', 'app', 'web'].every((id) => app.table.get(id)?.status === 'OK'), 10_000);

    // The database fails first, then the services that need it.
    db.status('Critical', 'connection refused');
    await waitFor(() => app.table.get('db')?.status === 'Critical', 10_000);
    app1.status('Critical', 'no database');
    await waitFor(() => app.table.get('app')?.status === 'Critical', 10_000);
    app2.status('Critical', 'app unreachable');
    await waitFor(() => app.table.get('web')?.status === 'Critical', 10_000);

    const state = (await app.request.get('/checks/app/state').expect(200)).body;
    expect(state).toMatchObject({ status: 'Critical', dependsOn: ['db'], blockedBy: ['db'] });
    expect((await app.request.get('/checks?verbose=1')).body.web).toMatchObject({ blockedBy: ['app'] });
    expect((await app.request.get('/checks/db/state')).body.blockedBy).toBeUndefined();

    // Status and code are the truth; the message names the root cause first with what it blocks.
    const root = await app.request.get('/');
    expect(root.status).toBe(503);
    expect(root.body.message).toBe(
      'db:Critical:connection refused (blocks 2); app:Critical:no database (blocked by db); ' +
        'web:Critical:app unreachable (blocked by app)',
    );
    const history = (await app.request.get('/checks/app/history')).body.history;
    expect(history[0]).toMatchObject({ to: 'Critical', blockedBy: ['db'] });

    // Only the root cause notified.
    await sleep(300);
    const created = receiver.received.filter((r) => r.body.lifecycle === 'created' && r.body.check !== null);
    expect(created.map((r) => r.body.check)).toEqual(['db']);

    // The root cause recovers while app is still down: app is no longer blocked, and now it notifies.
    db.status('OK', 'back');
    await waitFor(() => app.table.get('db')?.status === 'OK', 10_000);
    await waitFor(
      () => receiver.received.some((r) => r.body.check === 'app' && r.body.lifecycle === 'created'),
      10_000,
    );
    expect((await app.request.get('/checks/app/state')).body.blockedBy).toBeUndefined();
  });

  it(
    'refuses a dependency cycle with 400 naming it; a dependency that does not exist yet counts ' + 'once it does',
    async () => {
      const a = await service();
      const app = scope.keep(await makeOpsApp());
      await app.request
        .post('/checks')
        .send({ id: 'a', url: a.url, dependsOn: ['b'] })
        .expect(201);
      await app.request
        .post('/checks')
        .send({ id: 'b', url: a.url, dependsOn: ['c'] })
        .expect(201);
      const res = await app.request.post('/checks').send({ id: 'c', url: a.url, dependsOn: ['a'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'E_DEPENDENCY_CYCLE', error: expect.stringContaining('c → a → b → c') });
      expect(app.table.get('c')).toBeUndefined();
      const self = await app.request.post('/checks').send({ id: 'd', url: a.url, dependsOn: ['d'] });
      expect(self.body.code).toBe('E_DEPENDENCY_CYCLE');
      // b depends on c, which does not exist: nothing blocks b until c exists and is down.
      a.status('Critical', 'down');
      await waitFor(() => app.table.get('b')?.status === 'Critical', 10_000);
      expect((await app.request.get('/checks/b/state')).body.blockedBy).toBeUndefined();
      const c = await scope.service({ body: { status: 'Critical', message: 'c down' } });
      await app.request.post('/checks').send({ id: 'c', url: c.url }).expect(201);
      await waitFor(() => app.table.get('c')?.status === 'Critical', 10_000);
      expect((await app.request.get('/checks/b/state')).body.blockedBy).toEqual(['c']);
    },
  );

  it('config checks: a cycle stops start-up naming it; dependsOn is validated like any id list', async () => {
    const cyclic = {
      checks: [
        { id: 'x', ttl: '1m', dependsOn: ['y'] },
        { id: 'y', ttl: '1m', dependsOn: ['x'] },
      ],
    };
    expect(() => parseConfig(cyclic)).toThrow(/`checks\[0\]\.dependsOn` makes a dependency cycle: x → y → x/);
    expect(() => parseConfig({ checks: [{ id: 'x', ttl: '1m', dependsOn: ['a', 'a'] }] })).toThrow(
      /`checks\.0\.dependsOn` must not name a check twice/,
    );
    const file = path.join(tempDir(), 'm.json');
    writeFileSync(file, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...cyclic }));
    const r = await megaphone(['serve', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dependency cycle: x → y → x/);
  });
});

describe('dependency bounds and cycles from every source', () => {
  it('a chain is at most 64 links, whichever end it grows from: the 65th is a 400 naming the bound', async () => {
    const app = scope.keep(await makeOpsApp());
    const post = (id: string, dependsOn: string[]) => app.request.post('/checks').send({ id, ttl: '1h', dependsOn });
    for (let i = 0; i <= 64; i++) await post(`c${i}`, i ? [`c${i - 1}`] : []).expect(201);
    const over = await post('c65', ['c64']).expect(400);
    expect(over.body).toEqual({
      code: 'E_DEPENDENCY_DEPTH',
      error:
        '`dependsOn` makes a dependency chain of more than 64 links (c65 → c64 → c63 → … → c2 → c1 → c0); ' +
        'at most 64 links are allowed',
    });
    // From the top down: 32 checks wait for `mid`, which would join them to the chain below.
    for (let i = 0; i < 32; i++) await post(`top${i}`, [i ? `top${i - 1}` : 'mid']).expect(201);
    const joined = await post('mid', ['c32']).expect(400);
    expect(joined.body.code).toBe('E_DEPENDENCY_DEPTH');
    expect(joined.body.error).toMatch(/chain of 65 links \(top31 → top30 → top29 → … → mid → … → c2 → c1 → c0\)/);
    await post('mid', ['c31']).expect(201);
    expect(app.table.get('c65')).toBeUndefined();
  });

  it('checks on a cycle loaded from an old data file are root causes: each notifies, none is blocked', async () => {
    const dir = tempDir();
    const checks = { a: { id: 'a', ttl: '1h', dependsOn: ['b'] }, b: { id: 'b', ttl: '1h', dependsOn: ['a'] } };
    writeFileSync(path.join(dir, 'db.json'), JSON.stringify({ version: 1, checks }));
    const receiver = await scope.webhook();
    const app = scope.keep(await makeOpsApp({ notify: [{ url: receiver.url }] }, { dir }));
    for (const id of ['a', 'b']) {
      await app.request
        .put(`/checks/${id}/status`)
        .send({ status: 'Critical', message: `${id} down` })
        .expect(200);
    }
    await waitFor(() => receiver.received.filter((r) => r.body.lifecycle === 'created' && r.body.check).length === 2);
    expect((await app.request.get('/checks/a/state')).body.blockedBy).toBeUndefined();
    expect((await app.request.get('/')).body.message).toBe('a:Critical:a down; b:Critical:b down');
    // Writes refuse the cycle they would keep: b may only come back without it.
    const again = await app.request.post('/checks').send({ id: 'b', ttl: '1h', dependsOn: ['a'] });
    expect(again.body).toMatchObject({ code: 'E_DEPENDENCY_CYCLE', error: expect.stringContaining('b → a → b') });
    await app.request.post('/checks').send({ id: 'b', ttl: '1h' }).expect(200);
    await app.request.put('/checks/b/status').send({ status: 'Critical', message: 'b down' }).expect(200);
    expect((await app.request.get('/checks/a/state')).body.blockedBy).toEqual(['b']);
  });

  it('a discovered check that would close a cycle is refused, and GET /discovery says why', async () => {
    const rule = (id: string, dep: string) => ({
      match: { cmd: '--serve' },
      id,
      url: 'http://127.0.0.1:{port}/',
      dependsOn: [dep],
    });
    const reader = tableReader();
    const app = scope.keep(
      await makeTestApp(
        { discovery: { interval: '1h', rules: [rule('front', 'back'), rule('back', 'front')] } } as never,
        undefined,
        { deps: { processReader: () => reader } },
      ),
    );
    expect(app.table.get('front')).toMatchObject({ status: 'Critical', message: 'process not running' });
    expect(app.table.get('back')).toBeUndefined();
    const view = (await app.request.get('/discovery').expect(200)).body;
    expect(view.rules[0].refused).toEqual([]);
    expect(view.rules[1].refused).toEqual([
      { id: 'back', error: '`dependsOn` makes a dependency cycle: back → front → back' },
    ]);
    // A check from the API closing one with a discovered check is refused the same way.
    const res = await app.request.post('/checks').send({ id: 'back', ttl: '1m', dependsOn: ['front'] });
    expect(res.body).toEqual({
      code: 'E_DEPENDENCY_CYCLE',
      error: '`dependsOn` makes a dependency cycle: back → front → back',
    });
  });

  it('a check blocked only by a silenced dependency fails for its own reason: it notifies', async () => {
    const db = await service();
    const web = await service();
    const receiver = await scope.webhook();
    const app = scope.keep(await makeOpsApp({ notify: [{ url: receiver.url }] }));
    await app.request.post('/checks').send({ id: 'db', url: db.url }).expect(201);
    await app.request
      .post('/checks')
      .send({ id: 'app', url: web.url, dependsOn: ['db'] })
      .expect(201);
    await waitFor(() => app.table.get('app')?.status === 'OK' && app.table.get('db')?.status === 'OK', 10_000);
    db.status('Critical', 'db down');
    await waitFor(() => receiver.received.some((r) => r.body.check === 'db' && r.body.lifecycle === 'created'));
    web.status('Critical', 'app down');
    await waitFor(() => app.table.get('app')?.status === 'Critical', 10_000);
    await sleep(300);
    // Blocked by a failing db: only db told.
    expect(receiver.received.some((r) => r.body.check === 'app')).toBe(false);

    // db silenced: app's failure is its own now, and it says so.
    await app.request.put('/checks/db/silence').send({ reason: 'migrating' }).expect(201);
    await waitFor(() => receiver.received.some((r) => r.body.check === 'app' && r.body.lifecycle === 'created'));
    expect((await app.request.get('/checks/app/state')).body.blockedBy).toBeUndefined();
    expect((await app.request.get('/')).body.message).toBe('app:Critical:app down');
  });
});
