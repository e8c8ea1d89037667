import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { compileStatusPath, parseStatusPath } from '../src/checks/jsonpath.js';
import { parseJsonPath } from '../src/checks/jsonpath-parser.js';
import { evaluateJsonPath, JSONPATH_BUDGET, queryNodes } from '../src/checks/jsonpath-eval.js';
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
    ['$.health-check.status', /\.health-check is not a member name: write \['health-check'\] \(RFC 9535\)/],
    ['$.items.0.status', /\.0 is not a member name: write \[0\] for an index or \['0'\]/],
    [' $.status', /no blank space may come before \$/],
    ['$.status ', /no blank space may come after the query/],
    ['$[?@.a = 1]', /expected , or \]/],
    ['$[?@.a == 01]', /malformed number/],
    ['$[?length(@.*) > 1]', /length\(\) takes a value .*, got @\.\*/],
    ['$[?count(@.a)]', /count\(\) must be compared, e\.g\. count\(@\.a\) == 1/],
    ["$[?match(@.a, 'x') == true]", /match\(\) is true or false and cannot be compared/],
    ['$[?@.* == 1]', /@\.\* may select several nodes and cannot be compared/],
    ['$[?size(@) > 1]', /size\(\) is not a function: length, count, match, search and value are/],
    [`$${'[?@'.repeat(40)}${']'.repeat(40)}`, /nested more than 32 levels deep/],
  ])('%s is refused (E_JSONPATH), the error says why and where', (path, why) => {
    expect(() => parseStatusPath(path)).toThrow(why);
    expect(codeOf(() => parseStatusPath(path))).toBe('E_JSONPATH');
  });

  it.each([
    ["$[?match(@.a, '\\\\d+')]", /\\d is not an I-Regexp escape .* at character 1 of "\\\\d\+"/],
    ["$[?search(@.a, '(a')]", /unclosed \(/],
    ["$[?match(@.a, 'a{1000}{2}')]", /\{ has nothing to repeat/],
    ["$[?match(@.a, '(a{1000}){5}')]", /expands to more than 4096 states/],
  ])('%s has a pattern outside I-Regexp: refused (E_JSONPATH_REGEX) naming the problem', (path, why) => {
    expect(() => parseStatusPath(path)).toThrow(why);
    expect(codeOf(() => parseStatusPath(path))).toBe('E_JSONPATH_REGEX');
  });

  it.each([
    "$.checks[?(@.name === 'db')].status",
    '$[?(@.status && this.x)]',
    '$.checks[?@.name.match(/db/)].status',
    '$[(@.length-1)]',
    '$..`constructor`',
  ])('%s (a jsonpath-plus script form) is refused, pointing to the RFC 9535 form', (path) => {
    expect(() => parseStatusPath(path)).toThrow(/filter or script expressions other than RFC 9535's.*`\?@\.x == 1`/);
    expect(codeOf(() => parseStatusPath(path))).toBe('E_JSONPATH_SCRIPT');
  });

  it.each([
    '$.constructor',
    "$['constructor']",
    '$["__proto__"]',
    '$..prototype',
    "$['\\u0063onstructor']",
    '$["__pro\\u0074o__"]',
    "$.a['b','prototype']",
    '$.__proto__.x',
    "$[ 'constructor' ]",
    '$[?@.constructor]',
    "$.a[?@['__proto__'] == 1]",
    '$[?count(@..prototype) > 0]',
    "$[?match(@.x.constructor, 'a')]",
    '$[?!(@.a || $.constructor)]',
    'constructor/x',
    '__proto__',
  ])('%s is refused: no path may name a prototype key, in any spelling, filters included', (path) => {
    expect(codeOf(() => parseStatusPath(path))).toBe('E_JSONPATH_KEY');
  });

  it.each([
    '$.status',
    '$..status',
    "$['health']['status']",
    '$.checks[*].status',
    '$.items[-1].status',
    '$.a[0:3].b',
    "$['health-check'].status",
    '$..["a","b"]',
    '$ .a',
    '$..*..*',
    '$..[*].status',
    '$[0,1,2,3,4,5,6,7,8,9]',
    "$.checks[?@.name == 'db'].status",
    '$.checks[?(@.status)].status',
    "$.checks[?!(@.name == 'db') && length(@.status) > 1].status",
    "$..checks[?match(@.name, 'd[a-z]+') || search(@.note, '\\\\p{Lu}')].status",
    '$.checks[?count(@.deps[*]) >= 2 && value(@..level) < 3].status',
    'megaphone/status',
  ])('%s is accepted', (path) => {
    expect(() => parseStatusPath(path)).not.toThrow();
  });

  it('a config check with a refused path stops start-up naming it; a discovery rule likewise', () => {
    const checks = [{ id: 'x', url: { addr: 'http://127.0.0.1:9/', jsonpath: '$[?(@.a === 1)]' } }];
    expect(() => parseConfig({ checks })).toThrow(/`checks\[0\]` \("x"\).*other than RFC 9535's/);
    expect(() => compileConfigChecks({ checks, defaults: parseConfig({}).defaults } as never)).toThrow(/RFC 9535/);
    const rule = {
      id: 'svc',
      match: { name: 'svc' },
      url: { addr: 'http://127.0.0.1:{port}/', jsonpath: '$[?@.constructor]' },
    };
    expect(() => parseConfig({ discovery: { rules: [rule] } })).toThrow(/discovery\.rules.*constructor/);
  });

  it('compileStatusPath never throws: a refused path finds nothing and says why', () => {
    const p = compileStatusPath('$.health-check.status');
    expect(p.refusal?.code).toBe('E_JSONPATH');
    expect(p.find({ 'health-check': { status: 'OK' } })).toMatchObject({ kind: 'refused' });
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
    expect(first("$.a['0'].status")).toBeUndefined();
    expect(first('$[0]')).toBeUndefined();
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

  const items = (n: number) => ({
    re: 'x+',
    items: Array.from({ length: n }, (_, i) => ({ name: `n${i}`, deps: [1, 2, 3], note: 'a'.repeat(100) })),
  });
  const stepsOf = (path: string, doc: unknown) => queryNodes(parseJsonPath(path), doc).steps;

  it('a filter spends a unit on every node it tests; its nested queries and function calls spend more', () => {
    const plain = stepsOf("$.items[?@.name == 'none']", items(1000));
    expect(plain).toBeGreaterThanOrEqual(1000);
    expect(stepsOf("$.items[?@.name == 'none']", items(2000))).toBeGreaterThanOrEqual(2 * plain - 10);
    // count() walks `@.deps[*]` on each item: its three nodes count, queued and visited.
    expect(stepsOf('$.items[?count(@.deps[*]) > 5]', items(1000))).toBeGreaterThan(plain + 5000);
    // length() reads each 100-character note: the text it reads counts.
    expect(stepsOf('$.items[?length(@.note) > 500]', items(1000))).toBeGreaterThan(plain + 5000);
  });

  it("a regex's work counts: one unit per character and thread, a document's pattern compiled once", () => {
    expect(stepsOf("$[?match(@, 'a*b')]", ['a'.repeat(20_000)])).toBeGreaterThan(20_000);
    const cached = stepsOf('$.items[?match(@.name, $.re)]', items(1000));
    // The same work as a literal pattern, plus reading `$.re` once per item (compiling each time would cost more).
    expect(cached).toBeLessThan(stepsOf("$.items[?match(@.name, 'x+')]", items(1000)) + 1100);
    expect(queryNodes(parseJsonPath("$[?match(@, '(a|aa)*b')]"), ['a'.repeat(80_000)])).toMatchObject({
      values: [],
      exhausted: true,
      steps: JSONPATH_BUDGET,
    });
  });

  it('a filter over the budget leaves no status: the check reads over-budget, not a wrong node', () => {
    const doc = { big: 'x'.repeat(60_000), items: Array.from({ length: 30_000 }, (_, i) => i) };
    for (const path of [
      '$.items[?length($.big) == 1]',
      '$.items[?$.big == $.items]',
      '$.items[?count($..*) == 1]',
      "$.items[?search($.big, '(x|xx)*y')]",
      // A regex cut short says false; negated it would keep the first item: it must not.
      "$.items[?!search($.big, '(x|xx)*y')]",
    ])
      expect(compileStatusPath(path).find(doc), path).toMatchObject({ kind: 'over-budget', steps: JSONPATH_BUDGET });
  });
});

// RFC 9535 queries from its grammar, filters and functions included: each must parse, and hold its budget.
const idName = fc.constantFrom('a', 'b', 'status', 'name', 're', '_x');
const name = fc.oneof(idName, fc.constantFrom('0', 'x-y', 'é 1'));
const int = fc.integer({ min: -3, max: 3 });
const literal = fc.oneof(int.map(String), fc.constantFrom("'a'", '"OK"', 'true', 'false', 'null', '1.5e0', '-0'));
const singular = fc
  .tuple(
    fc.constantFrom('@', '$'),
    fc.array(
      fc.oneof(
        idName.map((n) => `.${n}`),
        int.map((i) => `[${i}]`),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([root, segs]) => root + segs.join(''));
const { pathText } = fc.letrec((tie) => ({
  selector: fc.oneof(
    { depthSize: 'small' },
    name.map((n) => `'${n}'`),
    int.map(String),
    fc.constant('*'),
    fc
      .tuple(fc.option(int), fc.option(int), fc.option(fc.integer({ min: -2, max: 2 })))
      .map(([a, b, c]) => `${a ?? ''}:${b ?? ''}${c === null ? '' : `:${c}`}`),
    tie('expr').map((e) => `?${e as string}`),
  ),
  segment: fc.oneof(
    { depthSize: 'small' },
    idName.map((n) => `.${n}`),
    fc.constant('.*'),
    fc.array(tie('selector'), { minLength: 1, maxLength: 8 }).map((s) => `[${(s as string[]).join(',')}]`),
    idName.map((n) => `..${n}`),
    fc.constant('..*'),
    fc.array(tie('selector'), { minLength: 1, maxLength: 3 }).map((s) => `..[${(s as string[]).join(', ')}]`),
  ),
  query: fc
    .tuple(fc.constantFrom('@', '$'), fc.array(tie('segment'), { maxLength: 3 }))
    .map(([root, segs]) => root + (segs as string[]).join('')),
  comparable: fc.oneof(
    literal,
    singular,
    singular.map((q) => `length(${q})`),
    tie('query').map((q) => `count(${q as string})`),
    tie('query').map((q) => `value(${q as string})`),
  ),
  expr: fc.oneof(
    { depthSize: 'small' },
    fc
      .tuple(tie('comparable'), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), tie('comparable'))
      .map(([a, op, b]) => `${a as string} ${op} ${b as string}`),
    tie('query'),
    fc
      .tuple(fc.constantFrom('match', 'search'), singular, fc.constantFrom("'a.*'", "'(a|b)*c'", "'[a-z]+'", '$.re'))
      .map(([f, q, re]) => `${f}(${q}, ${re})`),
    tie('expr').map((e) => `!(${e as string})`),
    fc
      .tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr'))
      .map(([a, op, b]) => `${a as string} ${op} ${b as string}`),
  ),
  pathText: fc.array(tie('segment'), { maxLength: 12 }).map((s) => `$${(s as string[]).join('')}`),
})) as { pathText: fc.Arbitrary<string> };
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record({ re: fc.constantFrom('a+', '(a|b)*', '[', 'x'), a: fc.jsonValue({ maxDepth: 3 }), name: fc.string() }),
  // Deep chains and wide arrays: the shapes that made jsonpath-plus combinatorial.
  fc.integer({ min: 1, max: 3000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.integer({ min: 1, max: 2000 }).map((n) => JSON.parse(`${'{"a":'.repeat(n)}{"status":"OK"}${'}'.repeat(n)}`)),
  fc.integer({ min: 1, max: 8000 }).map((n) => JSON.parse(`[${Array(n).fill('[0,[1,"aab"]]').join(',')}]`)),
);

describe('fuzz', () => {
  it('every query of the grammar parses; on any body the evaluator never throws nor exceeds its budget', () => {
    const budget = 5_000;
    fc.assert(
      fc.property(pathText, body, (text, json) => {
        const q = parseJsonPath(text);
        const first = evaluateJsonPath(q, json, budget);
        const all = queryNodes(q, json, budget);
        expect(first.steps).toBeLessThanOrEqual(budget);
        expect(all.steps).toBeLessThanOrEqual(budget);
        // The first-node rule: the status is the first node of the full list.
        if (!all.exhausted && first.found) expect(first.value).toBe(all.values[0]);
        if (!all.exhausted && !first.found) expect(all.values).toEqual([]);
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
    // Not compared: filters (jsonpath-plus runs them as JavaScript), quoted digits (RFC 9535: no name indexes arrays).
    const comparable = pathText.filter(
      (t) =>
        !/[-:?]/.test(t) &&
        !/\[[^\]]*,/.test(t) &&
        !t.includes("'0'") &&
        codeOf(() => parseStatusPath(t)) === undefined,
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
