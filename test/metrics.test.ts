import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';
import { run } from './helpers/procs.js';

let t: TestApp;
const services: FakeService[] = [];
afterEach(async () => {
  await t.close();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function svc(status: string, message: string): Promise<FakeService> {
  const s = await startFakeService({ body: { status, message } });
  services.push(s);
  return s;
}

const metrics = async () => (await t.request.get('/metrics')).text;
/** The value of one sample line, e.g. `megaphone_check_status{check="db",source="api"}`. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('GET /metrics', () => {
  it('encodes host and check status as 0 OK, 1 Unknown, 2 Warning, 3 Critical', async () => {
    t = await makeTestApp();
    const ok = await svc('OK', 'fine');
    const warn = await svc('Warning', 'slow');
    const crit = await svc('Critical', 'secret-token-in-message');
    expect(sample(await metrics(), 'megaphone_host_status')).toBe(1);
    await t.request.post('/checks').send({ id: 'api', url: ok.url }).expect(201);
    await t.request.post('/checks').send({ id: 'cache', url: warn.url }).expect(201);
    await t.request
      .post('/checks')
      .send({ id: 'db', url: { addr: crit.url, jsonpath: 'status' } })
      .expect(201);
    await waitFor(
      async () => sample(await metrics(), 'megaphone_check_status{check="cache",source="api"}') === 2,
      15_000,
    );
    await waitFor(async () => sample(await metrics(), 'megaphone_host_status') === 3, 15_000);
    const text = await metrics();
    expect(sample(text, 'megaphone_check_status{check="api",source="api"}')).toBe(0);
    expect(sample(text, 'megaphone_check_status{check="db",source="api"}')).toBe(3);
    expect(sample(text, 'megaphone_check_up{check="api"}')).toBe(1);
    expect(sample(text, 'megaphone_check_up{check="db"}')).toBe(0);
    expect(sample(text, 'megaphone_check_flapping{check="db"}')).toBe(0);
    expect(sample(text, 'megaphone_checks_registered{source="api"}')).toBe(3);
    expect(sample(text, 'megaphone_maintenance')).toBe(0);
    expect(sample(text, 'megaphone_poll_results_total{check="db",outcome="critical"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'megaphone_check_latency_seconds{check="api"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'megaphone_poll_duration_seconds_count{kind="http"}')).toBeGreaterThanOrEqual(3);
    // The histogram is by kind, never by check: its size does not grow with the checks.
    expect(text).not.toMatch(/^megaphone_poll_duration_seconds\w*\{[^}]*check=/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    // No URLs and no messages in labels or anywhere else.
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('secret-token-in-message');
    expect(text).not.toContain('slow');
  });

  it('shows maintenance as host status 3 and megaphone_maintenance 1', async () => {
    t = await makeTestApp();
    await t.request.put('/maintenance').send({ reason: 'x' }).expect(201);
    const text = await metrics();
    expect(sample(text, 'megaphone_maintenance')).toBe(1);
    expect(sample(text, 'megaphone_host_status')).toBe(3);
  });

  it('a deleted check disappears from every series', async () => {
    t = await makeTestApp();
    const ok = await svc('OK', 'fine');
    await t.request.post('/checks').send({ id: 'gone', url: ok.url }).expect(201);
    await t.request.post('/checks').send({ id: 'stays', url: ok.url }).expect(201);
    await waitFor(async () => (await metrics()).includes('megaphone_check_latency_seconds{check="gone"}'), 15_000);
    // Just rendered (so cached), yet the deletion shows on the very next scrape.
    expect(await metrics()).toContain('check="gone"');
    await t.request.delete('/checks/gone').expect(204);
    const text = await metrics();
    expect(text).not.toContain('check="gone"');
    expect(text).toContain('check="stays"');
  });

  it('passes promtool check metrics with no problems', async () => {
    t = await makeTestApp();
    const ok = await svc('OK', 'fine');
    await t.request.post('/checks').send({ id: 'api', url: ok.url }).expect(201);
    await waitFor(async () => (await metrics()).includes('megaphone_check_latency_seconds{check="api"}'), 15_000);
    const text = await metrics();
    expect((await t.request.get('/metrics')).headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const res = await run('promtool', ['check', 'metrics'], { input: text });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.code).toBe(0);
  });

  it('concurrent scrapes share one render, and a later scrape renders anew', async () => {
    t = await makeTestApp();
    const render = vi.spyOn(t.megaphone.metrics.registry, 'metrics');
    const bodies = await Promise.all(Array.from({ length: 20 }, () => metrics()));
    expect(render).toHaveBeenCalledTimes(1);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toMatch(/^megaphone_host_status 1$/m);
    // Once the cache window is over, a scrape renders fresh numbers.
    await waitFor(async () => (await metrics(), render.mock.calls.length >= 2), 10_000);
  });
});
