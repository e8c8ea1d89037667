import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

let web: FakeService;
let db: FakeService;
let leafA: RunningDaemon;
let leafB: RunningDaemon;
let top: RunningDaemon;

const register = async (d: RunningDaemon, id: string, url: string) => {
  const res = await fetch(`${d.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url }),
  });
  expect(res.status).toBe(201);
};
const summary = async (d: RunningDaemon) => {
  const res = await fetch(`${d.url}/`);
  return { code: res.status, ...((await res.json()) as { status: string; message: string }) };
};

beforeAll(async () => {
  web = await startFakeService();
  db = await startFakeService();
  const config = { defaults: { interval: '200ms', timeout: '5s' } };
  [leafA, leafB, top] = await Promise.all([spawnDaemon(config), spawnDaemon(config), spawnDaemon(config)]);
  await register(leafA, 'web', web.url);
  await register(leafB, 'db', db.url);
  // The top megaphone polls the other two megaphones' GET /, as-is.
  await register(top, 'host-a', `${leafA.url}/`);
  await register(top, 'host-b', `${leafB.url}/`);
});

afterAll(async () => {
  await Promise.all([top?.stop(), leafA?.stop(), leafB?.stop()]);
  await Promise.all([web?.close(), db?.close()]);
});

describe('a megaphone of megaphones', () => {
  it('reads the status and message of other megaphones, including a 503 Critical one', async () => {
    await waitFor(async () => (await summary(top)).status === 'OK', 20_000);
    expect((await summary(top)).message).toBe('Everything is OK!');

    db.status('Critical', 'replica lag');
    await waitFor(async () => (await summary(leafB)).code === 503, 20_000);
    const worst = await waitFor(async () => {
      const s = await summary(top);
      return s.message === 'host-b:Critical:db:Critical:replica lag' ? s : undefined;
    }, 20_000);
    expect(worst.status).toBe('Critical');
    expect(worst.code).toBe(503);

    web.status('Warning', 'slow');
    await waitFor(
      async () =>
        (await summary(top)).message === 'host-b:Critical:db:Critical:replica lag; host-a:Warning:web:Warning:slow',
      20_000,
    );

    // Maintenance on a leaf reads as Critical upstairs, with its reason.
    db.status('OK');
    await fetch(`${leafB.url}/maintenance`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'rack move' }),
    });
    await waitFor(
      async () =>
        (await summary(top)).message === 'host-b:Critical:maintenance: rack move; host-a:Warning:web:Warning:slow',
      20_000,
    );

    await fetch(`${leafB.url}/maintenance`, { method: 'DELETE' });
    web.status('OK');
    await waitFor(async () => (await summary(top)).status === 'OK', 20_000);
  });
});
