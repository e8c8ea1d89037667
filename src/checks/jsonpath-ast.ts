import type { Program } from './i-regexp-vm.js';

/** One selector of a segment (RFC 9535 §2.3). */
export type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; expr: LogicalExpr };

/** `.x` / `[…]` (child) or `..x` / `..[…]` (descendant: the node and everything below it). */
export interface Segment {
  descendant: boolean;
  selectors: Selector[];
  /** A child segment of one name or index, written `.x`, `[0]` or `['x']`: what a singular query is made of. */
  singular: boolean;
}

/** A query from the root (`$`) or, inside a filter, from the current node (`@`). */
export interface Query {
  relative: boolean;
  segments: Segment[];
  /** Only singular segments: it selects at most one node (RFC 9535 §2.3.5.1). */
  singular: boolean;
}

/** The three types of RFC 9535 §2.4.1, for function parameters and results. */
export type FnType = 'value' | 'logical' | 'nodes';

/** A JSON value, or `undefined` for RFC 9535's Nothing (a missing node). */
export type Value = unknown;

/** A call of one of the five standard functions, its arguments already checked against their types. */
export interface Call {
  name: string;
  result: FnType;
  args: Arg[];
  /** `match`/`search` with a literal pattern: compiled once, at registration. */
  program?: Program;
}

/** An argument, as its parameter's type reads it (no standard function returns nodes: a nodes argument is a query). */
export type Arg =
  { type: 'value'; of: Comparable } | { type: 'logical'; expr: LogicalExpr } | { type: 'nodes'; query: Query };

/** What a comparison compares: a literal, a singular query or a function returning a value. */
export type Comparable =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'query'; query: Query }
  | { kind: 'call'; call: Call };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A filter's logical expression (RFC 9535 §2.3.5.1). */
export type LogicalExpr =
  | { kind: 'or'; operands: LogicalExpr[] }
  | { kind: 'and'; operands: LogicalExpr[] }
  | { kind: 'not'; operand: LogicalExpr }
  | { kind: 'compare'; op: CompareOp; left: Comparable; right: Comparable }
  | { kind: 'exists'; query: Query }
  | { kind: 'test'; call: Call };

/** Every member name a query reads, in its filters' queries and function arguments too. */
export function* memberNames(q: Query): Generator<string> {
  for (const seg of q.segments)
    for (const sel of seg.selectors) {
      if (sel.kind === 'name') yield sel.name;
      else if (sel.kind === 'filter') yield* exprNames(sel.expr);
    }
}

function* exprNames(e: LogicalExpr): Generator<string> {
  if (e.kind === 'or' || e.kind === 'and') for (const o of e.operands) yield* exprNames(o);
  else if (e.kind === 'not') yield* exprNames(e.operand);
  else if (e.kind === 'exists') yield* memberNames(e.query);
  else if (e.kind === 'compare') yield* [...comparableNames(e.left), ...comparableNames(e.right)];
  else yield* callNames(e.call);
}

function* comparableNames(c: Comparable): Generator<string> {
  if (c.kind === 'query') yield* memberNames(c.query);
  else if (c.kind === 'call') yield* callNames(c.call);
}

function* callNames(c: Call): Generator<string> {
  for (const a of c.args) {
    if (a.type === 'value') yield* comparableNames(a.of);
    else if (a.type === 'logical') yield* exprNames(a.expr);
    else yield* memberNames(a.query);
  }
}
