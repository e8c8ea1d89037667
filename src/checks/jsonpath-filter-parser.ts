import type { Arg, Call, Comparable, CompareOp, FnType, LogicalExpr, Query } from './jsonpath-ast.js';
import { FUNCTION_TYPES } from './jsonpath-functions.js';
import type { Lexer } from './jsonpath-lexer.js';
import { compileIRegexp, RegexFault } from './i-regexp-vm.js';

/** Parses `$…` or `@…` (handed in by the query parser, which calls this one for `?`). */
export type QueryParser = (lx: Lexer) => Query;

// What stands alone before its role is known: a test, a comparison operand or a function argument.
type Primary = { at: number; end: number } & (
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'query'; query: Query }
  | { kind: 'call'; call: Call }
);
type Operand = { bare: Primary } | { expr: LogicalExpr };

const OPS: readonly CompareOp[] = ['==', '!=', '<=', '>=', '<', '>'];
const WORD = /[a-z][a-z0-9_]*/y;
const TYPE_NAME: Readonly<Record<FnType, string>> = { value: 'a value', logical: 'true or false', nodes: 'nodes' };

const shown = (lx: Lexer, p: Primary) => lx.text.slice(p.at, p.end);

// A bare query or function in a place that wants true/false: existence, or a logical function's result.
function asTest(lx: Lexer, o: Operand): LogicalExpr {
  if ('expr' in o) return o.expr;
  const p = o.bare;
  if (p.kind === 'query') return { kind: 'exists', query: p.query };
  if (p.kind === 'call' && p.call.result !== 'value') return { kind: 'test', call: p.call };
  const [what, example] =
    p.kind === 'literal' ? ['a literal', `@.x == ${shown(lx, p)}`] : [`${p.call.name}()`, `${shown(lx, p)} == 1`];
  throw lx.fail(`${what} must be compared, e.g. ${example}`, p.at, 'type');
}

function comparable(lx: Lexer, p: Primary): Comparable {
  if (p.kind === 'literal') return p;
  if (p.kind === 'query') {
    if (p.query.singular) return p;
    throw lx.fail(
      `${shown(lx, p)} may select several nodes and cannot be compared (names and indices only)`,
      p.at,
      'type',
    );
  }
  if (p.call.result === 'value') return p;
  throw lx.fail(`${p.call.name}() is true or false and cannot be compared: use it alone`, p.at, 'type');
}

function toArg(lx: Lexer, o: Operand, type: FnType, fn: string, [at, end]: [number, number]): Arg {
  if (type === 'logical') return { type, expr: asTest(lx, o) };
  const p = 'bare' in o ? o.bare : undefined;
  if (type === 'nodes' && p?.kind === 'query') return { type, query: p.query };
  if (type === 'value' && p) {
    const ok = p.kind === 'literal' || (p.kind === 'query' ? p.query.singular : p.call.result === 'value');
    if (ok) return { type, of: p };
  }
  const need =
    type === 'nodes' ? 'a query (like @.items[*])' : 'a value (a literal, a singular query like @.a, or length(…))';
  const got = p?.kind === 'call' ? `${p.call.name}() giving ${TYPE_NAME[p.call.result]}` : lx.text.slice(at, end);
  throw lx.fail(`${fn}() takes ${need}, got ${got}`, at, 'type');
}

function call(lx: Lexer, q: QueryParser, name: string, at: number): Call {
  const fn = FUNCTION_TYPES.get(name);
  if (!fn) throw lx.fail(`${name}() is not a function: length, count, match, search and value are`, at, 'type');
  lx.enter();
  lx.pos++; // (
  lx.blank();
  const args: Arg[] = [];
  const operands: Array<{ o: Operand; span: [number, number] }> = [];
  while (!lx.eat(')')) {
    if (operands.length > 0 && !lx.eat(',')) throw lx.fail(`expected , or ) in ${name}()`);
    lx.blank();
    const argAt = lx.pos;
    const o = or(lx, q);
    operands.push({ o, span: [argAt, lx.pos] });
    lx.blank();
  }
  lx.leave();
  if (operands.length !== fn.params.length)
    throw lx.fail(`${name}() takes ${fn.params.length} argument(s), got ${operands.length}`, at, 'type');
  operands.forEach(({ o, span }, i) => args.push(toArg(lx, o, fn.params[i] as FnType, name, span)));
  const c: Call = { name, result: fn.result, args };
  const pattern = args[1]?.type === 'value' && args[1].of.kind === 'literal' ? args[1].of.value : undefined;
  if ((name === 'match' || name === 'search') && typeof pattern === 'string') {
    try {
      c.program = compileIRegexp(pattern);
    } catch (err) {
      if (!(err instanceof RegexFault)) throw err;
      const where = `${err.reason} at character ${err.at + 1} of ${JSON.stringify(pattern)}`;
      throw lx.fail(where, operands[1]?.span[0] ?? at, 'regex');
    }
  }
  return c;
}

function primary(lx: Lexer, q: QueryParser): Primary {
  const at = lx.pos;
  const c = lx.peek();
  const done = <T extends object>(p: T) => ({ ...p, at, end: lx.pos });
  if (c === '@' || c === '$') return done({ kind: 'query' as const, query: q(lx) });
  if (c === "'" || c === '"') return done({ kind: 'literal' as const, value: lx.string() });
  const n = lx.number();
  if (n !== undefined) return done({ kind: 'literal' as const, value: n });
  WORD.lastIndex = lx.pos;
  const word = WORD.exec(lx.text)?.[0];
  if (word !== undefined) {
    lx.pos += word.length;
    if (lx.peek() === '(') return done({ kind: 'call' as const, call: call(lx, q, word, at) });
    if (word === 'true' || word === 'false') return done({ kind: 'literal' as const, value: word === 'true' });
    if (word === 'null') return done({ kind: 'literal' as const, value: null });
    if (lx.blank() && lx.peek() === '(') throw lx.fail(`no blank space may come between ${word} and (`);
    throw lx.fail(`unknown word ${JSON.stringify(word)}`, at);
  }
  throw lx.fail('expected a query (@… or $…), a literal or a function call');
}

function paren(lx: Lexer, q: QueryParser): LogicalExpr {
  lx.pos++; // (
  lx.blank();
  const e = filterExpr(lx, q);
  lx.blank();
  if (!lx.eat(')')) throw lx.fail('expected )');
  return e;
}

function basic(lx: Lexer, q: QueryParser): Operand {
  if (lx.eat('!')) {
    lx.blank();
    const operand = lx.peek() === '(' ? paren(lx, q) : asTest(lx, { bare: primary(lx, q) });
    return { expr: { kind: 'not', operand } };
  }
  if (lx.peek() === '(') return { expr: paren(lx, q) };
  const left = primary(lx, q);
  const before = lx.pos;
  lx.blank();
  const op = OPS.find((o) => lx.eat(o));
  if (op === undefined) {
    lx.pos = before;
    return { bare: left };
  }
  lx.blank();
  const right = primary(lx, q);
  return { expr: { kind: 'compare', op, left: comparable(lx, left), right: comparable(lx, right) } };
}

// One level of `a && b` or `a || b`; a single operand is handed up as it is (it may be a function argument).
function chain(lx: Lexer, q: QueryParser, sep: '&&' | '||', next: (lx: Lexer, q: QueryParser) => Operand): Operand {
  const first = next(lx, q);
  const all = [first];
  for (;;) {
    const before = lx.pos;
    lx.blank();
    if (!lx.eat(sep)) {
      lx.pos = before;
      break;
    }
    lx.blank();
    all.push(next(lx, q));
  }
  if (all.length === 1) return first;
  return { expr: { kind: sep === '&&' ? 'and' : 'or', operands: all.map((o) => asTest(lx, o)) } };
}

const and = (lx: Lexer, q: QueryParser) => chain(lx, q, '&&', basic);
const or = (lx: Lexer, q: QueryParser) => chain(lx, q, '||', and);

/** A filter's logical expression, after `?` (RFC 9535 §2.3.5.1), its types checked (§2.4.3). */
export function filterExpr(lx: Lexer, q: QueryParser): LogicalExpr {
  lx.enter();
  const e = asTest(lx, or(lx, q));
  lx.leave();
  return e;
}
