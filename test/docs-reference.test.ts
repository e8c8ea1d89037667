import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { configSchema, type Config } from '../src/config/schema.js';
import type { z } from 'zod';
import { groupSchema } from '../src/groups/schema.js';
import { tlsFileSchema } from '../src/checks/tls-spec.js';
import { parseDuration } from '../src/lib/duration.js';
import type { ReloadSection } from '../src/feature.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { configKeys, keyRows, type KeyRow } from './helpers/config-keys.js';
import { readBlocks, readSteps } from './helpers/doc-blocks.js';
import { REPO } from './helpers/doc-runner.js';

const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');
const srcFiles = (dir = 'src'): string[] =>
  readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? srcFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );

// The pages holding the key tables, and the prefix their keys are written under.
const KEY_TABLES: Array<[string, string]> = [
  ['docs/configuration.md', ''],
  ['docs/checks.md', 'checks[].'],
  ['docs/discovery.md', 'discovery.rules[].'],
];
const docRows = (): KeyRow[] => KEY_TABLES.flatMap(([page, prefix]) => keyRows(read(page), prefix));
// Config keys that are records of named entries, with the schema of one entry.
const RECORDS = new Map<string, z.ZodType>([
  ['groups', groupSchema],
  ['tls.cas', tlsFileSchema],
]);

describe('docs/configuration.md, checks.md and discovery.md list every config key', () => {
  it('each key the schema accepts has a row, and each row is a key the schema accepts', () => {
    const schema = configKeys(configSchema, '', RECORDS)
      .map((k) => k.path)
      .sort();
    const documented = [...new Set(docRows().map((r) => r.key))].sort();
    expect(documented).toEqual(schema);
  });
});

// Keys inside one entry of a list or record: the smallest valid entry, and where it sits in a config.
const WEBHOOK = 'http://127.0.0.1:9/hook';
const ENTRIES: Array<{
  prefix: string;
  entry: Record<string, unknown>;
  wrap: (e: unknown) => object;
  at: (c: Config) => unknown;
}> = [
  { prefix: 'notify[].', entry: { url: WEBHOOK }, wrap: (e) => ({ notify: [e] }), at: (c) => c.notify[0] },
  {
    prefix: 'groups.<name>.',
    entry: { checks: ['web-*'] },
    wrap: (e) => ({ groups: { web: e } }),
    at: (c) => c.groups.web,
  },
];
const entryOf = (key: string) => ENTRIES.find((e) => key.startsWith(e.prefix));

// A raw config with `value` at `key` (`notify[].x` inside one webhook, `groups.<name>.x` inside one group).
function withValue(key: string, value: unknown): Record<string, unknown> {
  const entry = entryOf(key);
  const obj: Record<string, unknown> = {};
  let cur = obj;
  const parts = (entry ? key.slice(entry.prefix.length) : key).split('.');
  parts.forEach((p, i) => {
    if (i === parts.length - 1) cur[p] = value;
    else cur = cur[p] = {} as Record<string, unknown>;
  });
  return entry ? (entry.wrap({ ...entry.entry, ...obj }) as Record<string, unknown>) : obj;
}

function valueAt(key: string): unknown {
  const entry = entryOf(key);
  const config = parseConfig(entry ? entry.wrap(entry.entry) : {});
  const [root, rest] = entry ? [entry.at(config), key.slice(entry.prefix.length)] : [config, key];
  return rest.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], root);
}

const accepts = (key: string, value: unknown) => {
  try {
    parseConfig(withValue(key, value));
    return true;
  } catch {
    return false;
  }
};

// The zod type behind each type word of the table.
const TYPES: Record<string, string> = {
  integer: 'number',
  duration: 'custom',
  string: 'string',
  path: 'string',
  boolean: 'boolean',
  'string[]': 'array',
  'status[]': 'array',
  array: 'array',
  object: 'record',
};

describe('docs/configuration.md: type, default and bounds of each key are what the code accepts', () => {
  const rows = keyRows(read('docs/configuration.md'));
  const types = new Map(configKeys(configSchema, '', RECORDS).map((k) => [k.path, k.type]));

  it.each(rows.map((r) => [r.key, r] as const))('%s', (key, row) => {
    const { type, default: shownDefault, bounds } = row.cells as Record<string, string>;
    const duration = type === 'duration';
    // Type.
    const expectedType = /^`"/.test(type ?? '') ? 'enum' : TYPES[type ?? ''];
    expect(expectedType, `line ${row.line}: unknown type word ${type}`).toBeDefined();
    expect(types.get(key), `line ${row.line}: type`).toBe(expectedType);
    // Default.
    const actual = valueAt(key);
    if (shownDefault === 'none') expect(actual, `line ${row.line}: default`).toBeUndefined();
    else if (shownDefault === 'required') expect(accepts(key, undefined), `line ${row.line}: required`).toBe(false);
    else {
      const literal = /^`(.+)`$/.exec(shownDefault ?? '');
      expect(literal, `line ${row.line}: a default is \`JSON\`, none or required`).not.toBeNull();
      const shown = JSON.parse((literal as RegExpExecArray)[1] as string) as unknown;
      expect(actual, `line ${row.line}: default`).toEqual(duration ? parseDuration(shown) : shown);
    }
    // Bounds: both ends accepted, one step beyond refused.
    const range = /^(\S+)–(\S+)( characters)?$/.exec(bounds ?? '') ?? /^≥ (\S+)()$/.exec(bounds ?? '');
    if (!range) return;
    const [, lo = '', hi = '', chars] = range;
    const num = (s: string) => (duration ? (parseDuration(s) as number) : Number(s));
    const as = (n: number) => (chars ? 'x'.repeat(n) : n);
    expect(accepts(key, as(num(lo))), `line ${row.line}: accepts ${lo}`).toBe(true);
    expect(accepts(key, as(num(lo) - 1)), `line ${row.line}: refuses below ${lo}`).toBe(false);
    if (hi === '') return;
    expect(accepts(key, as(num(hi))), `line ${row.line}: accepts ${hi}`).toBe(true);
    expect(accepts(key, as(num(hi) + 1)), `line ${row.line}: refuses above ${hi}`).toBe(false);
  });
});

describe('docs/http-api.md names every error code the code can answer', () => {
  const codes = new Set<string>();
  // What the API answers: the CLI client (src/client/) only talks to it, and the codes of its own
  // error classes (E_UNREACHABLE, E_BAD_REPLY, E_COMMAND_FAILED) stay inside it, never printed; a
  // failed command prints the daemon's `error (code, HTTP n)` or its own message (README, CLI).
  for (const file of srcFiles().filter((f) => !f.startsWith('src/client/'))) {
    for (const m of read(file).matchAll(/['"`(](E_[A-Z_]+)/g))
      codes.add(m[1] === 'E_HTTP_' ? 'E_HTTP_<status>' : m[1]!);
  }
  const page = read('docs/http-api.md');
  const documented = new Set([...page.matchAll(/`(E_[A-Z_]+(?:<status>)?)`/g)].map((m) => m[1] as string));

  it('found the codes (the grep still works)', () => {
    expect(codes.size).toBeGreaterThan(20);
    expect(codes).toContain('E_CHECK_NOT_FOUND');
  });
  it.each([...codes].sort())('%s is documented', (code) => {
    expect(documented).toContain(code);
  });
  it('documents no code the code does not have', () => {
    expect([...documented].filter((c) => !codes.has(c))).toEqual([]);
  });
});

describe('docs/http-api.md has a runnable example of every route', () => {
  const routes = srcFiles('src/api').flatMap((file) =>
    [...read(file).matchAll(/router\.(get|post|put|delete|options)\('([^']+)'/g)].map(
      (m) => [m[1]!.toUpperCase(), m[2]!] as const,
    ),
  );
  // GET routes answer HEAD too; `/` is where HEAD matters (load balancers).
  routes.push(['HEAD', '/']);
  const calls = readBlocks('docs/http-api.md', read('docs/http-api.md'))
    .filter((b) => b.lang === 'console' && b.marker === undefined)
    .flatMap(readSteps)
    .flatMap((s) => {
      const url = /localhost:18001(\/[^\s'"?]*)?/.exec(s.command);
      if (!s.command.startsWith('curl') || !url) return [];
      const method = /-X\s*(\w+)/.exec(s.command)?.[1] ?? (/\s-\w*I\b/.test(s.command) ? 'HEAD' : 'GET');
      return [[method, url[1] ?? '/'] as const];
    });

  it('found the routes', () => expect(routes.length).toBeGreaterThan(15));
  it.each(routes)('%s %s', (method, route) => {
    const re = new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`);
    expect(calls.some(([m, p]) => m === method && re.test(p))).toBe(true);
  });
});

describe('docs/operations.md: what a reload applies is what the code does', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await makeTestApp();
  });
  afterAll(() => app.close());

  it('each reload section is listed, applied or restart-only as in the code', () => {
    // Bracket access reads the reloader's sections: the one list the code reloads from.
    const sections = app.megaphone.reloader['sections'] as readonly ReloadSection[];
    const code = Object.fromEntries(sections.map((s) => [s.key, s.apply ? 'applied' : 'restart']));
    expect(Object.values(code).filter((v) => v === 'restart')).toHaveLength(app.megaphone.reloader.restartOnly.length);
    const rows = read('docs/operations.md')
      .split('\n')
      .map((l) => /^\| `([^`]+)` \| (applied|restart) \|/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null);
    expect(Object.fromEntries(rows.map((m) => [m[1], m[2]]))).toEqual(code);
  });
});
