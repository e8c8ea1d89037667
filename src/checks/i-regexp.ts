/** A pattern outside I-Regexp (RFC 9485), and where (0-based, in the pattern). */
export class RegexFault extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(`${reason} at character ${at + 1}`);
    this.name = 'RegexFault';
  }
}

/** A set of code points: ranges (inclusive pairs) and Unicode general categories, maybe complemented. */
export interface CharSet {
  negated: boolean;
  ranges: number[];
  categories: Array<{ name: string; negated: boolean }>;
}

/** A parsed I-Regexp. `bol`/`eol` are `^` and `$`, anchors as in every regexp engine RFC 9485 §5 maps to. */
export type RxNode =
  | { t: 'char'; cp: number }
  | { t: 'any' }
  | { t: 'set'; set: CharSet }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'cat'; items: RxNode[] }
  | { t: 'alt'; alts: RxNode[] }
  | { t: 'rep'; node: RxNode; min: number; max: number };

/** Largest repetition count (`{n,m}`) accepted. */
export const MAX_REPEAT = 1000;
/** Most nested groups. */
const MAX_GROUPS = 64;

/** RFC 9485 §3 charProp: the Unicode general categories and their groups. */
export const CATEGORIES: ReadonlySet<string> = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po Z Zs Zl Zp S Sm Sc Sk So C Cc Cf Co Cn'.split(' '),
);
// SingleCharEsc: `\` and one of these.
const SINGLE_ESCAPES = new Map<string, number>([
  ...[...'()*+-.?[\\]^{|}'].map((c): [string, number] => [c, c.codePointAt(0) as number]),
  ['n', 10],
  ['r', 13],
  ['t', 9],
]);
// Not a NormalChar outside a class.
const SYNTAX = new Set([...'()*+.?[\\]{|}']);
const ANCHORS_AND_DOT = new Map<string, RxNode>([
  ['.', { t: 'any' }],
  ['^', { t: 'bol' }],
  ['$', { t: 'eol' }],
]);
const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

class RxParser {
  pos = 0;
  groups = 0;
  constructor(readonly src: string) {}

  fail(reason: string, at = this.pos): RegexFault {
    return new RegexFault(reason, at);
  }
  cp(): number | undefined {
    return this.src.codePointAt(this.pos);
  }
  next(): number {
    const cp = this.cp() as number;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  regexp(): RxNode {
    const alts = [this.branch()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      alts.push(this.branch());
    }
    return alts.length === 1 ? (alts[0] as RxNode) : { t: 'alt', alts };
  }

  branch(): RxNode {
    const items: RxNode[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? (items[0] as RxNode) : { t: 'cat', items };
  }

  quantified(node: RxNode): RxNode {
    const c = this.src[this.pos];
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      return { t: 'rep', node, min: c === '+' ? 1 : 0, max: c === '?' ? 1 : -1 };
    }
    if (c !== '{') return node;
    const at = this.pos;
    const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(this.src.slice(this.pos));
    if (!m) throw this.fail('expected {n}, {n,} or {n,m}');
    this.pos += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT) throw this.fail(`a repetition count above ${MAX_REPEAT}`, at);
    if (max !== -1 && max < min) throw this.fail(`{${min},${max}} repeats at most fewer times than at least`, at);
    return { t: 'rep', node, min, max };
  }

  atom(): RxNode {
    const at = this.pos;
    const c = this.src[this.pos] as string;
    if (c === '(') {
      if (++this.groups > MAX_GROUPS) throw this.fail(`more than ${MAX_GROUPS} groups`);
      this.pos++;
      const inner = this.regexp();
      if (this.src[this.pos] !== ')') throw this.fail('unclosed (', at);
      this.pos++;
      return inner;
    }
    const zeroOrOne = ANCHORS_AND_DOT.get(c);
    if (zeroOrOne) {
      this.pos++;
      return zeroOrOne;
    }
    if (c === '[') return { t: 'set', set: this.charClass() };
    if (c === '\\') return this.escape(false);
    if (c === '*' || c === '+' || c === '?' || c === '{') throw this.fail(`${c} has nothing to repeat`);
    if (SYNTAX.has(c)) throw this.fail(`${c} must be escaped`);
    const cp = this.next();
    if (isSurrogate(cp)) throw this.fail('a lone surrogate', at);
    return { t: 'char', cp };
  }

  // `\` + SingleCharEsc, or `\p{…}` / `\P{…}` (only these: no \d, \w, \s, back-references or \p{IsBlock}).
  escape(inClass: boolean): RxNode {
    const at = this.pos;
    const e = this.src[this.pos + 1] ?? '';
    const single = SINGLE_ESCAPES.get(e);
    if (single !== undefined) {
      this.pos += 2;
      return { t: 'char', cp: single };
    }
    if (e === 'p' || e === 'P') {
      const m = /^\{([A-Za-z]*)\}/.exec(this.src.slice(this.pos + 2));
      if (!m || !CATEGORIES.has(m[1] as string))
        throw this.fail(`\\${e}{…} takes a Unicode general category (L, Lu, Nd, …)`, at);
      this.pos += 2 + m[0].length;
      const set: CharSet = { negated: false, ranges: [], categories: [{ name: m[1] as string, negated: e === 'P' }] };
      return { t: 'set', set };
    }
    const where = inClass ? ' in a class' : '';
    throw this.fail(`\\${e} is not an I-Regexp escape${where} (\\n \\r \\t, \\ before a syntax character, \\p{…})`, at);
  }

  // A class member that may end a range: a character or a SingleCharEsc.
  classChar(): number {
    const at = this.pos;
    const c = this.src[this.pos];
    if (c === undefined) throw this.fail('unclosed [');
    if (c === '\\') {
      const node = this.escape(true);
      if (node.t !== 'char') throw this.fail('a \\p{…} class cannot bound a range', at);
      return node.cp;
    }
    if (c === '[' || c === ']' || c === '-') throw this.fail(`${c} must be escaped in a class`);
    const cp = this.next();
    if (isSurrogate(cp)) throw this.fail('a lone surrogate', at);
    return cp;
  }

  charClass(): CharSet {
    const open = this.pos++;
    const set: CharSet = { negated: false, ranges: [], categories: [] };
    if (this.src[this.pos] === '^') {
      this.pos++;
      set.negated = true;
    }
    for (let first = true; ; first = false) {
      const c = this.src[this.pos];
      if (c === undefined) throw this.fail('unclosed [', open);
      if (c === ']') {
        if (first) throw this.fail('an empty class');
        this.pos++;
        return set;
      }
      if (c === '-' && (first || this.src[this.pos + 1] === ']')) {
        this.pos++;
        set.ranges.push(0x2d, 0x2d);
        continue;
      }
      if (c === '\\' && /[pP]/.test(this.src[this.pos + 1] ?? '')) {
        const node = this.escape(true) as { set: CharSet };
        set.categories.push(...node.set.categories);
        continue;
      }
      const at = this.pos;
      const lo = this.classChar();
      let hi = lo;
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) throw this.fail('a range whose end comes before its start', at);
      }
      set.ranges.push(lo, hi);
    }
  }
}

/** Parses an I-Regexp (RFC 9485 §3); throws a RegexFault naming what is outside it and where. */
export function parseIRegexp(pattern: string): RxNode {
  const p = new RxParser(pattern);
  const node = p.regexp();
  if (p.pos < pattern.length) throw p.fail(') without (');
  return node;
}
