import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor, sleep } from './helpers/wait.js';

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await t?.close();
  t = undefined;
});

async function setup(): Promise<{ app: TestApp; svc: FakeService; url: string }> {
  const svc = await startFakeService();
  closers.push(() => svc.close());
  t = await makeTestApp({ defaults: { interval: '200ms', timeout: '150ms' }, groups: { web: { checks: ['a'] } } });
  const app = t;
  await app.request.post('/checks').send({ id: 'a', url: svc.url }).expect(201);
  await waitFor(() => app.table.get('a')?.status === 'OK', 10_000);
  // A real socket for what supertest cannot show: held requests and streams.
  const server = http.createServer(app.megaphone.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { app, svc, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const indexOf = (res: { headers: Record<string, string> }) => Number(res.headers['x-megaphone-index']);

describe('ETag and X-Megaphone-Index', () => {
  it('/, /groups/:name and /checks carry them; the index grows with a change, not with the date', async () => {
    const { app, svc, url } = await setup();
    for (const path of ['/', '/groups/web', '/checks', '/checks?verbose=1']) {
      const res = await app.request.get(path);
      expect(res.headers.etag, path).toMatch(/^"\d+-[a-z]+"$/);
      expect(indexOf(res), path).toBeGreaterThan(0);
    }
    // The fast path (a plain GET / from a load balancer) says the same.
    const fast = await fetch(`${url}/`);
    const koa = await app.request.get('/?format=json');
    expect(fast.headers.get('etag')).toBe(koa.headers.etag);
    expect(fast.headers.get('x-megaphone-index')).toBe(koa.headers['x-megaphone-index']);

    const before = await app.request.get('/');
    await sleep(1100);
    const later = await app.request.get('/');
    expect(later.body.date).not.toBe(before.body.date);
    expect(indexOf(later)).toBe(indexOf(before));
    expect(later.headers.etag).toBe(before.headers.etag);

    svc.status('Critical', 'down');
    await waitFor(async () => (await app.request.get('/')).body.status === 'Critical', 10_000);
    const changed = await app.request.get('/');
    expect(indexOf(changed)).toBeGreaterThan(indexOf(before));
    expect(indexOf(await app.request.get('/groups/web'))).toBeGreaterThan(indexOf(before));
    expect(indexOf(await app.request.get('/checks'))).toBeGreaterThan(indexOf(before));
  });

  it('If-None-Match with the current ETag is 304, on / (fast path or not), groups and /checks', async () => {
    const { app, url } = await setup();
    for (const path of ['/', '/?format=health', '/groups/web', '/checks']) {
      const first = await app.request.get(path);
      const again = await app.request.get(path).set('If-None-Match', first.headers.etag as string);
      expect(again.status, path).toBe(304);
      expect(again.text, path).toBe('');
      expect(again.headers.etag).toBe(first.headers.etag);
      const other = await app.request.get(path).set('If-None-Match', '"1-json"');
      expect(other.status, path).not.toBe(304);
    }
    const plain = await fetch(`${url}/`);
    const conditional = await fetch(`${url}/`, { headers: { 'if-none-match': plain.headers.get('etag') as string } });
    expect(conditional.status).toBe(304);
    // Each representation has its own ETag.
    const json = await app.request.get('/');
    const health = await app.request.get('/').set('Accept', 'application/health+json');
    expect(json.headers.etag).not.toBe(health.headers.etag);
  });
});

describe('blocking queries', () => {
  it('GET /?index=N&wait= holds until the status changes, then answers with the new index', async () => {
    const { app, svc, url } = await setup();
    const first = await app.request.get('/');
    let answered = false;
    const held = fetch(`${url}/?index=${indexOf(first)}&wait=30s`).then(async (r) => {
      answered = true;
      return {
        status: r.status,
        index: Number(r.headers.get('x-megaphone-index')),
        body: (await r.json()) as { status: string },
      };
    });
    await sleep(500);
    expect(answered).toBe(false);
    svc.status('Critical', 'down');
    const res = await held;
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('Critical');
    expect(res.index).toBeGreaterThan(indexOf(first));
  });

  it('answers at once for a missing or stale index, and after `wait` when nothing changed', async () => {
    const { app, url } = await setup();
    const index = indexOf(await app.request.get('/'));
    for (const stale of [0, index - 1, index + 1000]) {
      const res = await fetch(`${url}/?index=${stale}&wait=10m`);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('x-megaphone-index'))).toBe(index);
    }
    const timedOut = await fetch(`${url}/?index=${index}&wait=300ms`);
    expect(timedOut.status).toBe(200);
    expect(Number(timedOut.headers.get('x-megaphone-index'))).toBe(index);
  });

  it('works on groups too, and refuses a bad index or wait with 400', async () => {
    const { app, svc, url } = await setup();
    const first = await app.request.get('/groups/web');
    const held = fetch(`${url}/groups/web?index=${indexOf(first)}&wait=30s`);
    await sleep(300);
    svc.status('Warning', 'slow');
    const res = await held;
    expect(((await res.json()) as { status: string }).status).toBe('Warning');
    for (const [query, code] of [
      ['index=abc', 'E_BAD_INDEX'],
      ['index=-1', 'E_BAD_INDEX'],
      ['index=1&wait=11m', 'E_BAD_WAIT'],
      ['index=1&wait=soon', 'E_BAD_WAIT'],
      ['wait=soon', 'E_BAD_WAIT'],
    ]) {
      const bad = await app.request.get(`/?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.code, query).toBe(code);
    }
  });
});

/** Reads Server-Sent Events from `url` until stopped. */
function subscribe(url: string, headers: Record<string, string> = {}) {
  const text: string[] = [];
  const req = http.get(url, { headers });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => text.push(chunk));
      resolve(res);
    });
    req.on('error', reject);
  });
  const raw = () => text.join('');
  const events = () =>
    raw()
      .split('\n\n')
      .filter((block) => block.includes('event: transition'))
      .map((block) => {
        const id = Number(/^id: (\d+)$/m.exec(block)?.[1]);
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
        return { id, data };
      });
  return { response, raw, events, stop: () => req.destroy() };
}

describe('time alone is no change', () => {
  it('an overdue push check names when it last reported: index and ETag stay while only time passes', async () => {
    const clock = { now: 1_800_000_000_000 };
    t = await makeTestApp({ groups: { web: { checks: ['job'] } } }, undefined, { now: () => clock.now });
    const app = t;
    await app.request.post('/checks').send({ id: 'job', ttl: '30s' }).expect(201);
    await app.request.put('/checks/job/status').send({ status: 'OK', message: 'done' }).expect(200);
    clock.now += 31_000;
    const first = await app.request.get('/').expect(503);
    expect(first.body.message).toBe('job:Critical:no report since 2027-01-15T08:00:00Z (ttl 30s)');
    const group = await app.request.get('/groups/web');
    const checks = await app.request.get('/checks');
    for (let i = 0; i < 5; i++) {
      clock.now += 1_000;
      const again = await app.request.get('/');
      expect(again.body.message).toBe(first.body.message);
      expect([indexOf(again), again.headers.etag]).toEqual([indexOf(first), first.headers.etag]);
      expect(indexOf(await app.request.get('/groups/web'))).toBe(indexOf(group));
      expect(indexOf(await app.request.get('/checks'))).toBe(indexOf(checks));
    }
    // A blocking query on it is not woken by the seconds going by: it answers at its wait, index unchanged.
    const ticking = setInterval(() => (clock.now += 1_000), 50);
    try {
      const held = await app.request.get(`/?index=${indexOf(first)}&wait=1s`);
      expect(indexOf(held)).toBe(indexOf(first));
    } finally {
      clearInterval(ticking);
    }
    // The check's own state says the same, however late it is read.
    expect((await app.request.get('/checks/job/state')).body.message).toBe(
      'no report since 2027-01-15T08:00:00Z (ttl 30s)',
    );
  });
});

describe('GET /events', () => {
  it('streams each transition (id = its index), resumes from Last-Event-ID, and sends a heartbeat', async () => {
    const { svc, url } = await setup();
    const stream = subscribe(`${url}/events`);
    closers.push(async () => void stream.stop());
    const res = await stream.response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    svc.status('Critical', 'down');
    await waitFor(() => stream.events().some((e) => e.data.check === 'a' && e.data.to === 'Critical'), 10_000);
    await waitFor(() => stream.events().some((e) => e.data.check === null), 10_000);
    const [first] = stream.events();
    expect(first!.data).toMatchObject({ check: 'a', from: 'OK', to: 'Critical', message: 'down' });
    expect(first!.id).toBe(first!.data.index);

    // A client that saw only the first event gets the rest when it resumes.
    const resumed = subscribe(`${url}/events`, { 'last-event-id': String(first!.id) });
    closers.push(async () => void resumed.stop());
    await waitFor(() => resumed.events().length > 0, 10_000);
    expect(resumed.events().map((e) => e.id)).toEqual(
      stream
        .events()
        .filter((e) => e.id > first!.id)
        .map((e) => e.id),
    );

    // Idle streams get a comment every 15 s, so proxies keep them open.
    await waitFor(() => stream.raw().includes(': heartbeat'), 20_000, 250);
  }, 40_000);
});
