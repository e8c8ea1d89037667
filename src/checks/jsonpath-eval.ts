import type { Query, Selector } from './jsonpath-ast.js';
import { filterContext } from './jsonpath-filter.js';
import { child, follow, walk } from './jsonpath-walk.js';
import { Meter } from './work-meter.js';

/**
 * Most units of work (a node visited or queued, a filter test, a function call, 16 characters of
 * text read, a regex step) one evaluation may do: every node of a 64 KB body with one `..` fits
 * (~33 000 nodes, at most two units each), and it stays within a few ms.
 */
export const JSONPATH_BUDGET = 100_000;

/** The first node in document order, or why there is none. `steps` is the work done. */
export type Evaluation =
  { found: true; value: unknown; parent: unknown; steps: number } | { found: false; exhausted: boolean; steps: number };

/** Every node a query selects, in order, or as many as its budget allowed (`exhausted`). */
export interface NodeList {
  values: unknown[];
  /** Their Normalized Paths (RFC 9535 §2.7), `$['a'][0]`. */
  paths: string[];
  exhausted: boolean;
  steps: number;
}

/**
 * Evaluates a parsed query against a parsed JSON value and stops at the first node it selects
 * (the status). A singular query (`$.a.b[0]`) is a plain walk. Never throws.
 */
export function evaluateJsonPath(query: Query, root: unknown, budget = JSONPATH_BUDGET): Evaluation {
  const segs = query.segments;
  if (query.singular) {
    const last = segs[segs.length - 1];
    const parent = last ? follow(segs, root, segs.length - 1) : undefined;
    const value = last ? child(parent, last.selectors[0] as Selector) : root;
    return value === undefined
      ? { found: false, exhausted: false, steps: segs.length }
      : { found: true, value, parent, steps: segs.length };
  }
  const meter = new Meter(budget);
  let hit: { value: unknown; parent: unknown } | undefined;
  walk(segs, root, filterContext(root, meter), (value, parent) => {
    hit = { value, parent };
    return false;
  });
  if (hit) return { found: true, ...hit, steps: meter.steps };
  return { found: false, exhausted: meter.over, steps: Math.min(meter.steps, budget) };
}

/** Every node a query selects and its path, in RFC 9535 order (what the Compliance Test Suite compares). */
export function queryNodes(query: Query, root: unknown, budget = JSONPATH_BUDGET): NodeList {
  const meter = new Meter(budget);
  const values: unknown[] = [];
  const paths: string[] = [];
  const emit = (value: unknown, _parent: unknown, path?: string) => values.push(value) + paths.push(path as string) > 0;
  walk(query.segments, root, filterContext(root, meter), emit, true);
  return { values, paths, exhausted: meter.over, steps: Math.min(meter.steps, budget) };
}
