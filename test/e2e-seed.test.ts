import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';

// The seed's example session, replayed against the built daemon.
let d: RunningDaemon;
let bar: FakeService;
let foo: FakeService;
let nested: FakeService;

const api = (path: string, init?: RequestInit) => fetch(`${d.url}${path}`, init);
const post = (body: unknown) =>
  api('/checks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const root = async () => {
  const res = await api('/');
  return { code: res.status, ...((await res.json()) as { status: string; message: string; date: string }) };
};

beforeAll(async () => {
  bar = await startFakeService({
    body: {
      status: 'OK',
      date: '2013-06-06T14:51:56CDT',
      message: 'Everything is groovy man.',
      version: '1.0.0',
      id: 'bar',
    },
  });
  foo = await startFakeService({
    body: {
      status: 'Warning',
      date: '2013-06-06T14:54:21CDT',
      message: 'Houston, I think we have a problem.',
      version: '2.0.0',
      id: 'foo',
    },
  });
  nested = await startFakeService({ body: { megaphone: { status: 'OK', message: 'Everything is OK!', id: 'ok' } } });
  d = await spawnDaemon({ defaults: { interval: '300ms', timeout: '250ms' } });
});
afterAll(async () => {
  await d?.stop();
  await Promise.all([bar, foo, nested].map((s) => s?.close()));
});

describe('the seed session against the real daemon', () => {
  it('walks empty → bar → foo → jsonpath → statusoverride → --global → delete', async () => {
    expect(await root()).toMatchObject({ code: 200, status: 'Unknown', message: 'No services are registered!' });
    expect(await (await api('/checks')).json()).toEqual({});

    expect((await post({ id: 'bar', url: bar.url })).status).toBe(201);
    expect(await (await api('/checks')).json()).toEqual({ bar: bar.url });
    await waitFor(async () => (await root()).status === 'OK', 10_000);
    expect(await root()).toMatchObject({ code: 200, message: 'Everything is OK!' });

    expect((await post({ id: 'foo', url: foo.url })).status).toBe(201);
    await waitFor(async () => (await root()).status === 'Warning', 10_000);
    expect(await root()).toMatchObject({ code: 200, message: 'foo:Warning:Houston, I think we have a problem.' });
    expect(await (await api('/checks/foo')).json()).toEqual({
      status: 'Warning',
      date: '2013-06-06T14:54:21CDT',
      message: 'Houston, I think we have a problem.',
      version: '2.0.0',
      id: 'foo',
    });
    expect(await (await api('/checks/bar')).json()).toMatchObject({
      status: 'OK',
      message: 'Everything is groovy man.',
      version: '1.0.0',
    });

    const viaPath = { addr: nested.url, jsonpath: 'megaphone/status' };
    expect((await post({ id: 'nested', url: viaPath })).status).toBe(201);
    await waitFor(
      async () => ((await (await api('/checks/nested')).json()) as { megaphone?: unknown }).megaphone !== undefined,
      10_000,
    );
    expect((await root()).status).toBe('Warning');

    expect((await post({ id: 'bar', url: { addr: bar.url, statusoverride: 'Critical' } })).status).toBe(200);
    await waitFor(async () => (await root()).status === 'Critical', 10_000);
    const withOverride = await root();
    expect(withOverride.code).toBe(503);
    expect(withOverride.message).toBe(
      'bar:Critical:Everything is groovy man.; foo:Warning:Houston, I think we have a problem.',
    );
    expect((await post({ id: 'bar', url: bar.url })).status).toBe(200);
    await waitFor(async () => (await root()).status === 'Warning', 10_000);

    expect((await post({ id: '--global', url: bar.url })).status).toBe(201);
    const pulled = await root();
    expect(pulled).toMatchObject({ code: 503, status: 'Critical' });
    expect(pulled.message).toMatch(/^--global:Critical:/);
    // The override is host-level only: each check keeps its own status.
    expect(await (await api('/checks/bar')).json()).toMatchObject({ status: 'OK' });

    expect((await api('/checks/--global', { method: 'DELETE' })).status).toBe(204);
    expect((await root()).status).toBe('Warning');
    expect((await api('/checks/foo', { method: 'DELETE' })).status).toBe(204);
    expect(await (await api('/checks')).json()).toEqual({ bar: bar.url, nested: viaPath });
    expect(await root()).toMatchObject({ status: 'OK', message: 'Everything is OK!' });
  });

  it('follows a live status change and a target that dies', async () => {
    const live = await startFakeService({ body: { status: 'OK', message: 'fine' } });
    expect((await post({ id: 'live', url: live.url })).status).toBe(201);
    await waitFor(async () => (await root()).status === 'OK', 10_000);
    live.status('Warning', 'getting warm');
    await waitFor(async () => (await root()).message === 'live:Warning:getting warm', 10_000);
    await live.close();
    const dead = await waitFor(async () => {
      const r = await root();
      return r.status === 'Critical' && r;
    }, 10_000);
    expect(dead.code).toBe(503);
    expect(dead.message).toMatch(/^live:Critical:connection refused/);
    expect((await api('/checks/live', { method: 'DELETE' })).status).toBe(204);
  });
});
