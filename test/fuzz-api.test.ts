import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { readFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { Client } from 'undici';
import { makeTestApp, type TestApp } from './helpers/app.js';
import type { ResolveAll } from '../src/security/targets.js';

// No real DNS in a fuzz run: localhost resolves, every other name is ENOTFOUND.
const resolve: ResolveAll = async (host) => {
  if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

let t: TestApp;
let server: http.Server;
let client: Client;
let port: number;
const counts = { bodies: 0, writes: 0, paths: 0, headers: 0, ids: 0, raw: 0 };

beforeAll(async () => {
  t = await makeTestApp({ limits: { maxChecks: 40 }, defaults: { interval: '1m', timeout: '200ms' } }, undefined, {
    resolve,
  });
  server = http.createServer(t.megaphone.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  client = new Client(`http://127.0.0.1:${port}`, { pipelining: 1 });
});
afterAll(async () => {
  await client.close();
  await new Promise((r) => server.close(r));
  await t.close();
  console.log(`fuzzed requests: ${JSON.stringify(counts)}, total ${Object.values(counts).reduce((a, b) => a + b, 0)}`);
});

// Each property stops after its time budget on a loaded machine; the counts actually run are logged.
const BOUND = { interruptAfterTimeLimit: 6_000, markInterruptAsFailure: false };

const snapshot = () => `${t.table.size}|${existsSync(t.dataFile) ? readFileSync(t.dataFile, 'utf8') : ''}`;

async function send(method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array) {
  const res = await client.request({ method: method as 'GET', path, headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

/** Sends one request; any 5xx fails, and a refused write must leave the registry as it was. */
async function expectSane(method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array) {
  const before = snapshot();
  const res = await send(method, path, headers, body);
  // GET, HEAD and OPTIONS / answer 503 by design when the host is Critical (a fuzzed --global can make it so).
  // The router also serves the summary at "//" (trailing slash is optional).
  const summary503 =
    res.status === 503 && /^\/+$/.test(path) && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS');
  if (!summary503) expect(res.status, `${method} ${path} -> ${res.text}`).toBeLessThan(500);
  if (res.status >= 400 && !summary503) {
    if (method !== 'HEAD')
      expect(JSON.parse(res.text)).toMatchObject({ error: expect.any(String), code: expect.stringMatching(/^E_/) });
    expect(snapshot()).toBe(before);
  }
  return res;
}

const hosts = fc.constantFrom(
  '127.0.0.1',
  'localhost',
  '[::1]',
  '0x7f.1',
  '169.254.169.254',
  '[::ffff:a9fe:a9fe]',
  '10.0.0.1',
  '0',
  '[fe80::1]',
  'evil.test',
  '2130706433',
);
const urlish = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('http', 'https', 'ftp', 'file', 'javascript', 'gopher', 'tcp'),
      hosts,
      fc.integer({ min: 0, max: 70000 }),
      fc.string(),
    )
    .map(([s, h, p, rest]) => `${s}://${h}:${p}/${rest}`),
  fc.string({ maxLength: 300 }),
  fc.webUrl(),
);
const jsonpaths = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom(
    '$..status',
    '$[?(@.a)]',
    "$..[?(p='x';a=''[['constructor']][['constructor']](p);a())]",
    '__proto__/x',
    'constructor',
    '$.a.b',
    'megaphone/status',
    '$',
  ),
);
const ids = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,140}$/),
  fc.constantFrom('--global', '__proto__', 'constructor', '..', '%2e%2e', ''),
);
const registrationish = fc.record(
  {
    id: fc.oneof(ids, fc.jsonValue()),
    url: fc.oneof(
      urlish,
      fc.record(
        {
          addr: fc.oneof(urlish, fc.jsonValue()),
          jsonpath: jsonpaths,
          statusoverride: fc.oneof(fc.string(), fc.constantFrom('ok', 'CRITICAL', 'warn')),
          extra: fc.jsonValue(),
        },
        { requiredKeys: ['addr'] },
      ),
      fc.jsonValue(),
    ),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('property: the API never answers 5xx, never crashes, and refused writes store nothing', () => {
  it('POST /checks with generated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(registrationish, fc.jsonValue(), fc.anything()), async (body) => {
        counts.bodies++;
        let text: string;
        try {
          text = JSON.stringify(body) ?? 'null';
        } catch {
          text = String(body);
        }
        await expectSane('POST', '/checks', { 'content-type': 'application/json' }, text);
      }),
      { ...BOUND, numRuns: 1500 },
    );
  });

  it('PUT /maintenance and push reports with generated bodies', async () => {
    await send('POST', '/checks', { 'content-type': 'application/json' }, JSON.stringify({ id: 'pushed', ttl: '1h' }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/maintenance', '/checks/pushed/status', '/checks/nope/status'),
        fc.oneof(
          fc.record(
            {
              reason: fc.oneof(fc.string({ maxLength: 5000 }), fc.jsonValue()),
              ttl: fc.oneof(fc.string(), fc.integer(), fc.jsonValue()),
              status: fc.oneof(fc.constantFrom('pass', 'warn', 'fail', 'OK'), fc.string()),
              message: fc.oneof(fc.string({ maxLength: 5000 }), fc.jsonValue()),
            },
            { requiredKeys: [] },
          ),
          fc.jsonValue(),
        ),
        async (path, body) => {
          counts.writes++;
          await expectSane('PUT', path, { 'content-type': 'application/json' }, JSON.stringify(body) ?? 'null');
        },
      ),
      { ...BOUND, numRuns: 600 },
    );
    await send('DELETE', '/maintenance', {});
  });

  it('generated methods and paths', async () => {
    // Generated text is percent-encoded; the constants are raw, odd encodings included.
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.constantFrom('checks', '..', '%00', '%ff', '%2e%2e', 'state', 'status', 'maintenance', 'metrics', ''),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.array(segment, { maxLength: 5 }),
        async (method, segs) => {
          counts.paths++;
          const path = `/${segs.join('/')}`;
          await expectSane(
            method,
            path,
            method === 'GET' || method === 'HEAD' ? {} : { 'content-type': 'application/json' },
            method === 'GET' || method === 'HEAD' ? undefined : '{}',
          );
        },
      ),
      { ...BOUND, numRuns: 1000 },
    );
  });

  it('generated ids on GET and DELETE /checks/:id', async () => {
    await fc.assert(
      fc.asyncProperty(ids, fc.constantFrom('GET', 'DELETE'), async (id, method) => {
        counts.ids++;
        await expectSane(method, `/checks/${encodeURIComponent(id)}`, {});
      }),
      { ...BOUND, numRuns: 800 },
    );
  });

  it('generated headers and raw bodies', async () => {
    const contentTypes = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'text/plain',
        'application/health+json',
        'multipart/form-data; boundary=x',
        '',
      ),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(
        contentTypes,
        fc.option(fc.string({ maxLength: 80 })),
        fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 2000 })),
        async (ct, auth, body) => {
          counts.headers++;
          const headers: Record<string, string> = {};
          const safe = (s: string) => s.replace(/[^\t\x20-\x7e]/g, '');
          if (ct) headers['content-type'] = safe(ct);
          if (auth !== null) headers.authorization = safe(auth);
          await expectSane('POST', '/checks', headers, body);
        },
      ),
      { ...BOUND, numRuns: 1000 },
    );
  });

  it('raw bytes on the socket get a 4xx or a closed connection, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.string({ maxLength: 600 }).map((s) => `POST /checks HTTP/1.1\r\nHost: x\r\n${s}\r\n\r\n`),
        ),
        async (bytes) => {
          counts.raw++;
          const first = await new Promise<string>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port });
            let got = '';
            s.on('data', (d: Buffer) => (got += d.toString('latin1')));
            s.on('error', () => undefined);
            s.on('close', () => resolve(got));
            s.write(bytes, () => s.end());
            setTimeout(() => s.destroy(), 2000);
          });
          expect(first.startsWith('HTTP/1.1 5'), first.slice(0, 80)).toBe(false);
        },
      ),
      { ...BOUND, numRuns: 400 },
    );
    expect(t.table.size).toBeLessThanOrEqual(40);
  });
});
