import type { Call, Comparable, CompareOp, LogicalExpr, Query } from './jsonpath-ast.js';
import { applyFunction, HIGH_UNITS, textCost, type PatternCache } from './jsonpath-functions.js';
import { follow, walk, type Context } from './jsonpath-walk.js';
import type { Meter } from './work-meter.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// Deep equality of JSON values with an explicit stack (a body may nest 30 000 deep); each pair compared counts.
function equal(x: unknown, y: unknown, m: Meter): boolean {
  const stack: unknown[] = [x, y];
  while (stack.length > 0) {
    const b = stack.pop();
    const a = stack.pop();
    if (!m.spend(typeof a === 'string' ? textCost(a) : 1)) return false;
    if (a === b) continue;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) stack.push(a[i], b[i]);
    } else if (isObject(a) && isObject(b)) {
      const keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) return false;
      for (const k of keys) {
        if (!Object.hasOwn(b, k)) return false;
        stack.push(a[k], b[k]);
      }
    } else return false;
  }
  return true;
}

// Strings order by code point (RFC 9535 §2.3.5.2.2), not by UTF-16 unit: surrogates sort above U+E000–U+FFFF.
function codePointOrder(a: string, b: string): number {
  if (!HIGH_UNITS.test(a) || !HIGH_UNITS.test(b)) return a < b ? -1 : a === b ? 0 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

function less(a: unknown, b: unknown, m: Meter): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  m.spend(textCost(a.length < b.length ? a : b));
  return codePointOrder(a, b) < 0;
}

/** A comparison of two values, `undefined` being Nothing (RFC 9535 §2.3.5.2.2). */
export function compare(op: CompareOp, a: unknown, b: unknown, m: Meter): boolean {
  switch (op) {
    case '==':
      return equal(a, b, m);
    case '!=':
      return !equal(a, b, m);
    case '<':
      return less(a, b, m);
    case '>':
      return less(b, a, m);
    case '<=':
      return less(a, b, m) || equal(a, b, m);
    case '>=':
      return less(b, a, m) || equal(a, b, m);
  }
}

const startOf = (q: Query, node: unknown, ctx: Ctx) => (q.relative ? node : ctx.root);

// The node a singular query selects, or undefined (Nothing).
function single(q: Query, node: unknown, ctx: Ctx): unknown {
  ctx.meter.spend(q.segments.length);
  return follow(q.segments, startOf(q, node, ctx));
}

// The values of the nodes a query selects, at most `limit` of them.
function nodes(q: Query, node: unknown, ctx: Ctx, limit = Infinity): unknown[] {
  if (q.singular) {
    const v = single(q, node, ctx);
    return v === undefined ? [] : [v];
  }
  const out: unknown[] = [];
  walk(q.segments, startOf(q, node, ctx), ctx, (v) => out.push(v) < limit);
  return out;
}

function valueOf(c: Comparable, node: unknown, ctx: Ctx): unknown {
  if (c.kind === 'literal') return c.value;
  if (c.kind === 'query') return single(c.query, node, ctx);
  return call(c.call, node, ctx);
}

function call(c: Call, node: unknown, ctx: Ctx): unknown {
  const args = c.args.map((a) => {
    if (a.type === 'value') return valueOf(a.of, node, ctx);
    if (a.type === 'logical') return holds(a.expr, node, ctx);
    // value() needs to know only whether there is exactly one node.
    return nodes(a.query, node, ctx, c.name === 'value' ? 2 : Infinity);
  });
  return applyFunction(c, args, ctx.meter, ctx.patterns);
}

function holds(e: LogicalExpr, node: unknown, ctx: Ctx): boolean {
  if (!ctx.meter.spend()) return false;
  switch (e.kind) {
    case 'or':
      return e.operands.some((o) => holds(o, node, ctx));
    case 'and':
      return e.operands.every((o) => holds(o, node, ctx));
    case 'not':
      return !holds(e.operand, node, ctx);
    case 'exists':
      return e.query.singular ? single(e.query, node, ctx) !== undefined : nodes(e.query, node, ctx, 1).length > 0;
    case 'compare':
      return compare(e.op, valueOf(e.left, node, ctx), valueOf(e.right, node, ctx), ctx.meter);
    case 'test':
      return call(e.call, node, ctx) === true;
  }
}

/** The context of one evaluation: filters test nodes with it, nested queries and functions spend its meter. */
class Ctx implements Context {
  // Made on the first document pattern: most evaluations have none.
  private cache: PatternCache | undefined;
  constructor(
    readonly root: unknown,
    readonly meter: Meter,
  ) {}
  get patterns(): PatternCache {
    return (this.cache ??= {});
  }
  test(expr: LogicalExpr, node: unknown): boolean {
    return holds(expr, node, this);
  }
}

/** The context of one evaluation of a query on a document, its work counted on `meter`. */
export function filterContext(root: unknown, meter: Meter): Context {
  return new Ctx(root, meter);
}
