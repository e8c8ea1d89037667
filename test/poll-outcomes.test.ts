import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeReply } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

let t: TestApp;
beforeAll(async () => {
  // A name must be on targets.allow to be registered before it resolves (else 400 E_TARGET_REFUSED).
  t = await makeTestApp({
    defaults: { interval: '2s', timeout: '400ms' },
    targets: { allow: ['127.0.0.0/8', '::1', 'does-not-exist.invalid'] },
  });
});
afterAll(() => t.close());

async function outcome(id: string, url: unknown): Promise<{ status: string; message: string }> {
  await t.request.post('/checks').send({ id, url }).expect(201);
  return waitFor(() => {
    const s = t.table.get(id);
    return s?.result ? { status: s.status, message: s.message } : undefined;
  }, 10_000);
}

const cases: Array<[string, FakeReply, unknown, string, RegExp]> = [
  ['a status at the root', { body: { status: 'Warning', message: 'slow' } }, undefined, 'Warning', /^slow$/],
  ['a lower-case alias', { body: { status: 'fail', message: 'gone' } }, undefined, 'Critical', /^gone$/],
  [
    'a readable status on a 503',
    { code: 503, body: { status: 'OK', message: 'fine really' } },
    undefined,
    'OK',
    /fine really/,
  ],
  ['an odd status word', { body: { status: 'Green' } }, undefined, 'Unknown', /"Green"/],
  ['no status on a 200', { body: { health: 'ok' } }, undefined, 'Unknown', /no status at status/],
  ['no status on a 429', { code: 429, body: { x: 1 } }, undefined, 'Warning', /429/],
  ['no status on a 500', { code: 500, body: { x: 1 } }, undefined, 'Critical', /HTTP 500/],
  ['invalid JSON on a 200', { body: '<html>hi</html>' }, undefined, 'Unknown', /invalid JSON/],
  ['invalid JSON on a 502', { code: 502, body: '<html>bad gateway</html>' }, undefined, 'Critical', /HTTP 502/],
  ['a body over 64 KB', { body: { status: 'OK', pad: 'x'.repeat(70_000) } }, undefined, 'Unknown', /over 64 KB/],
  [
    'a slash jsonpath',
    { body: { megaphone: { status: 'Warning', message: 'nested' } } },
    { jsonpath: 'megaphone/status' },
    'Warning',
    /^nested$/,
  ],
  [
    'a $ jsonpath',
    { body: { a: [{ health: { status: 'CRIT', message: 'deep' } }] } },
    { jsonpath: '$.a[0].health.status' },
    'Critical',
    /^deep$/,
  ],
  [
    'a jsonpath that finds nothing',
    { body: { status: 'OK' } },
    { jsonpath: '$.missing.status' },
    'Unknown',
    /no status at \$\.missing\.status/,
  ],
  [
    'a statusoverride',
    { body: { status: 'OK', message: 'all good' } },
    { statusoverride: 'critical' },
    'Critical',
    /all good/,
  ],
];

describe('how a poll becomes a status', () => {
  it.each(cases)('%s', async (_d, reply, extra, status, message) => {
    const svc = await startFakeService(reply);
    try {
      const id = `c${Math.random().toString(36).slice(2, 10)}`;
      const url = extra ? { addr: svc.url, ...(extra as object) } : svc.url;
      const o = await outcome(id, url);
      expect(o.status).toBe(status);
      expect(o.message).toMatch(message);
    } finally {
      await svc.close();
    }
  });

  it('a refused connection is Critical with the reason', async () => {
    const o = await outcome('refused', 'http://127.0.0.1:1/status');
    expect(o).toEqual({ status: 'Critical', message: expect.stringMatching(/connection refused/) });
  });

  it('a DNS failure is Critical with the reason', async () => {
    const o = await outcome('nodns', 'http://does-not-exist.invalid/status');
    expect(o.status).toBe('Critical');
    expect(o.message).toMatch(/DNS|ENOTFOUND|EAI_AGAIN/);
  });

  it('a service that never answers is Critical "timed out after 400ms"', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const o = await outcome('hang', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(o).toEqual({ status: 'Critical', message: 'timed out after 400ms' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a connection reset is Critical with the reason', async () => {
    const server = net.createServer((s) => s.resetAndDestroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const o = await outcome('reset', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(o.status).toBe('Critical');
      expect(o.message).toMatch(/reset|closed/);
    } finally {
      server.close();
    }
  });
});
