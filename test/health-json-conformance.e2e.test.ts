import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { healthJsonViolations } from './helpers/health-json-validator.js';
import { megaphone } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';
import { interpretReply } from '../src/client/nagios.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let d: RunningDaemon;
let web: FakeService;
beforeAll(async () => {
  web = await startFakeService();
  // Codes chosen to break the draft's ranges: health+json must clamp them, the seed JSON keeps them.
  d = await spawnDaemon({
    defaults: { interval: '200ms' },
    http: { statusCodes: { OK: 503, Unknown: 200, Warning: 429, Critical: 200 } },
    checks: [
      { id: 'db:primary', ttl: '10m' },
      { id: 'web.front', url: web.url },
    ],
  });
});
afterAll(async () => {
  await d?.stop();
  await web?.close();
});

const HEALTH = 'application/health+json';
const get = (accept: string) => fetch(`${d.url}/`, { headers: { accept } });
const push = (id: string, status: string) =>
  fetch(`${d.url}/checks/${encodeURIComponent(id)}/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status, message: `db is ${status}` }),
  });

async function validated(accept = HEALTH): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await get(accept);
  const text = await res.text();
  expect(healthJsonViolations(res.status, res.headers.get('content-type'), text)).toEqual([]);
  return { code: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

const hostIs = (status: string) =>
  waitFor(async () => ((await (await get('application/json')).json()) as { status: string }).status === status, 15_000);

describe('health+json against the draft, on the built daemon', () => {
  it('a push check with no report has no time; ids with ":" are encoded in the key, raw in componentId', async () => {
    await waitFor(
      async () =>
        ((await validated()).body.checks as Record<string, Array<{ time?: string }>>)['web.front:status']?.[0]?.time,
      15_000,
    );
    const { code, body } = await validated();
    expect(body.status).toBe('warn');
    expect(code).toBe(200);
    const checks = body.checks as Record<string, Array<Record<string, unknown>>>;
    expect(Object.keys(checks).sort()).toEqual(['db%3Aprimary:status', 'web.front:status']);
    const db = checks['db%3Aprimary:status']?.[0];
    expect(db).toMatchObject({
      componentId: 'db:primary',
      status: 'warn',
      megaphoneStatus: 'Unknown',
      output: 'waiting for the first report',
    });
    expect(db).not.toHaveProperty('time');
    expect(checks['web.front:status']?.[0]).toMatchObject({ componentId: 'web.front', status: 'pass' });
  });

  it.each([
    // [push, health status, health code, seed JSON code as configured]
    ['OK', 'pass', 200, 503],
    ['Warning', 'warn', 200, 429],
    ['Critical', 'fail', 503, 200],
  ])(
    '%s: health+json says %s with HTTP %i whatever http.statusCodes says; the seed JSON keeps %i',
    async (state, word, code, seedCode) => {
      const before = Date.now();
      expect((await push('db:primary', state)).status).toBe(200);
      await hostIs(state);
      const res = await validated();
      expect(res.body.status).toBe(word);
      expect(res.code).toBe(code);
      const db = (res.body.checks as Record<string, Array<{ time: string }>>)['db%3Aprimary:status']?.[0];
      // time is when the reading (this report) was taken.
      expect(Date.parse(db?.time ?? '')).toBeGreaterThanOrEqual(before - 1000);
      expect((await get('application/json')).status).toBe(seedCode);
      for (const method of ['HEAD', 'OPTIONS'])
        expect((await fetch(`${d.url}/`, { method, headers: { accept: HEALTH } })).status).toBe(code);
    },
  );

  it.each([
    ['application/health+json; charset=utf-8', HEALTH],
    ['APPLICATION/Health+JSON', HEALTH],
    ['application/json;q=0.5, application/health+json', HEALTH],
    ['application/json;q=0, */*', HEALTH],
    ['text/plain;q=0.9, application/health+json;q=0.8', 'text/plain'],
    ['application/health+json;q=0', 'application/json'],
    ['application/*;q=0.1, text/*', 'text/plain'],
    ['image/png', 'application/json'],
  ])('Accept: %s → %s', async (accept, type) => {
    const res = await get(accept);
    expect(res.headers.get('content-type')?.split(';')[0]).toBe(type);
    if (type === HEALTH)
      expect(healthJsonViolations(res.status, res.headers.get('content-type'), await res.text())).toEqual([]);
  });

  it('Accept refusing every type with q=0 is a 406 naming them', async () => {
    const res = await get('*/*;q=0');
    expect(res.status).toBe(406);
    expect(await res.json()).toMatchObject({
      code: 'E_NOT_ACCEPTABLE',
      error: expect.stringContaining('application/health+json'),
    });
  });

  it('megaphone status --check finds a check whose id holds ":"', async () => {
    expect((await push('db:primary', 'Warning')).status).toBe(200);
    await hostIs('Warning');
    const out = await megaphone(['status', '--url', d.url, '--check', 'db:primary']);
    expect(out).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^WARNING - db:primary: db is Warning \| latency=0ms\n$/),
    });
    expect((await megaphone(['status', '--url', d.url, '--check', 'web.front'])).code).toBe(0);
    expect((await megaphone(['status', '--url', d.url])).stdout).toMatch(/ok=1 warning=1 critical=0 unknown=0/);
  });
});

describe('megaphone status reads the new keys', () => {
  const reply = (checks: Record<string, unknown>) =>
    ({ status: 200, json: { status: 'warn', megaphoneStatus: 'Warning', checks } }) as Parameters<
      typeof interpretReply
    >[0];

  it('by key, by componentId, and by the bare id older megaphones used', () => {
    const entry = { componentId: 'db:primary', status: 'warn', megaphoneStatus: 'Warning', output: 'slow' };
    expect(interpretReply(reply({ 'db%3Aprimary:status': [entry] }), 'db:primary').line).toBe(
      'WARNING - db:primary: slow',
    );
    expect(interpretReply(reply({ 'elsewhere:status': [entry] }), 'db:primary').line).toBe(
      'WARNING - db:primary: slow',
    );
    expect(interpretReply(reply({ 'db:primary': [{ ...entry, componentId: undefined }] }), 'db:primary').line).toBe(
      'WARNING - db:primary: slow',
    );
    expect(interpretReply(reply({ 'db%3Aprimary:status': [entry] }), 'db').exitCode).toBe(3);
  });
});
