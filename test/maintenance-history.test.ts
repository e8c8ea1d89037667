import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';

interface Entry {
  check: string | null;
  from: string;
  to: string;
  message: string;
}

let d: RunningDaemon;
let svc: FakeService;

beforeAll(async () => {
  svc = await startFakeService({ body: { status: 'OK', message: 'fine' } });
  d = await spawnDaemon({ defaults: { interval: '300ms', timeout: '250ms' } });
});
afterAll(async () => {
  await d?.stop();
  await svc?.close();
});

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${d.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const hostHistory = async () => ((await (await fetch(`${d.url}/history`)).json()) as { history: Entry[] }).history;

describe('maintenance in the host history', () => {
  it('entering and lifting maintenance are host transitions, newest first', async () => {
    expect((await send('POST', '/checks', { id: 'web', url: svc.url })).status).toBe(201);
    await waitFor(async () => ((await (await fetch(d.url)).json()) as { status: string }).status === 'OK', 10_000);

    expect((await send('PUT', '/maintenance', { reason: 'kernel upgrade' })).status).toBeLessThan(300);
    const entered = await waitFor(
      async () => (await hostHistory()).find((e) => e.to === 'Critical' && e.message === 'maintenance: kernel upgrade'),
      10_000,
    );
    expect(entered).toMatchObject({ check: null, from: 'OK' });

    expect((await send('DELETE', '/maintenance')).status).toBe(204);
    const lifted = await waitFor(async () => {
      const [newest] = await hostHistory();
      return newest?.from === 'Critical' && newest.to === 'OK' && newest;
    }, 10_000);
    expect(lifted.message).toMatch(/^maintenance lifted/);
  });
});
