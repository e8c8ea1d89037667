import type { LogicalExpr, Segment, Selector } from './jsonpath-ast.js';
import type { Meter } from './work-meter.js';

/** What a walk needs besides its segments: the document's root, the shared meter, how to test a filter. */
export interface Context {
  root: unknown;
  meter: Meter;
  /** Whether a filter's expression holds for a node. */
  test(expr: LogicalExpr, node: unknown): boolean;
}

/** Receives each node selected, the container holding it and (when asked for) its Normalized Path; false stops. */
export type Emit = (value: unknown, parent: unknown, path?: string) => boolean;

const NAME_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  "'": "\\'",
  '\\': '\\\\',
};

/** One segment of a Normalized Path (RFC 9535 §2.7): `[0]`, or `['name']` with its escapes. */
export function normalSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  const name = key.replace(
    /[\u0000-\u001f'\\]/g,
    (c) => NAME_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `['${name}']`;
}

type Container = unknown[] | Record<string, unknown>;

const isContainer = (v: unknown): v is Container => v !== null && typeof v === 'object';

/** The child a name or index selector picks (RFC 9535: names in objects, indices in arrays, own keys only). */
export function child(node: unknown, sel: Selector): unknown {
  if (sel.kind === 'index') {
    if (!Array.isArray(node)) return undefined;
    return node[sel.index < 0 ? node.length + sel.index : sel.index];
  }
  if (sel.kind !== 'name' || !isContainer(node) || Array.isArray(node) || !Object.hasOwn(node, sel.name))
    return undefined;
  return node[sel.name];
}

/** Follows the first `count` singular segments from `start`: the node reached, or undefined. */
export function follow(segments: readonly Segment[], start: unknown, count = segments.length): unknown {
  let node = start;
  for (let i = 0; i < count && node !== undefined; i++)
    node = child(node, (segments[i] as Segment).selectors[0] as Selector);
  return node;
}

// RFC 9535 §2.3.4.2 slice bounds, as the indices to visit, in visiting order.
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

// The walk's explicit stacks: parallel arrays (value, its parent, the next segment, its path when asked), no
// object per frame; `here` is the path of the node being expanded.
interface Frames {
  values: unknown[];
  parents: unknown[];
  next: number[];
  paths: string[] | undefined;
  here: string;
  ctx: Context;
}

function push(f: Frames, value: unknown, parent: unknown, seg: number, key: string | number): void {
  if (!f.ctx.meter.spend()) return;
  f.values.push(value);
  f.parents.push(parent);
  f.next.push(seg);
  f.paths?.push(f.here + normalSegment(key));
}

// Queues every value of a container, last first, so that they pop in document order.
function pushAll(f: Frames, node: Container, seg: number): void {
  const m = f.ctx.meter;
  if (Array.isArray(node)) for (let i = node.length - 1; i >= 0 && !m.over; i--) push(f, node[i], node, seg, i);
  else {
    const keys = Object.keys(node);
    for (let k = keys.length - 1; k >= 0 && !m.over; k--) {
      const key = keys[k] as string;
      push(f, node[key], node, seg, key);
    }
  }
}

function pushFiltered(f: Frames, expr: LogicalExpr, node: Container, seg: number): void {
  const m = f.ctx.meter;
  const kept: Array<string | number> = [];
  const keys = Array.isArray(node) ? undefined : Object.keys(node);
  const length = keys ? keys.length : (node as unknown[]).length;
  for (let i = 0; i < length; i++) {
    if (!m.spend()) return;
    const key = keys ? (keys[i] as string) : i;
    if (f.ctx.test(expr, (node as Record<string | number, unknown>)[key]) && !m.over) kept.push(key);
  }
  for (let k = kept.length - 1; k >= 0 && !m.over; k--) {
    const key = kept[k] as string | number;
    push(f, (node as Record<string | number, unknown>)[key], node, seg, key);
  }
}

function pushSelected(f: Frames, sel: Selector, node: Container, seg: number): void {
  if (sel.kind === 'wildcard') pushAll(f, node, seg);
  else if (sel.kind === 'filter') pushFiltered(f, sel.expr, node, seg);
  else if (sel.kind === 'slice') {
    if (!Array.isArray(node)) return;
    const idx = sliceIndices(sel, node.length);
    for (let k = idx.length - 1; k >= 0 && !f.ctx.meter.over; k--) {
      const i = idx[k] as number;
      push(f, node[i], node, seg, i);
    }
  } else {
    const v = child(node, sel);
    if (v === undefined) return;
    const key = sel.kind === 'name' ? sel.name : (sel as { index: number }).index;
    push(f, v, node, seg, typeof key === 'number' && key < 0 ? (node as unknown[]).length + key : key);
  }
}

/**
 * Walks `segments` from `start` depth first with explicit stacks (no recursion, however deep the
 * body), handing each selected node to `emit` in RFC 9535 order (with its Normalized Path when `paths`),
 * until emit says stop or the meter is spent (each node queued or visited, each filter test, counts). Never throws.
 */
export function walk(segments: readonly Segment[], start: unknown, ctx: Context, emit: Emit, paths = false): void {
  const m = ctx.meter;
  const f: Frames = {
    values: [start],
    parents: [undefined],
    next: [0],
    paths: paths ? ['$'] : undefined,
    here: '$',
    ctx,
  };
  while (f.values.length > 0) {
    if (!m.spend()) return;
    const value = f.values.pop();
    const parent = f.parents.pop();
    const i = f.next.pop() as number;
    if (f.paths) f.here = f.paths.pop() as string;
    if (i === segments.length) {
      if (!emit(value, parent, f.paths && f.here)) return;
      continue;
    }
    if (!isContainer(value)) continue;
    const seg = segments[i] as Segment;
    // Descendant: the same segment again on every child, visited after this node's own selections.
    if (seg.descendant) pushAll(f, value, i);
    for (let s = seg.selectors.length - 1; s >= 0 && !m.over; s--)
      pushSelected(f, seg.selectors[s] as Selector, value, i + 1);
  }
}
