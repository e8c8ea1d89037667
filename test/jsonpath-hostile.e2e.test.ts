import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { tempDir } from './helpers/app.js';
import { sleep, waitFor } from './helpers/wait.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let d: RunningDaemon | undefined;
let svc: FakeService | undefined;
afterEach(async () => {
  await d?.kill9();
  await svc?.close();
  d = undefined;
  svc = undefined;
});

// 600 bytes of nested arrays: jsonpath-plus took ~9 s and 1.2 GB for `$..*..*` on this.
const NESTED = `${'['.repeat(300)}${']'.repeat(300)}`;
// Resident memory of the daemon, from the kernel (kB).
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
const MAX_RSS_KB = 300 * 1024;

const register = (id: string, jsonpath: string) =>
  fetch(`${d!.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url: { addr: svc!.url, jsonpath } }),
  });

async function stateOf(id: string): Promise<{ status: string; message: string; checkedAt: string | null }> {
  return (await (await fetch(`${d!.url}/checks/${id}/state`)).json()) as {
    status: string;
    message: string;
    checkedAt: string | null;
  };
}

describe('hostile JSON paths refused at registration (one daemon)', () => {
  let shared: RunningDaemon;
  let target: FakeService;
  beforeAll(async () => {
    target = await startFakeService({ body: NESTED });
    shared = await spawnDaemon();
  });
  afterAll(async () => {
    await shared?.kill9();
    await target?.close();
  });

  it.each([
    ["$..[?(@.status === 'OK')]", 'E_JSONPATH_SCRIPT', /other than RFC 9535's.*`\?@\.x == 1` \(RFC 9535\)/],
    ['$[(@.length-1)]', 'E_JSONPATH_SCRIPT', /other than RFC 9535's/],
    ["$[?match(@, '(a+)+\\\\1')]", 'E_JSONPATH_REGEX', /\\1 is not an I-Regexp escape/],
    ["$[?search(@, '(?=a)')]", 'E_JSONPATH_REGEX', /\? has nothing to repeat/],
    ['$[?@.constructor]', 'E_JSONPATH_KEY', /"constructor"/],
    ['$.constructor', 'E_JSONPATH_KEY', /"constructor"/],
    ["$['constructor']", 'E_JSONPATH_KEY', /"constructor"/],
    ['$["__proto__"].status', 'E_JSONPATH_KEY', /"__proto__"/],
    ['$..prototype', 'E_JSONPATH_KEY', /"prototype"/],
    ["$['\\u0063onstructor']", 'E_JSONPATH_KEY', /"constructor"/],
  ])('%s gets a 400 naming the rule, and nothing is stored', async (jsonpath, code, rule) => {
    const res = await fetch(`${shared.url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'hostile', url: { addr: target.url, jsonpath } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; error: string };
    expect(body.code).toBe(code);
    expect(body.error).toMatch(rule);
    expect(await (await fetch(`${shared.url}/checks`)).json()).toEqual({});
  });
});

describe('JSON paths the daemon evaluates', () => {
  it(
    'a path within the rules but over the work budget leaves the check Unknown with the reason; ' +
      'the daemon keeps serving in bounded memory',
    async () => {
      svc = await startFakeService({ body: NESTED });
      d = await spawnDaemon({ defaults: { interval: '200ms', timeout: '150ms' } });
      // Unions of one index repeated multiply the work by 8 per bracket: 8^7 visits, unless the budget stops it.
      const costly = `$${'[0,0,0,0,0,0,0,0]'.repeat(7)}.status`;
      // A filter whose nested query walks every node below each node: quadratic, stopped by the same budget.
      const quadratic = '$..[?count(@..*) > 100000]';
      expect((await register('costly', costly)).status).toBe(201);
      expect((await register('quadratic', quadratic)).status).toBe(201);
      expect((await register('fine', '$..status')).status).toBe(201);
      for (const [id, path] of [
        ['costly', costly],
        ['quadratic', quadratic],
      ]) {
        const state = await waitFor(async () => {
          const s = await stateOf(id as string);
          return s.checkedAt !== null && s;
        }, 10_000);
        expect(state.status).toBe('Unknown');
        expect(state.message).toBe(
          `\`url.jsonpath\` ${path} gave up after 100000 steps on this body (E_JSONPATH_BUDGET)`,
        );
      }
      // Many polls later (every 200 ms), the daemon still answers and its memory stays bounded.
      const hitsBefore = svc.hits;
      for (let i = 0; i < 10; i++) {
        await sleep(200);
        const root = await fetch(`${d.url}/`);
        expect([200, 503]).toContain(root.status);
        await root.text();
        expect(rssKb(d.proc.pid!)).toBeLessThan(MAX_RSS_KB);
      }
      expect(svc.hits).toBeGreaterThan(hitsBefore);
      expect(await stateOf('fine')).toMatchObject({ status: 'Unknown', message: 'no status at $..status' });
    },
  );

  it('a regex that backtracks exponentially in V8 runs in linear time: answered on the first poll', async () => {
    // `(a|aa)*b` on 5 000 a's: a backtracking engine tries ~10^1000 ways; the Pike VM some 65 000 steps.
    svc = await startFakeService({ body: ['a'.repeat(5000)] });
    d = await spawnDaemon({ defaults: { interval: '200ms', timeout: '150ms' } });
    const path = "$[?match(@, '(a|aa)*b')]";
    expect((await register('regex', path)).status).toBe(201);
    const state = await waitFor(async () => {
      const s = await stateOf('regex');
      return s.checkedAt !== null && s;
    }, 10_000);
    expect(state).toMatchObject({ status: 'Unknown', message: `no status at ${path}` });
    expect([200, 503]).toContain((await fetch(`${d.url}/`)).status);
  });

  it(
    'a data file holding refused paths still starts: one warning per check, each Unknown with ' + 'why, never polled',
    async () => {
      svc = await startFakeService({ body: NESTED });
      const dir = tempDir('megaphone-jsonpath-');
      const stored = (id: string, jsonpath: string) => ({ id, url: { addr: svc!.url, jsonpath } });
      writeFileSync(
        path.join(dir, 'db.json'),
        JSON.stringify({
          version: 1,
          // A dot name jsonpath-plus read and RFC 9535 refuses; a prototype key.
          checks: { dashed: stored('dashed', '$.health-check.status'), proto: stored('proto', "$['constructor']") },
        }),
      );
      d = await spawnDaemon({ dataFile: 'db.json', defaults: { interval: '200ms', timeout: '150ms' } }, { dir });
      const warnings = d
        .logs()
        .split('\n')
        .filter((l) => l.includes('now refused'))
        .map((l) => JSON.parse(l) as { id: string; code: string; level: number });
      expect(warnings.map((w) => [w.id, w.code]).sort()).toEqual([
        ['dashed', 'E_JSONPATH'],
        ['proto', 'E_JSONPATH_KEY'],
      ]);
      expect(warnings.every((w) => w.level === 40)).toBe(true);
      const dashed = await waitFor(async () => {
        const s = await stateOf('dashed');
        return s.checkedAt !== null && s;
      }, 10_000);
      expect(dashed).toMatchObject({
        status: 'Unknown',
        message: expect.stringMatching(
          /stored path refused: .*write \['health-check'\] \(RFC 9535\).*\(E_JSONPATH\); register the check again/,
        ),
      });
      expect((await stateOf('proto')).message).toMatch(/E_JSONPATH_KEY/);
      // Their target is never asked: the path could not read its answer anyway.
      expect(svc.hits).toBe(0);
      expect([200, 503]).toContain((await fetch(`${d.url}/`)).status);
      expect(rssKb(d.proc.pid!)).toBeLessThan(MAX_RSS_KB);
    },
  );
});
