import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { makeOpsApp, tempDir } from './helpers/app.js';
import { testScope } from './helpers/scope.js';
import { megaphone } from './helpers/procs.js';
import { waitFor, sleep } from './helpers/wait.js';
import { parseConfig } from '../src/config/load.js';

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
