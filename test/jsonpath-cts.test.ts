import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';
import { JsonPathError, parseJsonPath } from '../src/checks/jsonpath-parser.js';
import { queryNodes } from '../src/checks/jsonpath-eval.js';
import { normalizeStatus } from '../src/status.js';
import { preview } from '../src/lib/preview.js';

// The RFC 9535 Compliance Test Suite (BSD-2, see test/jsonpath-cts/LICENSE and VERSION).
interface Case {
  name: string;
  selector: string;
  document?: unknown;
  result?: unknown[];
  results?: unknown[][];
  result_paths?: string[];
  results_paths?: string[][];
  invalid_selector?: boolean;
}
const suite = JSON.parse(readFileSync(new URL('./jsonpath-cts/cts.json', import.meta.url), 'utf8')) as {
  tests: Case[];
};
const invalid = suite.tests.filter((c) => c.invalid_selector);
const valid = suite.tests.filter((c) => !c.invalid_selector);
// The orders a case allows (`results` when object member order makes several possible).
const allowed = (c: Case): unknown[][] => c.results ?? [c.result ?? []];
const allowedPaths = (c: Case): string[][] => c.results_paths ?? [c.result_paths ?? []];

describe('the RFC 9535 Compliance Test Suite, through the parser and the evaluator', () => {
  it('holds every case of the suite', () => {
    expect(invalid.length + valid.length).toBe(suite.tests.length);
    expect(suite.tests.length).toBeGreaterThan(700);
  });

  it.each(invalid.map((c) => [c.name, c] as const))('invalid: %s is refused by the parser', (_n, c) => {
    expect(() => parseJsonPath(c.selector)).toThrow(JsonPathError);
  });

  it.each(valid.map((c) => [c.name, c] as const))('valid: %s selects the suite’s nodes, at its paths', (_n, c) => {
    const nodes = queryNodes(parseJsonPath(c.selector), c.document);
    expect(nodes.exhausted).toBe(false);
    const same = (r: unknown[], i: number) =>
      isDeepStrictEqual(r, nodes.values) && isDeepStrictEqual(allowedPaths(c)[i], nodes.paths);
    expect(allowed(c).some(same), JSON.stringify(nodes)).toBe(true);
  });
});

describe('the suite through POST /checks (one app)', () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    // Serves each valid case's document at /<index>: the checks below read their status from it.
    server = http.createServer((req, res) => {
      hits++;
      const c = valid[Number(req.url?.slice(1))];
      res.writeHead(c ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(c?.document ?? null));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await makeTestApp({ defaults: { interval: '1s', timeout: '900ms' } });
  });
  afterAll(async () => {
    await t?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('refuses every invalid selector with a 400 naming url.jsonpath, and stores nothing', async () => {
    const answers = [];
    for (const [i, c] of invalid.entries()) {
      const res = await t.request
        .post('/checks')
        .send({ id: `bad-${i}`, url: { addr: `${base}/0`, jsonpath: c.selector } });
      answers.push([c.name, res.status, res.body.code, /url\.jsonpath/.test(res.body.error)]);
    }
    expect(answers.filter(([, status, code, named]) => status !== 400 || !/^E_JSONPATH/.test(code) || !named)).toEqual(
      [],
    );
    expect(t.table.size).toBe(0);
  });

  it('accepts every valid selector; each check reads the first node the suite selects', async () => {
    for (const [i, c] of valid.entries()) {
      const res = await t.request
        .post('/checks')
        .send({ id: `ok-${i}`, url: { addr: `${base}/${i}`, jsonpath: c.selector } });
      expect(res.status, `${c.name}: ${JSON.stringify(res.body)}`).toBe(201);
    }
    // The first-node rule: the check's status is read from the first node of the (first allowed) result.
    const expected = (c: Case): { status: string; message: string }[] =>
      allowed(c).map(([first]) => {
        if (first === undefined || first === null) return { status: 'Unknown', message: `no status at ${c.selector}` };
        const status = normalizeStatus(first);
        if (status) return { status, message: '' };
        return { status: 'Unknown', message: `unrecognized status ${preview(first, 200)} at ${c.selector}` };
      });
    const seen = await waitFor(() => {
      const states = valid.map((_c, i) => t.table.get(`ok-${i}`));
      return states.every((s) => s?.result) && states.map((s) => ({ status: s!.status, message: s!.message }));
    }, 30_000);
    const wrong = valid.filter(
      (c, i) => !expected(c).some((e) => e.status === seen[i]!.status && e.message === seen[i]!.message),
    );
    expect(wrong.map((c) => c.name)).toEqual([]);
    // Real polls, and both kinds of answer: a node read (unrecognized as a status) and none found.
    expect(hits).toBeGreaterThanOrEqual(valid.length);
    expect(seen.filter((s) => s.message.startsWith('unrecognized status ')).length).toBeGreaterThan(300);
    expect(seen.filter((s) => s.message.startsWith('no status at ')).length).toBeGreaterThan(40);
  });
});
