import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { sleep, waitFor } from './helpers/wait.js';

let t: TestApp | undefined;
let svc: FakeService | undefined;
afterEach(async () => {
  await t?.close();
  await svc?.close();
  t = undefined;
  svc = undefined;
});

describe('bounds', () => {
  it(
    'limits.maxChecks: the registration beyond is 429 and stores nothing; replacing an existing ' + 'id still works',
    async () => {
      svc = await startFakeService();
      t = await makeTestApp({ limits: { maxChecks: 3 } });
      for (const id of ['a', 'b', 'c']) await t.request.post('/checks').send({ id, url: svc.url }).expect(201);
      const res = await t.request.post('/checks').send({ id: 'd', url: svc.url }).expect(429);
      expect(res.body).toEqual({ error: expect.stringContaining('limits.maxChecks'), code: 'E_TOO_MANY_CHECKS' });
      // A burst at the limit cannot sneak past it either.
      const burst = await Promise.all(
        ['e', 'f', 'g'].map((id) => t!.request.post('/checks').send({ id, url: svc!.url })),
      );
      expect(burst.map((r) => r.status)).toEqual([429, 429, 429]);
      await t.request
        .post('/checks')
        .send({ id: 'a', url: `${svc.url}?v=2` })
        .expect(200);
      expect(Object.keys((await t.request.get('/checks')).body).sort()).toEqual(['a', 'b', 'c']);
    },
  );

  it('ids: 128 characters pass, 129 are a 400 naming the field', async () => {
    svc = await startFakeService();
    t = await makeTestApp();
    await t.request
      .post('/checks')
      .send({ id: 'x'.repeat(128), url: svc.url })
      .expect(201);
    const res = await t.request
      .post('/checks')
      .send({ id: 'x'.repeat(129), url: svc.url })
      .expect(400);
    expect(res.body.error).toMatch(/`id`/);
  });

  it('limits.concurrentPolls: hanging targets never hold more polls than the cap', async () => {
    let hits = 0;
    const server = http.createServer(() => hits++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      // Polls hang until their 10 s deadline, so with a cap of 2 only 2 requests can arrive before then.
      t = await makeTestApp({ limits: { concurrentPolls: 2 }, defaults: { interval: '20s', timeout: '10s' } });
      for (let i = 0; i < 6; i++)
        await t.request
          .post('/checks')
          .send({ id: `hang${i}`, url: `http://127.0.0.1:${port}/${i}` })
          .expect(201);
      await waitFor(() => hits >= 2, 10_000);
      await sleep(500);
      expect(hits).toBe(2);
      expect(t.table.get('hang5')?.result).toBeUndefined();
    } finally {
      await t?.close();
      t = undefined;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
