import { afterEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';
import type { ConfigInput } from '../src/config/schema.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function app(overrides: ConfigInput = {}): Promise<TestApp> {
  const t = await makeTestApp(overrides);
  open.push(t);
  return t;
}

async function service(status: string, message = `it is ${status}`): Promise<FakeService> {
  const svc = await startFakeService({ body: { status, message } });
  open.push(svc);
  return svc;
}

/** Registers `checks` (id → status) and waits until the host shows `expected`. */
async function hostWith(t: TestApp, checks: Record<string, string>, expected: string): Promise<void> {
  for (const [id, status] of Object.entries(checks)) {
    const svc = await service(status, status === 'Critical' ? 'connection refused' : `it is ${status}`);
    await t.request.post('/checks').send({ id, url: svc.url }).expect(201);
  }
  await waitFor(async () => (await t.request.get('/')).body.status === expected, 15_000);
}

describe('http.statusCodes', () => {
  it.each([
    ['OK', 200],
    ['Unknown', 200],
    ['Warning', 200],
    ['Critical', 503],
  ])('by default a host that is %s answers %i on GET and HEAD', async (status, code) => {
    const t = await app();
    await hostWith(t, { svc: status }, status);
    expect((await t.request.get('/')).status).toBe(code);
    expect((await t.request.head('/')).status).toBe(code);
  });

  it('follows the configured codes per status', async () => {
    const t = await app({ http: { statusCodes: { Warning: 429, Unknown: 500 } } });
    await hostWith(t, { w: 'Warning' }, 'Warning');
    expect((await t.request.get('/')).status).toBe(429);
    await t.request.delete('/checks/w').expect(204);
    // No checks: Unknown.
    await waitFor(async () => (await t.request.get('/')).status === 500, 15_000);
    expect((await t.request.get('/?format=text')).status).toBe(500);
  });

  it('refuses a code that is not an HTTP status at start-up', async () => {
    await expect(makeTestApp({ http: { statusCodes: { Critical: 99 } } })).rejects.toThrow(
      /http\.statusCodes\.Critical/,
    );
  });

  it.each([
    [{ agent: { weights: { Warning: 300 } } }, /agent\.weights\.Warning/],
    [{ agent: { port: 70000 } }, /agent\.port/],
    [{ http: { cacheMaxAge: 'soon' } }, /http\.cacheMaxAge/],
    [{ http: { statusCodes: { Fine: 200 } } }, /Fine/],
  ])('refuses a bad dialect setting %j naming the key', async (overrides, pattern) => {
    await expect(makeTestApp(overrides as ConfigInput)).rejects.toThrow(pattern);
  });
});

describe('Cache-Control', () => {
  it('is no-store by default, for every representation', async () => {
    const t = await app();
    for (const accept of ['application/json', 'application/health+json', 'text/plain']) {
      const res = await t.request.get('/').set('Accept', accept);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.vary).toMatch(/Accept/);
    }
  });

  it('is max-age=<seconds> when http.cacheMaxAge is set', async () => {
    const t = await app({ http: { cacheMaxAge: '5s' } });
    expect((await t.request.get('/')).headers['cache-control']).toBe('max-age=5');
  });
});

describe('content negotiation on /', () => {
  it('serves the seed JSON without Accept, with */*, and for a type it does not speak', async () => {
    const t = await app();
    await hostWith(t, { db: 'Critical' }, 'Critical');
    for (const accept of [undefined, '*/*', 'image/png', 'application/xml, text/csv;q=0.9']) {
      const req = t.request.get('/');
      const res = await (accept ? req.set('Accept', accept) : req);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Object.keys(res.body)).toEqual(['status', 'date', 'message']);
      expect(res.body.message).toBe('db:Critical:connection refused');
    }
  });

  it('Accept: application/health+json gives the IETF draft format, field by field', async () => {
    const t = await app();
    await hostWith(t, { db: 'Critical', api: 'OK', cache: 'Warning' }, 'Critical');
    await waitFor(async () => (await t.request.get('/')).body.message.includes('cache:Warning'), 15_000);
    const res = await t.request.get('/').set('Accept', 'application/health+json');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/health+json');
    const body = JSON.parse(res.text);
    expect(body.status).toBe('fail');
    expect(body.megaphoneStatus).toBe('Critical');
    expect(body.output).toBe('db:Critical:connection refused; cache:Warning:it is Warning');
    expect(Object.keys(body.checks).sort()).toEqual(['api:status', 'cache:status', 'db:status']);
    const db = body.checks['db:status'][0];
    expect(db).toMatchObject({
      componentId: 'db',
      componentType: 'component',
      status: 'fail',
      output: 'connection refused',
      observedUnit: 'ms',
    });
    expect(new Date(db.time).toISOString()).toBe(db.time);
    expect(typeof db.observedValue).toBe('number');
    expect(body.checks['cache:status'][0]).toMatchObject({
      componentId: 'cache',
      status: 'warn',
      output: 'it is Warning',
    });
    const api = body.checks['api:status'][0];
    expect(api).toMatchObject({ componentId: 'api', status: 'pass' });
    // output is omitted on pass (draft section 3.4).
    expect(api).not.toHaveProperty('output');
  });

  it('health+json says pass with no top-level output when all is OK, and warn for Unknown', async () => {
    const t = await app();
    let body = JSON.parse((await t.request.get('/').set('Accept', 'application/health+json')).text);
    expect(body).toMatchObject({
      status: 'warn',
      megaphoneStatus: 'Unknown',
      output: 'No services are registered!',
      checks: {},
    });
    await hostWith(t, { api: 'OK' }, 'OK');
    body = JSON.parse((await t.request.get('/').set('Accept', 'application/health+json')).text);
    expect(body.status).toBe('pass');
    expect(body).not.toHaveProperty('output');
  });

  it('Accept: text/plain and ?format=text give one line', async () => {
    const t = await app();
    await hostWith(t, { db: 'Critical' }, 'Critical');
    for (const res of [
      await t.request.get('/').set('Accept', 'text/plain'),
      await t.request.get('/?format=text').set('Accept', 'application/json'),
    ]) {
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe('CRITICAL: db:Critical:connection refused\n');
    }
  });

  it('text flattens a multi-line message to one line', async () => {
    const t = await app();
    const svc = await service('Warning', 'disk\nnearly\r\nfull');
    await t.request.post('/checks').send({ id: 'disk', url: svc.url }).expect(201);
    await waitFor(
      async () => (await t.request.get('/?format=text')).text === 'WARNING: disk:Warning:disk nearly full\n',
      15_000,
    );
  });

  it('?format=json and ?format=health pick a representation whatever Accept says', async () => {
    const t = await app();
    expect((await t.request.get('/?format=health').set('Accept', 'text/plain')).headers['content-type']).toMatch(
      /^application\/health\+json/,
    );
    expect((await t.request.get('/?format=json').set('Accept', 'text/plain')).headers['content-type']).toMatch(
      /^application\/json/,
    );
  });

  it('an unknown ?format= is a 400 naming it', async () => {
    const t = await app();
    const res = await t.request.get('/?format=xml');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringContaining('"xml"'), code: 'E_BAD_FORMAT' });
  });

  it('HEAD / answers like GET for each representation, without a body', async () => {
    const t = await app();
    const res = await t.request.head('/').set('Accept', 'application/health+json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(res.text ?? '').toBe('');
  });
});
