import type { Query, Segment, Selector } from './jsonpath-ast.js';
import { filterExpr } from './jsonpath-filter-parser.js';
import { Lexer } from './jsonpath-lexer.js';

export { JsonPathError } from './jsonpath-lexer.js';

const SELECTOR_EXPECTED = 'expected a quoted name, an index, *, a slice or a filter ?…';

// A dot name RFC 9535 does not allow (`.0`, `.health-check`): the error says how to write it.
function dotNameFault(lx: Lexer, dot: number): never {
  lx.pos = dot + 1;
  if (lx.blank()) throw lx.fail('no blank space may follow `.`');
  const word = /^[\w$-]+/.exec(lx.text.slice(lx.pos))?.[0];
  if (word === undefined) throw lx.fail('expected a member name or * after `.`');
  const hint = /^[0-9]+$/.test(word) ? `[${word}] for an index or ` : '';
  throw lx.fail(`.${word} is not a member name: write ${hint}['${word}'] (RFC 9535)`, dot);
}

function selector(lx: Lexer): Selector {
  const c = lx.peek();
  if (c === "'" || c === '"') return { kind: 'name', name: lx.string() };
  if (c === '*') {
    lx.pos++;
    return { kind: 'wildcard' };
  }
  if (c === '?') {
    lx.pos++;
    lx.blank();
    return { kind: 'filter', expr: filterExpr(lx, query) };
  }
  const start = lx.int();
  const after = lx.pos;
  lx.blank();
  if (lx.peek() !== ':') {
    lx.pos = after;
    if (start === undefined) throw lx.fail(SELECTOR_EXPECTED);
    return { kind: 'index', index: start };
  }
  const slice: Selector = { kind: 'slice', ...(start === undefined ? {} : { start }) };
  lx.pos++;
  lx.blank();
  const end = lx.int();
  if (end !== undefined) {
    slice.end = end;
    lx.blank();
  }
  if (lx.eat(':')) {
    const beforeStep = lx.pos;
    lx.blank();
    const step = lx.int();
    if (step === undefined) lx.pos = beforeStep;
    else slice.step = step;
  }
  return slice;
}

// `[` S selector *(S "," S selector) S `]`; `tight` when no blank space stands inside (a singular segment needs it).
function bracket(lx: Lexer): { selectors: Selector[]; tight: boolean } {
  lx.pos++;
  let tight = !lx.blank();
  const selectors: Selector[] = [];
  for (;;) {
    selectors.push(selector(lx));
    if (lx.blank()) tight = false;
    if (lx.eat(']')) return { selectors, tight };
    if (!lx.eat(',')) throw lx.fail(lx.pos >= lx.text.length ? 'unterminated [' : 'expected , or ]');
    tight = false;
    lx.blank();
  }
}

function segment(lx: Lexer): Segment {
  if (lx.eat('..')) {
    if (lx.peek() === '[') return { descendant: true, selectors: bracket(lx).selectors, singular: false };
    if (lx.eat('*')) return { descendant: true, selectors: [{ kind: 'wildcard' }], singular: false };
    const name = lx.memberName();
    if (name === undefined) throw lx.fail('expected a member name, * or [ after `..`');
    return { descendant: true, selectors: [{ kind: 'name', name }], singular: false };
  }
  if (lx.peek() === '.') {
    const dot = lx.pos++;
    if (lx.eat('*')) return { descendant: false, selectors: [{ kind: 'wildcard' }], singular: false };
    const name = lx.memberName();
    if (name === undefined || lx.peek() === '-') dotNameFault(lx, dot);
    return { descendant: false, selectors: [{ kind: 'name', name }], singular: true };
  }
  const { selectors, tight } = bracket(lx);
  const only = selectors.length === 1 ? selectors[0] : undefined;
  return { descendant: false, selectors, singular: tight && (only?.kind === 'name' || only?.kind === 'index') };
}

/** `$` or `@` and its segments, blank space allowed before each segment; the lexer stops after the last one. */
export function query(lx: Lexer): Query {
  const relative = lx.peek() === '@';
  lx.pos++;
  const segments: Segment[] = [];
  for (;;) {
    const before = lx.pos;
    lx.blank();
    const c = lx.peek();
    if (c !== '.' && c !== '[') {
      lx.pos = before;
      break;
    }
    segments.push(segment(lx));
  }
  return { relative, segments, singular: segments.every((s) => s.singular) };
}

/**
 * Parses a JSONPath query as RFC 9535 defines it: every selector, filters with the five standard
 * functions, their types checked, I-Regexp patterns compiled. Throws a JsonPathError (400) naming the
 * rule and the character.
 */
export function parseJsonPath(text: string): Query {
  const lx = new Lexer(text);
  if (lx.peek() !== '$') {
    if (/^[ \t\n\r]+\$/.test(text)) throw lx.fail('no blank space may come before $');
    throw lx.fail('expected $');
  }
  const q = query(lx);
  if (lx.pos < text.length) {
    if (lx.blank() && lx.pos === text.length) throw lx.fail('no blank space may come after the query');
    throw lx.fail(`unexpected ${JSON.stringify(lx.peek())}`);
  }
  return q;
}
