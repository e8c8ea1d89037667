import { MegaphoneError } from '../lib/errors.js';

/** What kind of rule a refused query breaks: its grammar, its types (RFC 9535 §2.4.3) or I-Regexp (RFC 9485). */
export type FaultKind = 'syntax' | 'type' | 'regex';

/** A query refused by the parser: a 400 naming the rule and the character where it breaks. */
export class JsonPathError extends MegaphoneError {
  constructor(
    readonly text: string,
    readonly reason: string,
    /** 0-based position in the query. */
    readonly at: number,
    readonly kind: FaultKind,
  ) {
    super(
      kind === 'regex'
        ? `\`url.jsonpath\` has a pattern that is not an I-Regexp (RFC 9485): ${reason}, got ${JSON.stringify(text)}`
        : `\`url.jsonpath\` is not a valid JSONPath (${reason} at character ${at + 1}), got ${JSON.stringify(text)}`,
      kind === 'regex' ? 'E_JSONPATH_REGEX' : 'E_JSONPATH',
    );
    this.name = 'JsonPathError';
  }
}

/** Most levels of nesting (parentheses, function calls, nested filters) one query may have. */
export const MAX_NESTING = 32;

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['/', '/'],
  ['\\', '\\'],
]);
const INT = /-?(?:0|[1-9][0-9]*)/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;
const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
// RFC 9535 name-first: ALPHA / "_" / %x80-D7FF / %xE000-10FFFF (name-char adds DIGIT).
const isNameFirst = (cp: number) =>
  (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f || (cp >= 0x80 && !isSurrogate(cp));
const isDigit = (cp: number) => cp >= 0x30 && cp <= 0x39;

/** Reads the tokens of RFC 9535's grammar from a query, one position at a time. */
export class Lexer {
  pos = 0;
  depth = 0;
  constructor(readonly text: string) {}

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
  eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }
  /** Skips blank space (space, tab, LF, CR); true when there was some. */
  blank(): boolean {
    const from = this.pos;
    while (isBlank(this.text[this.pos])) this.pos++;
    return this.pos > from;
  }
  /** A grammar error at `at` (default: here). */
  fail(why: string, at = this.pos, kind: FaultKind = 'syntax'): JsonPathError {
    return new JsonPathError(this.text, why, at, kind);
  }
  /** Enters one level of nesting; refuses past MAX_NESTING (the parser recurses). */
  enter(): void {
    if (++this.depth > MAX_NESTING) throw this.fail(`nested more than ${MAX_NESTING} levels deep`);
  }
  leave(): void {
    this.depth--;
  }

  /** A quoted string literal (RFC 9535 §2.3.1.1): escapes decoded, control characters and lone surrogates refused. */
  string(): string {
    const quote = this.text[this.pos];
    this.pos++;
    let out = '';
    for (;;) {
      const cp = this.text.codePointAt(this.pos);
      if (cp === undefined) throw this.fail('unterminated string');
      const c = String.fromCodePoint(cp);
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '\\') out += this.escape(quote as string);
      else if (cp < 0x20) throw this.fail(`control character U+${hex(cp)} must be escaped in a string`);
      else if (isSurrogate(cp)) throw this.fail(`lone surrogate U+${hex(cp)} in a string`);
      else {
        out += c;
        this.pos += c.length;
      }
    }
  }

  private escape(quote: string): string {
    const at = this.pos;
    this.pos++;
    const e = this.text[this.pos] ?? '';
    this.pos++;
    if (e === quote) return quote;
    const simple = ESCAPES.get(e);
    if (simple !== undefined) return simple;
    if (e !== 'u') throw this.fail(`bad escape \\${e} in a ${quote === '"' ? 'double' : 'single'}-quoted string`, at);
    const unit = this.hex4(at);
    if (unit >= 0xdc00 && unit <= 0xdfff) throw this.fail('a low surrogate escape must follow a high one', at);
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    const low = this.eat('\\u') ? this.hex4(at) : -1;
    if (low < 0xdc00 || low > 0xdfff) throw this.fail('a high surrogate escape must be followed by a low one', at);
    return String.fromCharCode(unit, low);
  }

  // The text a sticky regex matches here, read past; undefined when it does not match.
  private read(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text)?.[0];
    if (m !== undefined) this.pos += m.length;
    return m;
  }

  private hex4(at: number): number {
    const digits = this.read(HEX4);
    if (digits === undefined) throw this.fail('\\u must be followed by four hex digits', at);
    return parseInt(digits, 16);
  }

  /** An integer of the I-JSON range (index, slice bounds), or undefined when none starts here. */
  int(): number | undefined {
    const at = this.pos;
    const m = this.read(INT);
    if (m === undefined) return undefined;
    if (isDigit(this.text.charCodeAt(this.pos))) throw this.fail('an integer may not have a leading zero', at);
    if (m === '-0') throw this.fail('-0 is not an integer here', at);
    const n = Number(m);
    if (!Number.isSafeInteger(n)) throw this.fail(`integer ${m} is out of the range ±(2^53-1)`, at);
    return n;
  }

  /** A number literal (int or `-0`, optional fraction and exponent), or undefined when none starts here. */
  number(): number | undefined {
    const at = this.pos;
    const m = this.read(NUMBER);
    if (m === undefined) return undefined;
    if (/[0-9.eE]/.test(this.peek())) throw this.fail('malformed number', at);
    const n = Number(m);
    if (!Number.isFinite(n)) throw this.fail(`number ${m} is out of range`, at);
    return n;
  }

  /** A member-name-shorthand (`.name`), or undefined when none starts here. */
  memberName(): string | undefined {
    const from = this.pos;
    let cp = this.text.codePointAt(this.pos);
    if (cp === undefined || !isNameFirst(cp)) return undefined;
    while (cp !== undefined && (isNameFirst(cp) || isDigit(cp))) {
      this.pos += cp > 0xffff ? 2 : 1;
      cp = this.text.codePointAt(this.pos);
    }
    return this.text.slice(from, this.pos);
  }
}

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, '0');
