import { afterEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';
import { parseConfig } from '../src/config/load.js';

let t: TestApp | undefined;
const services: FakeService[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  await Promise.all(services.splice(0).map((s) => s.close()));
});

/** A fake status service per id, all OK to begin with. */
async function servicesFor(ids: string[]): Promise<Record<string, FakeService>> {
  const out: Record<string, FakeService> = {};
  for (const id of ids) {
    const svc = await startFakeService({ body: { status: 'OK', message: `${id} fine` } });
    services.push(svc);
    out[id] = svc;
  }
  return out;
}

async function setup(groups: Record<string, unknown>, ids: string[]) {
  const svc = await servicesFor(ids);
  t = await makeTestApp({ defaults: { interval: '200ms', timeout: '150ms' }, groups } as never);
  for (const id of ids) await t.request.post('/checks').send({ id, url: svc[id]!.url }).expect(201);
  const app = t;
  await waitFor(() => ids.every((id) => app.table.get(id)?.status === 'OK'), 10_000);
  return { app, svc };
}

const group = async (app: TestApp, name: string, accept?: string) => {
  const req = app.request.get(`/groups/${name}`);
  return accept ? req.set('Accept', accept) : req;
};

describe('named groups', () => {
  it('without minHealthy: the worst of its members, members by exact id and * pattern', async () => {
    const { app, svc } = await setup({ web: { checks: ['nginx', 'app-*'] }, db: { checks: ['pg'] } }, [
      'nginx',
      'app-1',
      'app-2',
      'pg',
      'other',
    ]);
    expect((await group(app, 'web')).body).toMatchObject({ status: 'OK', message: 'Everything is OK!' });
    svc['app-2']!.status('Warning', 'slow');
    svc.pg!.status('Critical', 'down');
    await waitFor(async () => (await group(app, 'web')).body.status === 'Warning', 10_000);
    await waitFor(async () => (await group(app, 'db')).body.status === 'Critical', 10_000);
    const web = await group(app, 'web');
    expect(web.status).toBe(200);
    expect(web.body).toMatchObject({ status: 'Warning', message: 'app-2:Warning:slow' });
    const db = await group(app, 'db');
    expect(db.status).toBe(503);
    expect(db.body).toMatchObject({ status: 'Critical', message: 'pg:Critical:down' });
    // The host is still the worst of everything.
    expect((await app.request.get('/')).body.status).toBe('Critical');
    const list = (await app.request.get('/groups').expect(200)).body;
    expect(list).toEqual({
      web: { status: 'Warning', message: 'app-2:Warning:slow', members: ['app-1', 'app-2', 'nginx'] },
      db: { status: 'Critical', message: 'pg:Critical:down', members: ['pg'] },
    });
  });

  it('with minHealthy: Critical below it, Warning while any member is not OK, OK when all are', async () => {
    const { app, svc } = await setup({ pool: { checks: ['app-*'], minHealthy: 2 } }, ['app-1', 'app-2', 'app-3']);
    expect((await group(app, 'pool')).body.status).toBe('OK');
    svc['app-1']!.status('Critical', 'refused');
    await waitFor(async () => (await group(app, 'pool')).body.status === 'Warning', 10_000);
    expect((await group(app, 'pool')).body.message).toBe('2 of 3 OK (minHealthy 2); app-1:Critical:refused');
    // Degraded but serving: the pool's code is Warning's (200), not Critical's.
    expect((await group(app, 'pool')).status).toBe(200);
    svc['app-2']!.status('Critical', 'refused');
    await waitFor(async () => (await group(app, 'pool')).body.status === 'Critical', 10_000);
    const res = await group(app, 'pool');
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('1 of 3 OK (minHealthy 2); app-1:Critical:refused; app-2:Critical:refused');
  });

  it('a group with no member is Unknown "no checks in group"; an unknown group is 404 E_GROUP_NOT_FOUND', async () => {
    const { app } = await setup({ empty: { checks: ['nothing-*'] } }, ['a']);
    expect((await group(app, 'empty')).body).toMatchObject({ status: 'Unknown', message: 'no checks in group' });
    const res = await group(app, 'nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: expect.stringContaining('"nope"'), code: 'E_GROUP_NOT_FOUND' });
  });

  it('host maintenance and the --global check apply to every group', async () => {
    const { app, svc } = await setup({ web: { checks: ['a'] } }, ['a']);
    await app.request.put('/maintenance').send({ reason: 'kernel upgrade' }).expect(201);
    let res = await group(app, 'web');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'Critical', message: 'maintenance: kernel upgrade' });
    await app.request.delete('/maintenance').expect(204);
    await app.request.post('/checks').send({ id: '--global', url: svc.a!.url }).expect(201);
    res = await group(app, 'web');
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/^--global:Critical:/);
  });

  it('answers like / in every representation, with OPTIONS and HEAD, and the http.statusCodes map', async () => {
    const { app, svc } = await setup({ web: { checks: ['a'] } }, ['a']);
    svc.a!.status('Warning', 'busy');
    await waitFor(async () => (await group(app, 'web')).body.status === 'Warning', 10_000);
    const health = await group(app, 'web', 'application/health+json');
    expect(health.headers['content-type']).toMatch(/^application\/health\+json/);
    const body = JSON.parse(health.text);
    expect(body).toMatchObject({ status: 'warn', output: 'a:Warning:busy' });
    expect(Object.keys(body.checks)).toEqual(['a:status']);
    expect((await group(app, 'web', 'text/plain')).text).toBe('WARNING: a:Warning:busy\n');
    const options = await app.request.options('/groups/web');
    expect(options.status).toBe(200);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect((await app.request.head('/groups/web')).status).toBe(200);

    const next = parseConfig({ ...app.config, http: { statusCodes: { Warning: 429 } } });
    await app.reload({ ...next, dataFile: app.config.dataFile });
    expect((await group(app, 'web')).status).toBe(429);
    expect((await app.request.options('/groups/web')).status).toBe(429);
  });

  it('a silenced member is left out of its group', async () => {
    const { app, svc } = await setup({ web: { checks: ['a', 'b'] } }, ['a', 'b']);
    svc.b!.status('Critical', 'down');
    await waitFor(async () => (await group(app, 'web')).body.status === 'Critical', 10_000);
    await app.request.put('/checks/b/silence').send({ reason: 'replacing its disk' }).expect(201);
    expect((await group(app, 'web')).body).toMatchObject({ status: 'OK' });
    expect((await app.request.get('/groups')).body.web.members).toEqual(['a', 'b']);
  });

  it("a member's message says what blocks it, even a dependency outside the group", async () => {
    const { app, svc } = await setup({ web: { checks: ['app'] } }, ['db']);
    await app.request
      .post('/checks')
      .send({ id: 'app', url: svc.db!.url, dependsOn: ['db'] })
      .expect(201);
    const own = await startFakeService({ body: { status: 'Critical', message: 'no database' } });
    services.push(own);
    await app.request
      .post('/checks')
      .send({ id: 'app', url: own.url, dependsOn: ['db'] })
      .expect(200);
    await waitFor(async () => (await group(app, 'web')).body.message === 'app:Critical:no database', 10_000);
    svc.db!.status('Critical', 'connection refused');
    await waitFor(
      async () => (await group(app, 'web')).body.message === 'app:Critical:no database (blocked by db)',
      10_000,
    );
  });

  it('a reload adds, changes and removes groups', async () => {
    const { app } = await setup({ web: { checks: ['a'] } }, ['a', 'b']);
    const next = parseConfig({ ...app.config, groups: { api: { checks: ['b'] }, web: { checks: ['a', 'b'] } } });
    const outcome = await app.reload({ ...next, dataFile: app.config.dataFile });
    expect(outcome.applied).toContain('groups');
    expect(Object.keys((await app.request.get('/groups')).body).sort()).toEqual(['api', 'web']);
    expect((await app.request.get('/groups')).body.web.members).toEqual(['a', 'b']);
    const removed = parseConfig({ ...app.config, groups: {} });
    await app.reload({ ...removed, dataFile: app.config.dataFile });
    expect((await group(app, 'web')).status).toBe(404);
  });

  it('a pattern like a*a*a*a*a*a*a matches 128-character ids at once (no backtracking), start and reload', async () => {
    const evil = 'a*a*a*a*a*a*a';
    const [hit, miss] = ['a'.repeat(128), `${'a'.repeat(127)}b`];
    t = await makeTestApp({ groups: { evil: { checks: [evil] } } } as never);
    const app = t;
    for (const id of [hit, miss]) await app.request.post('/checks').send({ id, ttl: '1h' }).expect(201);
    expect((await app.request.get('/groups')).body.evil.members).toEqual([hit]);
    // A reload matches every check held against the patterns again; so does a restart.
    const next = parseConfig({ ...app.config, groups: { evil: { checks: [evil, 'b*'] }, ends: { checks: ['*b'] } } });
    await app.reload({ ...next, dataFile: app.config.dataFile });
    const groups = (await app.request.get('/groups')).body;
    expect(groups.evil.members).toEqual([hit]);
    expect(groups.ends.members).toEqual([miss]);
    await app.close();
    t = await makeTestApp({ groups: { evil: { checks: [evil] } } } as never, app.dataFile);
    expect((await t.request.get('/groups')).body.evil.members).toEqual([hit]);
  });

  it('refuses bad groups in the config, naming the key', () => {
    expect(() => parseConfig({ groups: { web: { checks: [] } } })).toThrow(/`groups\.web\.checks`/);
    expect(() => parseConfig({ groups: { 'we b': { checks: ['a'] } } })).toThrow(
      /`groups` has the name "we b", which must be/,
    );
    expect(() => parseConfig({ groups: { web: { checks: ['a'], minHealthy: 0 } } })).toThrow(
      /`groups\.web\.minHealthy`/,
    );
    expect(() => parseConfig({ groups: { web: { checks: ['a b'] } } })).toThrow(/`groups\.web\.checks\.0`/);
    // A name is a key from outside: `__proto__` is a group like any other, not lost.
    expect(Object.keys(parseConfig(JSON.parse('{"groups": {"__proto__": {"checks": ["a"]}}}')).groups)).toEqual([
      '__proto__',
    ]);
  });
});
