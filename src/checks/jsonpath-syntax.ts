import { badRequest, type MegaphoneError } from '../lib/errors.js';

/** One selector of a segment (RFC 9535 names, without filters). */
export type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number; step?: number };

/** `.x` / `[…]` (child) or `..x` / `..[…]` (descendant: the node and everything below it). */
export interface Segment {
  descendant: boolean;
  selectors: Selector[];
}

/** Keys that reach JavaScript's prototype machinery: refused in every spelling. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** Most selectors one bracket may list. */
export const MAX_UNION = 8;

// Dot names: what jsonpath-plus users write (`$.health-check.status`, `$.items.0`); other keys need brackets.
const DOT_NAME = /^[A-Za-z0-9_$\u0080-\uffff-]+/;
const INTEGER = /^-?(0|[1-9][0-9]*)/;
const ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '/': '/',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

const syntax = (text: string, why: string) =>
  badRequest(`\`url.jsonpath\` is not a valid JSONPath (${why}), got ${JSON.stringify(text)}`, 'E_JSONPATH');

class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  get rest(): string {
    return this.text.slice(this.pos);
  }
  peek(n = 1): string {
    return this.text.slice(this.pos, this.pos + n);
  }
  skipBlank(): void {
    while (/[ \t\n\r]/.test(this.text[this.pos] ?? '')) this.pos++;
  }
  fail(why: string): MegaphoneError {
    return syntax(this.text, `${why} at character ${this.pos + 1}`);
  }
}

function quoted(r: Reader): string {
  const quote = r.peek();
  r.pos++;
  let out = '';
  for (;;) {
    const c = r.text[r.pos];
    if (c === undefined) throw r.fail('unterminated string');
    r.pos++;
    if (c === quote) return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = r.text[r.pos++] ?? '';
    if (e === 'u') {
      const hex = r.text.slice(r.pos, r.pos + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw r.fail('bad \\u escape');
      out += String.fromCharCode(parseInt(hex, 16));
      r.pos += 4;
    } else if (Object.hasOwn(ESCAPES, e)) {
      out += ESCAPES[e];
    } else {
      throw r.fail(`bad escape \\${e}`);
    }
  }
}

function integer(r: Reader): number | undefined {
  const m = INTEGER.exec(r.rest);
  if (!m) return undefined;
  r.pos += m[0].length;
  const n = Number(m[0]);
  if (!Number.isSafeInteger(n) || m[0] === '-0') throw r.fail('integer out of range');
  return n;
}

function selector(r: Reader): Selector {
  const c = r.peek();
  if (c === "'" || c === '"') return { kind: 'name', name: quoted(r) };
  if (c === '*') {
    r.pos++;
    return { kind: 'wildcard' };
  }
  const start = integer(r);
  r.skipBlank();
  if (r.peek() !== ':') {
    if (start === undefined) throw r.fail('expected a quoted name, an index, * or a slice');
    return { kind: 'index', index: start };
  }
  const slice: Selector = { kind: 'slice', ...(start === undefined ? {} : { start }) };
  r.pos++;
  r.skipBlank();
  const end = integer(r);
  if (end !== undefined) slice.end = end;
  r.skipBlank();
  if (r.peek() === ':') {
    r.pos++;
    r.skipBlank();
    const step = integer(r);
    if (step !== undefined) slice.step = step;
  }
  return slice;
}

function bracket(r: Reader): Selector[] {
  r.pos++; // [
  const out: Selector[] = [];
  for (;;) {
    r.skipBlank();
    out.push(selector(r));
    r.skipBlank();
    const c = r.peek();
    r.pos++;
    if (c === ']') break;
    if (c !== ',') throw r.fail('expected , or ]');
  }
  return out;
}

function dotted(r: Reader): Selector[] {
  if (r.peek() === '*') {
    r.pos++;
    return [{ kind: 'wildcard' }];
  }
  const m = DOT_NAME.exec(r.rest);
  if (!m) throw r.fail('expected a name or * after the dot');
  r.pos += m[0].length;
  return [{ kind: 'name', name: m[0] }];
}

/**
 * Parses a JSONPath (`$` then `.name`, `.*`, `[…]`, `..name`, `..*`, `..[…]`; brackets hold quoted
 * names, indices, `*` and slices). Throws a 400 E_JSONPATH naming where it went wrong.
 */
export function parseJsonPath(text: string): Segment[] {
  const r = new Reader(text);
  if (r.peek() !== '$') throw r.fail('expected $');
  r.pos++;
  const segments: Segment[] = [];
  while (r.pos < text.length) {
    if (r.peek(2) === '..') {
      r.pos += 2;
      segments.push({ descendant: true, selectors: r.peek() === '[' ? bracket(r) : dotted(r) });
    } else if (r.peek() === '.') {
      r.pos++;
      segments.push({ descendant: false, selectors: dotted(r) });
    } else if (r.peek() === '[') {
      segments.push({ descendant: false, selectors: bracket(r) });
    } else {
      throw r.fail(`unexpected ${JSON.stringify(r.peek())}`);
    }
  }
  return segments;
}

/** A prototype key named anywhere in the path (after escapes are decoded), or undefined. */
export function forbiddenKey(segments: readonly Segment[]): string | undefined {
  for (const s of segments)
    for (const sel of s.selectors) if (sel.kind === 'name' && FORBIDDEN_KEYS.has(sel.name)) return sel.name;
  return undefined;
}

/**
 * Shapes whose work grows with the square of the body (or worse) are refused: recursive descent
 * visits every node, so a second `..`, or a wildcard or slice beside it, multiplies that by every node again.
 */
export function costRule(segments: readonly Segment[]): string | undefined {
  const wide = segments.find((s) => s.selectors.length > MAX_UNION);
  if (wide) return `a bracket may list at most ${MAX_UNION} selectors (this one lists ${wide.selectors.length})`;
  const descents = segments.filter((s) => s.descendant).length;
  if (descents === 0) return undefined;
  if (descents > 1) return `recursive descent \`..\` may appear at most once (here ${descents} times)`;
  const fanOut = segments.some((s) => s.selectors.some((sel) => sel.kind === 'wildcard' || sel.kind === 'slice'));
  if (fanOut) return 'recursive descent `..` may not be combined with a wildcard `*` or a slice `[a:b]`';
  return undefined;
}
