import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { nestedDeeperThan } from '../src/api/body-depth.js';
import { preview } from '../src/lib/preview.js';
import { formatIssue } from '../src/lib/format-issue.js';
import { registrationSchema } from '../src/checks/spec.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let d: RunningDaemon;
beforeAll(async () => {
  d = await spawnDaemon({ checks: [{ id: 'pushed', ttl: '1m' }] });
});
afterAll(async () => {
  await d?.stop();
});

const DEPTH = 10_000;
const arrays = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const objects = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
// The same nesting where each route reads a field, so validation and error formatting meet it.
const inField = (field: string, deep: string) => `{${JSON.stringify(field)}:${deep}}`;

const ROUTES: Array<[string, string, string]> = [
  ['POST', '/checks', 'url'],
  ['PUT', '/checks/pushed/status', 'status'],
  ['PUT', '/maintenance', 'reason'],
  // A write to a route that does not exist still has its body read first.
  ['POST', '/nowhere', 'x'],
];

const BODIES: Array<[string, string]> = [
  ['10 000 nested arrays', arrays],
  ['10 000 nested objects', objects],
];

describe('deeply nested request bodies', () => {
  describe.each(ROUTES)('%s %s', (method, path, field) => {
    it.each(BODIES)('%s (whole body and in a field) get 400 E_BODY_TOO_DEEP, never a 5xx', async (_name, deep) => {
      for (const body of [deep, inField(field, deep)]) {
        const res = await fetch(`${d.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({
          code: 'E_BODY_TOO_DEEP',
          error: 'request body nests arrays or objects deeper than 32 levels',
        });
      }
      expect((await fetch(`${d.url}/`)).status).toBeLessThan(500);
    });
  });

  it('32 levels are fine; 33 are not', async () => {
    // An object holding n - 1 nested arrays: n levels.
    const nest = (k: number) => `${'['.repeat(k)}"OK"${']'.repeat(k)}`;
    const send = (n: number) =>
      fetch(`${d.url}/checks/pushed/status`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: `{"status":${nest(n - 1)}}`,
      });
    const code = async (n: number) => ((await (await send(n)).json()) as { code: string }).code;
    expect(await code(32)).toBe('E_VALIDATION');
    expect(await code(33)).toBe('E_BODY_TOO_DEEP');
  });
});

describe('error formatting is bounded', () => {
  const deep = JSON.parse(arrays) as unknown;
  it('nestedDeeperThan and preview walk any depth without recursion', () => {
    expect(nestedDeeperThan(deep, 32)).toBe(true);
    expect(nestedDeeperThan(JSON.parse('[[[]]]'), 3)).toBe(false);
    expect(preview(deep)).toBe('[[[[[…]]]]]');
    expect(preview({ a: 'x'.repeat(10_000) }).length).toBeLessThanOrEqual(80);
  });

  it('a zod issue about a 10 000-deep value names the key without echoing it whole', () => {
    const input = { id: 'a', url: deep };
    const result = registrationSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(formatIssue(result.error!, input)).toMatch(/^`url` .*, got \[\[\[\[\[…\]\]\]\]\]$/);
  });
});
