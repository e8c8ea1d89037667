import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import type { Handler } from '../src/api/handler.js';
import { wantsDefaultJson } from '../src/api/root.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

// Headers that differ per response whatever serves it.
const VOLATILE = new Set(['date', 'connection', 'keep-alive']);

function stableHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !VOLATILE.has(k)));
}

describe('GET / fast path (before Koa)', () => {
  let t: TestApp;
  let svc: FakeService;
  let fast: ReturnType<typeof supertest>;
  let koa: ReturnType<typeof supertest>;
  let handler: Handler;

  beforeAll(async () => {
    // One fixed clock for both, so the "date" in the bodies matches byte for byte.
    t = await makeTestApp({ groups: { web: { checks: ['svc'] } } }, undefined, {
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    svc = await startFakeService();
    handler = t.megaphone.handler;
    fast = supertest(handler);
    koa = supertest(handler.app.callback());
  });
  afterAll(async () => {
    await t.close();
    await svc.close();
  });

  async function expectSameAsKoa(method: 'get' | 'head', accept?: string, path = '/') {
    const before = handler.fastRoot.hits;
    const a = accept === undefined ? await fast[method](path) : await fast[method](path).set('Accept', accept);
    const b = accept === undefined ? await koa[method](path) : await koa[method](path).set('Accept', accept);
    expect(handler.fastRoot.hits).toBe(before + 1);
    expect(a.status).toBe(b.status);
    expect(stableHeaders(a.headers)).toEqual(stableHeaders(b.headers));
    expect(a.text ?? '').toBe(b.text ?? '');
    return a;
  }

  it('answers like the Koa route with no checks (Unknown, 200)', async () => {
    const res = await expectSameAsKoa('get');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'Unknown', message: 'No services are registered!' });
  });

  it.each([
    ['OK', 200],
    ['Warning', 200],
    ['Critical', 503],
  ])('answers like the Koa route when the host is %s (HTTP %i), for GET and HEAD', async (status, code) => {
    svc.status(status);
    await t.request
      .post('/checks')
      .send({ id: 'svc', url: svc.url })
      .expect((r) => expect([200, 201]).toContain(r.status));
    await waitFor(() => t.megaphone.summary.summary().status === status, 10_000);
    const res = await expectSameAsKoa('get');
    expect(res.status).toBe(code);
    expect(res.body.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const head = await expectSameAsKoa('head');
    expect(head.status).toBe(code);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    // A group is served the same way.
    const group = await expectSameAsKoa('get', undefined, '/groups/web');
    expect(group.status).toBe(code);
    expect(group.body.status).toBe(status);
    await expectSameAsKoa('head', undefined, '/groups/web');
  });

  it.each(['*/*', 'application/json', 'application/json, */*'])('takes Accept: %s', async (accept) => {
    await expectSameAsKoa('get', accept);
  });

  it('leaves other formats, paths, queries and methods to Koa', async () => {
    const before = handler.fastRoot.hits;
    await fast.get('/').set('Accept', 'text/html');
    await fast.get('/').set('Accept', 'application/health+json');
    await fast.get('/?format=json');
    await fast.get('/checks').expect(200);
    await fast.get('/groups/nope').expect(404);
    await fast.get('/groups').expect(200);
    const post = await fast.post('/').send({});
    expect(post.status).toBe(405);
    expect(post.body.code).toBe('E_METHOD_NOT_ALLOWED');
    expect(handler.fastRoot.hits).toBe(before);
  });
});

describe('wantsDefaultJson', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['*/*', true],
    ['application/json', true],
    ['Application/JSON , */*', true],
    ['application/json;q=0.9, text/plain', false],
    ['application/health+json', false],
    ['text/html,application/xhtml+xml,*/*;q=0.8', false],
    ['text/plain', false],
  ])('Accept %j → %s', (accept, expected) => {
    expect(wantsDefaultJson(accept)).toBe(expected);
  });
});

describe('GET / fast path follows the dialects settings', () => {
  it('configured status codes, cache max-age and maintenance read the same as through Koa', async () => {
    const t = await makeTestApp({ http: { statusCodes: { Unknown: 299 }, cacheMaxAge: '5s' } }, undefined, {
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    try {
      const handler = t.megaphone.handler;
      const fast = supertest(handler);
      const koa = supertest(handler.app.callback());
      for (const step of ['plain', 'maintenance'] as const) {
        if (step === 'maintenance') await t.megaphone.maintenance.enter('deploying');
        const a = await fast.get('/');
        const b = await koa.get('/');
        expect(a.status).toBe(b.status);
        expect(stableHeaders(a.headers)).toEqual(stableHeaders(b.headers));
        expect(a.text).toBe(b.text);
        expect(a.headers['cache-control']).toBe('max-age=5');
      }
      expect(handler.fastRoot.hits).toBe(2);
    } finally {
      await t.close();
    }
  });
});
