import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { spawnDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function okHost(dataFile?: string): Promise<{ t: TestApp; svc: FakeService }> {
  const t = await makeTestApp({}, dataFile);
  const svc = await startFakeService();
  open.push(t, svc);
  await t.request.post('/checks').send({ id: 'web', url: svc.url });
  await waitFor(async () => (await t.request.get('/')).body.status === 'OK', 15_000);
  return { t, svc };
}

describe('maintenance', () => {
  it('PUT /maintenance drains the host: 503, Critical, "maintenance: <reason>" and a maintenance object', async () => {
    const { t } = await okHost();
    const put = await t.request.put('/maintenance').send({ reason: 'kernel upgrade' });
    expect(put.status).toBe(201);
    expect(put.body.maintenance).toMatchObject({ reason: 'kernel upgrade', until: null });
    const res = await t.request.get('/');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('Critical');
    expect(res.body.message).toBe('maintenance: kernel upgrade');
    expect(res.body.maintenance).toEqual({ reason: 'kernel upgrade', since: put.body.maintenance.since, until: null });
    expect(new Date(res.body.maintenance.since).toISOString()).toBe(res.body.maintenance.since);
    expect((await t.request.get('/?format=text')).text).toBe('CRITICAL: maintenance: kernel upgrade\n');
    const health = JSON.parse((await t.request.get('/').set('Accept', 'application/health+json')).text);
    expect(health).toMatchObject({
      status: 'fail',
      output: 'maintenance: kernel upgrade',
      maintenance: { reason: 'kernel upgrade' },
    });
    expect((await t.request.get('/maintenance')).body.maintenance.reason).toBe('kernel upgrade');
  });

  it('DELETE /maintenance lifts it, and the host is as its checks say again', async () => {
    const { t } = await okHost();
    await t.request.put('/maintenance').send({ reason: 'r' }).expect(201);
    await t.request.delete('/maintenance').expect(204);
    const res = await t.request.get('/');
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('maintenance');
    expect(res.body.message).toBe('Everything is OK!');
    expect((await t.request.get('/maintenance')).body).toEqual({ maintenance: null });
    // Lifting twice is harmless.
    await t.request.delete('/maintenance').expect(204);
  });

  it('a second PUT updates the reason and ttl but keeps since', async () => {
    const { t } = await okHost();
    const first = await t.request.put('/maintenance').send({ reason: 'one' }).expect(201);
    const second = await t.request.put('/maintenance').send({ reason: 'two', ttl: '1h' }).expect(200);
    expect(second.body.maintenance.since).toBe(first.body.maintenance.since);
    expect(
      Date.parse(second.body.maintenance.until) - Date.parse(second.body.maintenance.since),
    ).toBeGreaterThanOrEqual(3_600_000);
    expect((await t.request.get('/')).body.message).toBe('maintenance: two');
  });

  it('with a ttl it lifts itself', async () => {
    const { t } = await okHost();
    const put = await t.request.put('/maintenance').send({ reason: 'short', ttl: '1s' }).expect(201);
    expect(Date.parse(put.body.maintenance.until) - Date.parse(put.body.maintenance.since)).toBe(1000);
    expect((await t.request.get('/')).status).toBe(503);
    await waitFor(async () => (await t.request.get('/')).status === 200, 15_000);
    expect((await t.request.get('/')).body).not.toHaveProperty('maintenance');
    // The lift is written to the data file too.
    await waitFor(() => t.megaphone.data.section('maintenance') === undefined, 10_000);
  });

  it.each([
    ['no body', undefined, /reason/],
    ['no reason', { ttl: '1m' }, /reason/],
    ['an empty reason', { reason: '  ' }, /reason/],
    ['a two-line reason', { reason: 'a\nb' }, /`reason` must be one line/],
    ['a reason over 256 characters', { reason: 'x'.repeat(257) }, /reason/],
    ['a bad ttl', { reason: 'r', ttl: 'soon' }, /ttl/],
    ['a zero ttl', { reason: 'r', ttl: 0 }, /ttl/],
    ['a ttl over 30 days', { reason: 'r', ttl: '31d' }, /ttl/],
    ['an unknown field', { reason: 'r', until: 'tomorrow' }, /until|unrecognized/i],
  ])('PUT with %s is a 400 naming it, and changes nothing', async (_name, body, pattern) => {
    const { t } = await okHost();
    const req = t.request.put('/maintenance');
    const res = await (body === undefined ? req : req.send(body));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('E_VALIDATION');
    expect(res.body.error).toMatch(pattern);
    expect((await t.request.get('/')).status).toBe(200);
    expect((await t.request.get('/maintenance')).body).toEqual({ maintenance: null });
  });

  it('PUT with a non-JSON body is a 415', async () => {
    const { t } = await okHost();
    const res = await t.request.put('/maintenance').set('Content-Type', 'text/plain').send('reason=x');
    expect(res.status).toBe(415);
    expect((await t.request.get('/')).status).toBe(200);
  });

  it('is refused with 503 E_STORAGE, and not applied, when the data file cannot be written', async () => {
    const { t } = await okHost();
    rmSync(path.dirname(t.dataFile), { recursive: true, force: true });
    const res = await t.request.put('/maintenance').send({ reason: 'never' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('E_STORAGE');
    expect((await t.request.get('/')).status).toBe(200);
    expect((await t.request.get('/maintenance')).body).toEqual({ maintenance: null });
  });

  it('survives a restart: the state is in the data file', async () => {
    const { t } = await okHost();
    await t.request.put('/maintenance').send({ reason: 'persisted', ttl: '1h' }).expect(201);
    await t.close();
    const t2 = await makeTestApp({}, t.dataFile);
    open.push(t2);
    const res = await t2.request.get('/');
    expect(res.status).toBe(503);
    expect(res.body.maintenance.reason).toBe('persisted');
  });

  it('an expired maintenance in the data file is lifted at start', async () => {
    const dir = tempDir();
    const dataFile = path.join(dir, 'db.json');
    writeFileSync(
      dataFile,
      JSON.stringify({ version: 1, checks: {}, maintenance: { reason: 'old', since: 1, until: 2 } }),
    );
    const t = await makeTestApp({}, dataFile);
    open.push(t);
    expect((await t.request.get('/')).body).toMatchObject({
      status: 'Unknown',
      message: 'No services are registered!',
    });
  });

  it('a corrupt maintenance section stops start-up naming it', async () => {
    const dataFile = path.join(tempDir(), 'db.json');
    writeFileSync(dataFile, JSON.stringify({ version: 1, checks: {}, maintenance: { reason: 42 } }));
    await expect(makeTestApp({}, dataFile)).rejects.toThrow(/maintenance/);
  });
});

describe('maintenance in the real daemon', () => {
  it('is acknowledged only once on disk: kill -9 right after the PUT keeps it', async () => {
    const d = await spawnDaemon({ defaults: { interval: '250ms' } });
    const put = await fetch(`${d.url}/maintenance`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'power work' }),
    });
    expect(put.status).toBe(201);
    await d.kill9();
    const again = await spawnDaemon({ defaults: { interval: '250ms' } }, { dir: d.dir });
    try {
      const res = await fetch(`${again.url}/`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toBe('maintenance: power work');
    } finally {
      await again.stop();
    }
  });
});
