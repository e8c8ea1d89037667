import { describe, expect, it } from 'vitest';
import { dependencyProblem, MAX_DEPENDENCY_DEPTH, onCycles, type DependencyGraph } from '../src/checks/dependencies.js';

/** A graph from `id: deps` pairs, with its reverse index. */
function graphOf(links: Record<string, string[]>): DependencyGraph {
  const named = new Map<string, string[]>();
  for (const [id, deps] of Object.entries(links)) for (const d of deps) named.set(d, [...(named.get(d) ?? []), id]);
  return { depsOf: (id) => links[id] ?? [], dependentsOf: (id) => named.get(id) ?? [] };
}

// Does `to` reach `from` (a cycle through `from` once from → to is added)? Plain search, for comparison.
function reaches(links: Record<string, string[]>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [to];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (at === from) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...(links[at] ?? []));
  }
  return false;
}

describe('dependency walks', () => {
  it('name the cycle a change would close, even beside a cycle already there', () => {
    // q0 → z → p → q0 was loaded as it is; c → p closes c → p → q0 → c as well.
    const links = { q0: ['z', 'c'], z: ['p'], p: ['q0'], c: ['p'] };
    expect(dependencyProblem(['c'], graphOf(links))).toEqual({ kind: 'cycle', at: 'c', ids: ['c', 'p', 'q0', 'c'] });
    // A change that only reaches the old cycle is not refused for it.
    expect(dependencyProblem(['d'], graphOf({ ...links, c: [], d: ['q0'] }))).toBeUndefined();
    expect(onCycles(Object.keys(links), graphOf(links).depsOf).map((c) => c.sort())).toEqual([['c', 'p', 'q0', 'z']]);
  });

  it('agree with a plain search on 300 random graphs', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const n = 2 + Math.floor(random() * 12);
      const links: Record<string, string[]> = {};
      // Acyclic to begin with (links go to lower numbers), then one new link from x to y.
      for (let i = 0; i < n; i++) links[`n${i}`] = [...new Set([0, 1].map(() => `n${Math.floor(random() * i)}`))];
      for (let i = 0; i < n; i++) if (i === 0) links.n0 = [];
      const [x, y] = [`n${Math.floor(random() * n)}`, `n${Math.floor(random() * n)}`];
      const after = { ...links, [x]: [...new Set([...(links[x] ?? []), y])] };
      const problem = dependencyProblem([x], graphOf(after), Infinity);
      expect(problem !== undefined, `${x} → ${y} in ${JSON.stringify(links)}`).toBe(reaches(links, x, y));
      if (problem?.kind === 'cycle') {
        expect(problem.ids[0]).toBe(x);
        expect(problem.ids.at(-1)).toBe(x);
        problem.ids.slice(1).forEach((id, i) => expect(after[problem.ids[i]!]).toContain(id));
      }
    }
  });

  it('measure the longest chain through a change, up and down; a chain over the bound costs the bound', () => {
    const links: Record<string, string[]> = {};
    for (let i = 1; i <= 100_000; i++) links[`c${i}`] = [`c${i - 1}`];
    // Down from c50000: the walk stops 65 links on (not 50 000), naming what it walked.
    const problem = dependencyProblem(['c50000'], graphOf(links));
    expect(problem).toMatchObject({ kind: 'depth', at: 'c50000', max: MAX_DEPENDENCY_DEPTH, more: true });
    expect(problem?.ids).toEqual(Array.from({ length: 66 }, (_, i) => `c${50_000 - i}`));
    // Up to c0 from the top: likewise, named down to the check that was changed.
    const up = dependencyProblem(['c0'], graphOf(links));
    expect(up).toMatchObject({ kind: 'depth', at: 'c0', more: true });
    expect(up?.ids.at(-1)).toBe('c0');
    expect(up?.ids).toHaveLength(66);
    // Without a bound, the walk goes all the way, iteratively: 100 000 links, no stack overflow.
    const all = dependencyProblem(['c50000'], graphOf(links), 99_999);
    expect(all?.ids).toHaveLength(100_001);
    expect([all?.ids[0], all?.ids.at(-1)]).toEqual(['c100000', 'c0']);
    const short = { a: ['b'], b: ['c'], c: [] };
    expect(dependencyProblem(['b'], graphOf(short), 2)).toBeUndefined();
    expect(dependencyProblem(['b'], graphOf(short), 1)).toMatchObject({ kind: 'depth', ids: ['a', 'b', 'c'] });
  });
});
