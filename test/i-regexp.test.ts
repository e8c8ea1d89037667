import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileIRegexp, MAX_PROGRAM, RegexFault, runProgram } from '../src/checks/i-regexp-vm.js';
import { Meter } from '../src/checks/work-meter.js';

const BIG = 10_000_000;
const run = (pattern: string, input: string, whole = true, budget = BIG) => {
  const m = new Meter(budget);
  return { hit: runProgram(compileIRegexp(pattern), input, whole, m), steps: m.steps, over: m.over };
};
const matches = (pattern: string, input: string) => run(pattern, input).hit;
const faultOf = (pattern: string): string | undefined => {
  try {
    compileIRegexp(pattern);
    return undefined;
  } catch (err) {
    return err instanceof RegexFault ? err.message : `not a RegexFault: ${String(err)}`;
  }
};

describe('what I-Regexp (RFC 9485) accepts, and how it matches', () => {
  it.each([
    ['a.c', 'abc', true],
    ['a.c', 'a\nc', false],
    ['a.c', 'a\rc', false],
    ['.', '\u2028', true],
    ['a.b', 'a\u{10101}b', true],
    ['[a-c]+', 'abcab', true],
    ['[^a-c]', 'd', true],
    ['[^a-c]', 'b', false],
    ['[-a]+', 'a-a', true],
    ['[a-]+', '-a', true],
    ['[.]', '.', true],
    ['[.]', 'x', false],
    ['\\p{Lu}', 'Ж', true],
    ['\\p{Lu}', 'ж', false],
    ['\\P{Lu}', 'ж', true],
    ['[\\p{Nd}x]+', '42x', true],
    ['\\p{L}', '\u{10400}', true],
    ['a\\.c', 'a.c', true],
    ['a\\.c', 'abc', false],
    ['\\(\\)\\*\\+\\?\\[\\]\\{\\}\\|\\^\\-\\\\', '()*+?[]{}|^-\\', true],
    ['\\n\\r\\t', '\n\r\t', true],
    ['(ab|cd){2}', 'abcd', true],
    ['(ab|cd){2}', 'ab', false],
    ['a{2,3}', 'aaaa', false],
    ['a{2,}', 'aaaaaa', true],
    ['a{0}', '', true],
    ['', '', true],
    ['x|', '', true],
    ['^ab.*', 'abc', true],
    ['.*bc$', 'abc', true],
    ['a$b', 'a$b', false],
    ['[$^]+', '$^', true],
    ['(a*)*b', 'aaab', true],
  ])('/%s/ on %j: %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });

  it('match() is anchored at both ends; search() finds the pattern anywhere', () => {
    expect(run('b+', 'abba').hit).toBe(false);
    expect(run('b+', 'abba', false).hit).toBe(true);
    expect(run('^b', 'abba', false).hit).toBe(false);
    expect(run('a$', 'abba', false).hit).toBe(true);
    expect(run('x', 'abba', false).hit).toBe(false);
  });

  it.each([
    ['\\d', /\\d is not an I-Regexp escape/],
    ['\\w+', /\\w is not an I-Regexp escape/],
    ['\\1', /\\1 is not/],
    ['[\\d]', /\\d is not an I-Regexp escape in a class/],
    ['a**', /\* has nothing to repeat/],
    ['a*?', /\? has nothing to repeat/],
    ['(?:a)', /\? has nothing to repeat/],
    ['(?=a)', /\? has nothing to repeat/],
    ['+a', /\+ has nothing to repeat/],
    ['a{2}{3}', /\{ has nothing to repeat/],
    ['a{3,1}', /at most fewer times than at least/],
    ['a{1001}', /repetition count above 1000/],
    ['a{1,x}', /expected \{n\}/],
    ['(a', /unclosed \(/],
    ['a)', /\) without \(/],
    ['[a', /unclosed \[/],
    ['[]', /empty class/],
    ['[^]', /empty class/],
    ['[z-a]', /end comes before its start/],
    ['[a-\\p{L}]', /cannot bound a range/],
    ['[a[b]', /\[ must be escaped in a class/],
    ['[a--]', /- must be escaped in a class/],
    ['a]', /\] must be escaped/],
    ['a}', /\} must be escaped/],
    ['\\p{IsBasicLatin}', /general category/],
    ['\\p{Xx}', /general category/],
    ['\\$', /\\\$ is not an I-Regexp escape/],
    ['(a{1000}){5}', new RegExp(`more than ${MAX_PROGRAM} states`)],
    ['((((a{1000}){1000}){1000}){1000})', /more than \d+ states/],
    ['(((((){1000}){1000}){1000}){1000})', /more than \d+ states/],
  ])('/%s/ is refused, naming why', (pattern, why) => {
    expect(faultOf(pattern)).toMatch(why);
  });
});

describe('matching takes linear time, counted on the meter', () => {
  it.each(['(a*)*b', '(a|a)*b', '(a|aa)*c', '(.*)*x', '(a?){30}a{30}'])(
    '/%s/ on a long string of a: work grows with the input, not exponentially',
    (pattern) => {
      const steps = (n: number) => run(pattern, 'a'.repeat(n)).steps;
      const [s1, s2, s4] = [steps(1000), steps(2000), steps(4000)];
      expect(s2 / s1).toBeLessThan(2.2);
      expect(s4 / s2).toBeLessThan(2.2);
      expect(run(pattern, 'a'.repeat(4000)).hit).toBe(false);
    },
  );

  it('stops when the meter is spent, and says no', () => {
    const r = run('(a|aa)*c', 'a'.repeat(50_000), true, 5000);
    expect(r).toMatchObject({ hit: false, over: true });
  });
});

// I-Regexp patterns from its grammar, over a small alphabet, to compare with the engine V8 ships.
const atom: fc.Arbitrary<string> = fc.letrec((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', 'A', '€', '😀', '.', '[ab]', '[^a]', '[a-z]', '\\p{Lu}', '\\P{L}', '\\.'),
    tie('group'),
  ),
  group: tie('regexp').map((r) => `(${r as string})`),
  // Anchors stand alone: V8 refuses a quantified assertion.
  piece: fc.oneof(
    fc
      .tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{2}', '{0,2}', '{1,}'))
      .map(([a, q]) => `${a as string}${q}`),
    fc.constantFrom('^', '$'),
  ),
  branch: fc.array(tie('piece'), { maxLength: 4 }).map((p) => (p as string[]).join('')),
  regexp: fc.array(tie('branch'), { minLength: 1, maxLength: 3 }).map((b) => (b as string[]).join('|')),
})).regexp;
const input = fc
  .array(fc.constantFrom('a', 'b', 'A', 'z', '€', '😀', '\n', '.'), { maxLength: 8 })
  .map((c) => c.join(''));

// RFC 9485 §5.4: the ECMAScript form (`.` is [^\n\r], the whole pattern anchored for match()).
const ecmaScript = (pattern: string, whole: boolean) => {
  let out = '';
  for (let i = 0, inClass = false; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') out += c + (pattern[++i] ?? '');
    else if (c === '.' && !inClass) out += '[^\\n\\r]';
    else {
      if (c === '[') inClass = true;
      if (c === ']') inClass = false;
      out += c;
    }
  }
  return new RegExp(whole ? `^(?:${out})$` : out, 'u');
};

describe('property: the matcher agrees with V8 on I-Regexp patterns', () => {
  it('match() and search() give what the ECMAScript mapping of RFC 9485 gives', () => {
    fc.assert(
      fc.property(atom, input, fc.boolean(), (pattern, text, whole) => {
        // A pattern expanding past MAX_PROGRAM states is refused (tested above), not compared.
        fc.pre(faultOf(pattern) === undefined);
        expect(run(pattern, text, whole).hit).toBe(ecmaScript(pattern, whole).test(text));
      }),
      { numRuns: 1000 },
    );
  });
});
