import type { Call, FnType } from './jsonpath-ast.js';
import { compileIRegexp, runProgram, type Program } from './i-regexp-vm.js';
import type { Meter } from './work-meter.js';

/** A function's declared parameter and result types (RFC 9535 §2.4.1). */
export interface FunctionType {
  params: readonly FnType[];
  result: FnType;
}

/** The five standard functions of RFC 9535 §2.4.4–2.4.8; no other name is a function. */
export const FUNCTION_TYPES: ReadonlyMap<string, FunctionType> = new Map([
  ['length', { params: ['value'], result: 'value' }],
  ['count', { params: ['nodes'], result: 'value' }],
  ['match', { params: ['value', 'value'], result: 'logical' }],
  ['search', { params: ['value', 'value'], result: 'logical' }],
  ['value', { params: ['nodes'], result: 'value' }],
]);

/** Code units of text read as one unit of work (string comparisons, `length`, patterns). */
const TEXT_CHUNK = 16;

/** The work of reading a string. */
export const textCost = (s: string): number => 1 + Math.floor(s.length / TEXT_CHUNK);

/** Longest pattern taken from a document that `match`/`search` compile; a longer one matches nothing. */
export const MAX_DOCUMENT_PATTERN = 1024;

/** The last pattern a document gave (`match(@, $.regex)` asks for the same one on every node). */
export interface PatternCache {
  pattern?: string;
  program?: Program | null;
}

/** Whether a string has a code unit at or above U+D800 (a surrogate, or one UTF-16 orders unlike code points). */
export const HIGH_UNITS = /[\uD800-\uFFFF]/;

// Unicode scalar values, as RFC 9535 §2.4.4 counts them: a surrogate pair is one.
function codePoints(s: string): number {
  if (!HIGH_UNITS.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

function lengthOf(v: unknown, m: Meter): number | undefined {
  if (typeof v === 'string') {
    m.spend(textCost(v));
    return codePoints(v);
  }
  if (Array.isArray(v)) return v.length;
  if (v === null || typeof v !== 'object') return undefined;
  const n = Object.keys(v).length;
  m.spend(1 + Math.floor(n / TEXT_CHUNK));
  return n;
}

function documentPattern(pattern: string, m: Meter, cache: PatternCache): Program | null {
  if (cache.pattern === pattern && cache.program !== undefined) return cache.program;
  m.spend(textCost(pattern));
  let program: Program | null = null;
  if (pattern.length <= MAX_DOCUMENT_PATTERN) {
    try {
      program = compileIRegexp(pattern, m);
    } catch {
      // Not an I-Regexp (or too large once expanded): RFC 9535 §2.4.6 makes the result false.
    }
  }
  cache.pattern = pattern;
  cache.program = program;
  return program;
}

function matches(call: Call, subject: unknown, pattern: unknown, m: Meter, cache: PatternCache): boolean {
  if (typeof subject !== 'string' || typeof pattern !== 'string') return false;
  const program = call.program ?? documentPattern(pattern, m, cache);
  return program !== null && runProgram(program, subject, call.name === 'match', m);
}

/**
 * Applies a call to its evaluated arguments: a value argument is a JSON value or undefined
 * (Nothing), a nodes argument the array of the nodes' values. Never throws.
 */
export function applyFunction(call: Call, args: readonly unknown[], m: Meter, cache: PatternCache): unknown {
  m.spend();
  switch (call.name) {
    case 'length':
      return lengthOf(args[0], m);
    case 'count':
      return (args[0] as unknown[]).length;
    case 'value': {
      const nodes = args[0] as unknown[];
      return nodes.length === 1 ? nodes[0] : undefined;
    }
    case 'match':
    case 'search':
      return matches(call, args[0], args[1], m, cache);
  }
  return undefined;
}
