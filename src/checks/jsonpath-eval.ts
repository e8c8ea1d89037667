import type { Segment, Selector } from './jsonpath-syntax.js';

/**
 * Most units of work (a node visited or queued) one evaluation may do: every node of a 64 KB
 * body with one `..` fits (~33 000 nodes, two units each), and it stays within a few ms.
 */
export const JSONPATH_BUDGET = 100_000;

/** The first match in document order, or why there is none. `steps` is the work done. */
export type Evaluation =
  { found: true; value: unknown; parent: unknown; steps: number } | { found: false; exhausted: boolean; steps: number };

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

type Container = unknown[] | Record<string, unknown>;

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

// RFC 9535 slice bounds, as the indices to visit (already in visiting order).
function sliceIndices(sel: Extract<Selector, { kind: 'slice' }>, len: number): number[] {
  const step = sel.step ?? 1;
  const out: number[] = [];
  if (step === 0) return out;
  const norm = (i: number) => (i >= 0 ? i : len + i);
  if (step > 0) {
    const lower = Math.min(Math.max(norm(sel.start ?? 0), 0), len);
    const upper = Math.min(Math.max(norm(sel.end ?? len), 0), len);
    for (let i = lower; i < upper; i += step) out.push(i);
  } else {
    const upper = Math.min(Math.max(norm(sel.start ?? len - 1), -1), len - 1);
    const lower = Math.min(Math.max(norm(sel.end ?? -len - 1), -1), len - 1);
    for (let i = upper; lower < i; i += step) out.push(i);
  }
  return out;
}

/**
 * Evaluates parsed segments against a parsed JSON value, depth first with an explicit stack (no
 * recursion, however deep the body), stopping at the first match or after `budget` units of work.
 * Only own properties are read. Never throws.
 */
export function evaluateJsonPath(segments: readonly Segment[], root: unknown, budget = JSONPATH_BUDGET): Evaluation {
  // Three parallel stacks (value, its parent, the next segment): no object per frame.
  const values: unknown[] = [root];
  const parents: unknown[] = [undefined];
  const next: number[] = [0];
  let steps = 0;
  let over = false;
  const push = (value: unknown, parent: unknown, seg: number) => {
    if (++steps > budget) {
      over = true;
      return;
    }
    values.push(value);
    parents.push(parent);
    next.push(seg);
  };

  // Pushes what `sel` selects in `node`, last first, so the stack pops them in document order.
  const pushSelected = (sel: Selector, node: Container, seg: number) => {
    if (Array.isArray(node)) {
      if (sel.kind === 'wildcard') for (let i = node.length - 1; i >= 0 && !over; i--) push(node[i], node, seg);
      else if (sel.kind === 'slice') {
        const idx = sliceIndices(sel, node.length);
        for (let k = idx.length - 1; k >= 0 && !over; k--) push(node[idx[k] as number], node, seg);
      } else {
        const i =
          sel.kind === 'index'
            ? sel.index < 0
              ? node.length + sel.index
              : sel.index
            : ARRAY_INDEX.test(sel.name)
              ? Number(sel.name)
              : -1;
        if (i >= 0 && i < node.length) push(node[i], node, seg);
      }
      return;
    }
    if (sel.kind === 'wildcard') {
      const keys = Object.keys(node);
      for (let k = keys.length - 1; k >= 0 && !over; k--) push(node[keys[k] as string], node, seg);
    } else if (sel.kind === 'name' || (sel.kind === 'index' && sel.index >= 0)) {
      const key = sel.kind === 'name' ? sel.name : String(sel.index);
      if (Object.hasOwn(node, key)) push(node[key], node, seg);
    }
  };

  while (values.length > 0) {
    if (over || ++steps > budget) return { found: false, exhausted: true, steps: Math.min(steps, budget) };
    const value = values.pop();
    const parent = parents.pop();
    const i = next.pop() as number;
    if (i === segments.length) return { found: true, value, parent, steps };
    if (!isContainer(value)) continue;
    const seg = segments[i] as Segment;
    // Descendant: the same segment again on every child, visited after this node's own matches.
    if (seg.descendant) {
      if (Array.isArray(value)) {
        for (let c = value.length - 1; c >= 0 && !over; c--) push(value[c], value, i);
      } else {
        const keys = Object.keys(value);
        for (let k = keys.length - 1; k >= 0 && !over; k--) push(value[keys[k] as string], value, i);
      }
    }
    for (let s = seg.selectors.length - 1; s >= 0 && !over; s--)
      pushSelected(seg.selectors[s] as Selector, value, i + 1);
  }
  return { found: false, exhausted: over, steps: Math.min(steps, budget) };
}
