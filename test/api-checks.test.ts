import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedChecks } from './helpers/stored.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

let t: TestApp;
let svc: FakeService;

beforeEach(async () => {
  t = await makeTestApp();
  svc = await startFakeService();
});
afterEach(async () => {
  await t.close();
  await svc.close();
});

const statusOf = async () => (await t.request.get('/')).body as { status: string; message: string; date: string };

describe('GET /', () => {
  it('with no checks is Unknown, "No services are registered!", with an ISO date', async () => {
    const res = await t.request.get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.status).toBe('Unknown');
    expect(res.body.message).toBe('No services are registered!');
    expect(new Date(res.body.date).toISOString()).toBe(res.body.date);
  });

  it('is OK with "Everything is OK!" once every check is OK', async () => {
    await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
    await waitFor(async () => (await statusOf()).status === 'OK');
    expect((await statusOf()).message).toBe('Everything is OK!');
  });

  it('lists every check above OK as id:Status:message, worst first, and answers 503 when Critical', async () => {
    const warn = await startFakeService({
      body: { status: 'Warning', message: 'Houston, I think we have a problem.' },
    });
    const crit = await startFakeService({ body: { status: 'CRITICAL', message: 'db down' } });
    try {
      await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
      await t.request.post('/checks').send({ id: 'foo', url: warn.url }).expect(201);
      await waitFor(async () => (await statusOf()).status === 'Warning');
      expect((await statusOf()).message).toBe('foo:Warning:Houston, I think we have a problem.');
      await t.request.post('/checks').send({ id: 'db', url: crit.url }).expect(201);
      await waitFor(async () => (await statusOf()).status === 'Critical');
      const res = await t.request.get('/');
      expect(res.status).toBe(503);
      expect(res.body.message).toBe('db:Critical:db down; foo:Warning:Houston, I think we have a problem.');
    } finally {
      await warn.close();
      await crit.close();
    }
  });

  it('HEAD / gives the same code with no body', async () => {
    await t.request.post('/checks').send({ id: 'dead', url: 'http://127.0.0.1:1/status' }).expect(201);
    await waitFor(async () => (await statusOf()).status === 'Critical');
    const res = await t.request.head('/');
    expect(res.status).toBe(503);
    expect(res.text ?? '').toBe('');
  });
});

describe('/checks', () => {
  it('GET /checks maps id to the url exactly as registered', async () => {
    const objectUrl = { addr: svc.url, jsonpath: 'megaphone/status', statusoverride: 'warning' };
    await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
    await t.request.post('/checks').send({ id: 'obj', url: objectUrl }).expect(201);
    const res = await t.request.get('/checks').expect(200);
    expect(res.body).toEqual({ bar: svc.url, obj: objectUrl });
  });

  it('GET /checks hides a password in a check URL (string or addr), and secret header values', async () => {
    const withPassword = svc.url.replace('http://', 'http://monitor:s3cret@');
    await t.request.post('/checks').send({ id: 'plain', url: withPassword }).expect(201);
    await t.request
      .post('/checks')
      .send({ id: 'obj', url: { addr: withPassword, headers: { Authorization: 'Bearer x', 'X-Env': 'prod' } } })
      .expect(201);
    const shown = svc.url.replace('http://', 'http://monitor:[redacted]@');
    const res = await t.request.get('/checks').expect(200);
    expect(res.body).toEqual({
      plain: shown,
      obj: { addr: shown, headers: { Authorization: '[redacted]', 'X-Env': 'prod' } },
    });
    expect(JSON.stringify((await t.request.get('/checks?verbose=1')).body)).not.toContain('s3cret');
  });

  it('GET /checks/:id returns the payload as received', async () => {
    const payload = { status: 'OK', message: 'Everything is groovy man.', version: '1.0.0', id: 'bar' };
    svc.reply({ body: payload });
    await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
    await waitFor(async () => (await t.request.get('/checks/bar')).body.version === '1.0.0');
    expect((await t.request.get('/checks/bar')).body).toEqual(payload);
  });

  it('GET /checks/:id of a failed poll is a synthesized {status, message} saying why', async () => {
    await t.request.post('/checks').send({ id: 'dead', url: 'http://127.0.0.1:1/status' }).expect(201);
    const body = await waitFor(async () => {
      const b = (await t.request.get('/checks/dead')).body;
      return b.status === 'Critical' && b;
    });
    expect(body.message).toMatch(/connection refused/);
  });

  it('GET /checks/:id of an unknown id is 404 with a JSON error', async () => {
    const res = await t.request.get('/checks/nope').expect(404);
    expect(res.body).toEqual({ error: expect.stringContaining('nope'), code: 'E_CHECK_NOT_FOUND' });
  });

  it('POST answers 201 when new and 200 when it replaces the same id', async () => {
    await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
    await t.request
      .post('/checks')
      .send({ id: 'bar', url: `${svc.url}?v=2` })
      .expect(200);
    expect((await t.request.get('/checks')).body).toEqual({ bar: `${svc.url}?v=2` });
  });

  it('a registration is durable in the data file before it is acknowledged', async () => {
    await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
    expect(storedChecks(t.dataFile).bar).toEqual({ id: 'bar', url: svc.url });
  });

  it('DELETE removes a check (204) and the summary forgets it; unknown id is 404', async () => {
    await t.request.post('/checks').send({ id: 'bar', url: svc.url }).expect(201);
    await t.request.delete('/checks/bar').expect(204);
    expect((await t.request.get('/checks')).body).toEqual({});
    expect((await statusOf()).message).toBe('No services are registered!');
    await t.request.delete('/checks/bar').expect(404);
    expect(storedChecks(t.dataFile)).toEqual({});
  });
});
