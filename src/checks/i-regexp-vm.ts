import { CATEGORIES, parseIRegexp, RegexFault, type CharSet, type RxNode } from './i-regexp.js';
import type { Meter } from './work-meter.js';

export { RegexFault };

/** Most instructions a pattern may expand to (`a{1000}` is 1 000): a larger one is refused. */
export const MAX_PROGRAM = 4096;
// Most AST nodes compiled (`(){1000}` nested emits nothing but would loop for ever).
const MAX_COMPILE_WORK = 4 * MAX_PROGRAM;

const CHAR = 0;
const ANY = 1;
const SET = 2;
const SPLIT = 3;
const JMP = 4;
const BOL = 5;
const EOL = 6;
const MATCH = 7;

/**
 * A compiled I-Regexp: a Thompson NFA run as a Pike VM over code points, so matching takes
 * O(input × instructions) whatever the pattern (`(a*)*` included): no backtracking.
 */
export interface Program {
  size: number;
  op: Int32Array;
  /** CHAR: the code point; SET: the set's index; SPLIT/JMP: the first target. */
  a: Int32Array;
  /** SPLIT: the second target. */
  b: Int32Array;
  sets: CharSet[];
}

// One test per Unicode general category, on a single code point: nothing for V8 to backtrack in.
const CATEGORY_TESTS: ReadonlyMap<string, RegExp> = new Map(
  [...CATEGORIES].map((name) => [name, new RegExp(`^\\p{${name}}$`, 'u')]),
);

function inSet(set: CharSet, cp: number): boolean {
  let hit = false;
  for (let i = 0; i < set.ranges.length && !hit; i += 2)
    hit = cp >= (set.ranges[i] as number) && cp <= (set.ranges[i + 1] as number);
  for (let i = 0; i < set.categories.length && !hit; i++) {
    const c = set.categories[i] as { name: string; negated: boolean };
    hit = (CATEGORY_TESTS.get(c.name) as RegExp).test(String.fromCodePoint(cp)) !== c.negated;
  }
  return hit !== set.negated;
}

class Emitter {
  constructor(readonly meter?: Meter) {}
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  sets: CharSet[] = [];
  work = 0;

  emit(op: number, a = 0): number {
    this.meter?.spend();
    if (this.op.length >= MAX_PROGRAM) throw new RegexFault(`expands to more than ${MAX_PROGRAM} states`, 0);
    this.op.push(op);
    this.a.push(a);
    this.b.push(0);
    return this.op.length - 1;
  }

  // A SPLIT whose first branch is the next instruction; its second is patched by the caller.
  split(): number {
    return this.emit(SPLIT, this.op.length + 1);
  }

  node(n: RxNode): void {
    this.meter?.spend();
    if (++this.work > MAX_COMPILE_WORK) throw new RegexFault(`expands to more than ${MAX_PROGRAM} states`, 0);
    switch (n.t) {
      case 'char':
        this.emit(CHAR, n.cp);
        return;
      case 'any':
        this.emit(ANY);
        return;
      case 'set':
        this.emit(SET, this.sets.push(n.set) - 1);
        return;
      case 'bol':
        this.emit(BOL);
        return;
      case 'eol':
        this.emit(EOL);
        return;
      case 'cat':
        for (const item of n.items) this.node(item);
        return;
      case 'alt': {
        const ends: number[] = [];
        n.alts.forEach((alt, i) => {
          const last = i === n.alts.length - 1;
          const s = last ? -1 : this.split();
          this.node(alt);
          if (last) return;
          ends.push(this.emit(JMP));
          this.b[s] = this.op.length;
        });
        for (const j of ends) this.a[j] = this.op.length;
        return;
      }
      case 'rep': {
        for (let i = 0; i < n.min; i++) this.node(n.node);
        if (n.max === -1) {
          const s = this.split();
          this.node(n.node);
          this.emit(JMP, s);
          this.b[s] = this.op.length;
          return;
        }
        const outs: number[] = [];
        for (let i = n.min; i < n.max; i++) {
          outs.push(this.split());
          this.node(n.node);
        }
        for (const s of outs) this.b[s] = this.op.length;
      }
    }
  }
}

/**
 * Checks and compiles an I-Regexp (RFC 9485); throws a RegexFault naming what is outside it or too
 * large. With a meter, every node compiled and instruction emitted counts on it.
 */
export function compileIRegexp(pattern: string, meter?: Meter): Program {
  const e = new Emitter(meter);
  e.node(parseIRegexp(pattern));
  e.emit(MATCH);
  const size = e.op.length;
  return { size, op: Int32Array.from(e.op), a: Int32Array.from(e.a), b: Int32Array.from(e.b), sets: e.sets };
}

/**
 * Whether `input` matches `p` as a whole (`match()`) or somewhere (`search()`). Every thread step
 * and every state reached counts on the meter; past its budget the answer is false (the caller
 * sees the meter spent). Never throws.
 */
export function runProgram(p: Program, input: string, whole: boolean, m: Meter): boolean {
  // Positions are UTF-16 offsets (each also names its list's generation in `mark`); reads are by code point.
  const n = input.length;
  let list = new Int32Array(p.size);
  let nextList = new Int32Array(p.size);
  const mark = new Int32Array(p.size).fill(-1);
  const stack = new Int32Array(2 * p.size + 2);
  let visited = 0;

  // Adds pc and every state reachable from it without reading (the ε-closure) to `into`, once per position.
  const add = (into: Int32Array, count: number, pc0: number, pos: number): number => {
    let top = 0;
    stack[top++] = pc0;
    while (top > 0) {
      const pc = stack[--top] as number;
      if (mark[pc] === pos) continue;
      mark[pc] = pos;
      visited++;
      const op = p.op[pc];
      if (op === JMP) stack[top++] = p.a[pc] as number;
      else if (op === SPLIT) {
        stack[top++] = p.b[pc] as number;
        stack[top++] = p.a[pc] as number;
      } else if (op === BOL) {
        if (pos === 0) stack[top++] = pc + 1;
      } else if (op === EOL) {
        if (pos === n) stack[top++] = pc + 1;
      } else into[count++] = pc;
    }
    return count;
  };

  let count = add(list, 0, 0, 0);
  for (let pos = 0; ;) {
    if (!m.spend(count + visited + 1)) return false;
    visited = 0;
    let nextCount = 0;
    const cp = input.codePointAt(pos) as number;
    const after = pos + (cp > 0xffff ? 2 : 1);
    for (let i = 0; i < count; i++) {
      const pc = list[i] as number;
      const op = p.op[pc];
      if (op === MATCH) {
        if (!whole || pos === n) return true;
        continue;
      }
      if (pos === n) continue;
      const ok =
        op === CHAR
          ? cp === p.a[pc]
          : op === ANY
            ? cp !== 10 && cp !== 13
            : inSet(p.sets[p.a[pc] as number] as CharSet, cp);
      if (ok) nextCount = add(nextList, nextCount, pc + 1, after);
    }
    if (pos === n) return false;
    // search(): a match may start at any position.
    if (!whole) nextCount = add(nextList, nextCount, 0, after);
    // match() with no thread left has failed; search() may still start later (`$` at the end).
    if (nextCount === 0 && whole) return false;
    [list, nextList] = [nextList, list];
    count = nextCount;
    pos = after;
  }
}
