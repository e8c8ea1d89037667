import { describe, expect, it } from 'vitest';
import { LineBudget } from '../src/ops/line-budget.js';

describe('LineBudget (the transition log rate limit)', () => {
  it('allows N lines per key per window, counts the rest and reports them once the window is over', () => {
    let now = 0;
    const budget = new LineBudget<string>(2, 60_000, 100, () => now);
    expect([1, 2, 3, 4].map(() => budget.take('a').allowed)).toEqual([true, true, false, false]);
    expect(budget.take('b').allowed).toBe(true);
    now = 59_999;
    expect(budget.sweep()).toEqual([]);
    now = 60_000;
    // The next line after the window says first what the window held back.
    expect(budget.take('a')).toEqual({ allowed: true, previous: { key: 'a', dropped: 2 } });
    expect(budget.sweep()).toEqual([]);
  });

  it('a sweep ends the windows that are over (all of them at shutdown)', () => {
    let now = 0;
    const budget = new LineBudget<string | null>(1, 1000, 100, () => now);
    budget.take(null);
    budget.take(null);
    budget.take('x');
    budget.take('x');
    budget.take('x');
    expect(budget.sweep(true)).toEqual([
      { key: null, dropped: 1 },
      { key: 'x', dropped: 2 },
    ]);
    now = 5000;
    expect(budget.sweep()).toEqual([]);
  });

  it('tracks at most maxKeys keys: lines of further keys are held back and counted together', () => {
    const budget = new LineBudget<string>(5, 1000, 2, () => 0);
    expect(['a', 'b', 'c', 'd'].map((k) => budget.take(k).allowed)).toEqual([true, true, false, false]);
    expect(budget.sweep(true)).toEqual([{ key: undefined, dropped: 2 }]);
    expect(budget.take('c').allowed).toBe(true);
  });
});
