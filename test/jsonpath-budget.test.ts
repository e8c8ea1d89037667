import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { compileStatusPath, parseStatusPath } from '../src/checks/jsonpath.js';
import { parseJsonPath } from '../src/checks/jsonpath-syntax.js';
import { evaluateJsonPath, JSONPATH_BUDGET } from '../src/checks/jsonpath-eval.js';
import { MegaphoneError } from '../src/lib/errors.js';
import { parseConfig } from '../src/config/load.js';
import { compileConfigChecks } from '../src/checks/config-checks.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as MegaphoneError).code;
  }
};

describe('path rules at registration', () => {
  it.each([
    ['$..*..*', /at most once \(here 2 times\)/],
    ['$..a..b', /at most once/],
    ['$..*', /not be combined with a wildcard/],
    ['$..a[*]', /not be combined with a wildcard/],
    ['$..a[0:2]', /or a slice/],
    ['$.a..b.*', /not be combined/],
    ['$[0,1,2,3,4,5,6,7,8]', /at most 8 selectors \(this one lists 9\)/],
  ])('%s is refused as too costly, naming the rule', (path, rule) => {
    expect(() => parseStatusPath(path)).toThrow(rule);
    expect(codeOf(() => parseStatusPath(path))).toBe('E_JSONPATH_COST');
  });

  it.each([
    '$.constructor',
    "$['constructor']",
    '$["__proto__"]',
    '$..prototype',
    "$['\\u0063onstructor']",
    '$["__pro\\u0074o__"]',
    "$.a['b','prototype']",
    '$ .a',
    '$.__proto__.x',
    "$[ 'constructor' ]",
    'constructor/x',
    '__proto__',
  ])('%s is refused: no path may name a prototype key, in any spelling', (path) => {
    const code = codeOf(() => parseStatusPath(path));
    // `$ .a` is just malformed; the rest name a prototype key.
    expect(code).toBe(path === '$ .a' ? 'E_JSONPATH' : 'E_JSONPATH_KEY');
  });

  it.each([
    '$.status',
    '$..status',
    "$['health']['status']",
    '$.checks[*].status',
    '$.items[-1].status',
    '$.a[0:3].b',
    '$.health-check.status',
    '$..["a","b"]',
    'megaphone/status',
  ])('%s is accepted', (path) => {
    expect(() => parseStatusPath(path)).not.toThrow();
  });

  it('a config check with a refused path stops start-up naming it; a discovery rule likewise', () => {
    const checks = [{ id: 'x', url: { addr: 'http://127.0.0.1:9/', jsonpath: '$..*..*' } }];
    expect(() => parseConfig({ checks })).toThrow(/`checks\[0\]` \("x"\).*at most once/);
    expect(() => compileConfigChecks({ checks, defaults: parseConfig({}).defaults } as never)).toThrow(/at most once/);
    const rule = {
      id: 'svc',
      match: { name: 'svc' },
      url: { addr: 'http://127.0.0.1:{port}/', jsonpath: '$.constructor' },
    };
    expect(() => parseConfig({ discovery: { rules: [rule] } })).toThrow(/discovery\.rules.*constructor/);
  });

  it('compileStatusPath never throws: a refused path finds nothing and says why', () => {
    const p = compileStatusPath('$..*..*');
    expect(p.refusal?.code).toBe('E_JSONPATH_COST');
    expect(p.find({ a: 1 })).toMatchObject({ kind: 'refused' });
  });
});

describe('the evaluator', () => {
  it('finds the first match in document order, own keys only', () => {
    const json = JSON.parse('{"a":[{"status":"x","b":{"status":"y"}},{"status":"z"}],"status":"root"}');
    const first = (path: string) => {
      const e = evaluateJsonPath(parseJsonPath(path), json);
      return e.found ? e.value : undefined;
    };
    expect(first('$..status')).toBe('root');
    expect(first('$.a[*].status')).toBe('x');
    expect(first('$..b.status')).toBe('y');
    expect(first('$.a[-1].status')).toBe('z');
    expect(first('$.a.0.status')).toBe('x');
    expect(first('$.a[::-1].status')).toBe('z');
    expect(first('$.toString')).toBeUndefined();
  });

  it('walks a body nested 30 000 deep without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(30_000)}"OK"${']'.repeat(30_000)}`);
    const e = evaluateJsonPath(parseJsonPath('$..status'), deep);
    expect(e).toMatchObject({ found: false, exhausted: false });
  });

  it('stops when its budget is spent, and says so', () => {
    const wide = JSON.parse(`[${Array(30_000).fill('[0,0,0,0,0,0,0,0]').join(',')}]`);
    const e = evaluateJsonPath(parseJsonPath('$[*][0,1,2,3,4,5,6,7].x'), wide);
    expect(e).toMatchObject({ found: false, exhausted: true, steps: JSONPATH_BUDGET });
    expect(compileStatusPath('$[*][0,1,2,3,4,5,6,7].x').find(wide)).toMatchObject({ kind: 'over-budget' });
  });
});

// Paths from the grammar (refused shapes included: the evaluator must hold its budget on them too).
const name = fc.constantFrom('a', 'b', 'status', '0', 'x-y');
const selector = fc.oneof(
  name.map((n) => `'${n}'`),
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.constant('*'),
  fc
    .tuple(
      fc.option(fc.integer({ min: -3, max: 3 })),
      fc.option(fc.integer({ min: -3, max: 3 })),
      fc.option(fc.integer({ min: -2, max: 2 })),
    )
    .map(([a, b, c]) => `${a ?? ''}:${b ?? ''}${c === null ? '' : `:${c}`}`),
);
const segment = fc.oneof(
  name.map((n) => `.${n}`),
  fc.constant('.*'),
  fc.array(selector, { minLength: 1, maxLength: 8 }).map((s) => `[${s.join(',')}]`),
  name.map((n) => `..${n}`),
  fc.constant('..*'),
  fc.array(selector, { minLength: 1, maxLength: 3 }).map((s) => `..[${s.join(',')}]`),
);
const pathText = fc.array(segment, { maxLength: 12 }).map((s) => `$${s.join('')}`);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  // Deep chains and wide arrays: the shapes that made jsonpath-plus combinatorial.
  fc.integer({ min: 1, max: 3000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.integer({ min: 1, max: 2000 }).map((n) => JSON.parse(`${'{"a":'.repeat(n)}{"status":"OK"}${'}'.repeat(n)}`)),
  fc.integer({ min: 1, max: 8000 }).map((n) => JSON.parse(`[${Array(n).fill('[0,[1]]').join(',')}]`)),
);

describe('fuzz', () => {
  it('no path on any body makes the evaluator exceed its budget or throw', () => {
    const budget = 5_000;
    fc.assert(
      fc.property(pathText, body, (text, json) => {
        const e = evaluateJsonPath(parseJsonPath(text), json, budget);
        expect(e.steps).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 400 },
    );
  });

  it('compileStatusPath and find never throw, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          pathText,
          fc.string().map((s) => `$${s}`),
        ),
        fc.jsonValue({ maxDepth: 4 }),
        (text, json) => {
          expect(['hit', 'miss', 'over-budget', 'refused']).toContain(compileStatusPath(text).find(json).kind);
        },
      ),
      { numRuns: 1000 },
    );
  });

  // Stored paths keep their meaning: where jsonpath-plus (eval off) defines the result, the evaluator agrees.
  it('finds what jsonpath-plus found, for every accepted path without negative indices', () => {
    const comparable = pathText.filter(
      (t) => !t.includes('-') && !/:/.test(t) && !/\[[^\]]*,/.test(t) && codeOf(() => parseStatusPath(t)) === undefined,
    );
    fc.assert(
      fc.property(
        comparable,
        fc.jsonValue({ maxDepth: 5 }).filter((v) => v !== null && typeof v === 'object'),
        (text, json) => {
          const mine = compileStatusPath(text).find(json);
          const all = JSONPath({
            path: text,
            json: json as object,
            eval: false,
            wrap: true,
            resultType: 'all',
          }) as Array<{ value: unknown; parent: unknown }>;
          // jsonpath-plus also indexes into strings ("ab"[0]); JSON paths select only in arrays and objects.
          const theirs = all.filter((r) => typeof r.parent !== 'string');
          if (mine.kind === 'over-budget') return;
          expect(mine.kind === 'hit' ? mine.value : undefined).toEqual(theirs[0]?.value);
        },
      ),
      { numRuns: 500 },
    );
  });
});
