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

// A frame of the walk: one node (`pos` -1, `aux` its parent), or a range (`aux` a Range): the members of a container
// still to visit from `pos` on, those `filter` keeps. Read lazily: reaching the first node costs only what precedes it.
interface Range {
  /** The keys in visiting order; undefined: an array's indices. */
  keys: ReadonlyArray<string | number> | undefined;
  filter: LogicalExpr | undefined;
}

// The walk's explicit stacks, parallel arrays (no object per node). `paths`: a node's Normalized Path, or a range's
// container's, when asked for.
interface Frames {
  nodes: unknown[];
  next: number[];
  pos: number[];
  aux: unknown[];
  paths: string[] | undefined;
  ctx: Context;
}

const keysOf = (node: Container) => (Array.isArray(node) ? undefined : Object.keys(node));

function pushFrame(f: Frames, node: unknown, seg: number, pos: number, aux: unknown, path: string | undefined): void {
  if (!f.ctx.meter.spend()) return;
  f.nodes.push(node);
  f.next.push(seg);
  f.pos.push(pos);
  f.aux.push(aux);
  if (f.paths) f.paths.push(path as string);
}

function popFrame(f: Frames): void {
  f.nodes.pop();
  f.next.pop();
  f.pos.pop();
  f.aux.pop();
  f.paths?.pop();
}

function pushRange(f: Frames, node: Container, range: Range, seg: number, path: string | undefined): void {
  const length = range.keys ? range.keys.length : (node as unknown[]).length;
  if (length > 0) pushFrame(f, node, seg, 0, range, path);
}

function pushSelected(f: Frames, sel: Selector, node: Container, seg: number, path: string | undefined): void {
  if (sel.kind === 'wildcard' || sel.kind === 'filter') {
    pushRange(f, node, { keys: keysOf(node), filter: sel.kind === 'filter' ? sel.expr : undefined }, seg, path);
  } else if (sel.kind === 'slice') {
    if (Array.isArray(node)) pushRange(f, node, { keys: sliceIndices(sel, node.length), filter: undefined }, seg, path);
  } else {
    const v = child(node, sel);
    if (v === undefined) return;
    const key = sel.kind === 'name' ? sel.name : (sel as { index: number }).index;
    const at = typeof key === 'number' && key < 0 ? (node as unknown[]).length + key : key;
    pushFrame(f, v, seg, -1, node, f.paths && path + normalSegment(at));
  }
}

/**
 * Walks `segments` from `start` depth first with explicit stacks (no recursion, however deep the
 * body), handing each selected node to `emit` in RFC 9535 order (with its Normalized Path when `paths`),
 * until emit says stop or the meter is spent: each frame queued, each node visited and each node a
 * filter tests counts. Never throws.
 */
export function walk(segments: readonly Segment[], start: unknown, ctx: Context, emit: Emit, paths = false): void {
  const m = ctx.meter;
  const f: Frames = { nodes: [start], next: [0], pos: [-1], aux: [undefined], paths: paths ? ['$'] : undefined, ctx };
  while (f.nodes.length > 0) {
    if (!m.spend()) return;
    const top = f.nodes.length - 1;
    const i = f.next[top] as number;
    const p = f.pos[top] as number;
    let value: unknown;
    let parent: unknown;
    let path = f.paths?.[top];
    if (p < 0) {
      value = f.nodes[top];
      parent = f.aux[top];
      popFrame(f);
    } else {
      // The next member of the range that its filter keeps; the range stays below while members are left.
      const node = f.nodes[top] as Record<string | number, unknown>;
      const { keys, filter } = f.aux[top] as Range;
      const length = keys ? keys.length : (node as unknown as unknown[]).length;
      let q = p;
      let key: string | number = 0;
      let kept = false;
      while (q < length && !kept) {
        key = keys ? (keys[q] as string | number) : q;
        q++;
        value = node[key];
        kept = filter === undefined || (m.spend() && ctx.test(filter, value) && !m.over);
        if (m.over) return;
      }
      if (q < length) f.pos[top] = q;
      else popFrame(f);
      if (!kept) continue;
      parent = node;
      if (path !== undefined) path += normalSegment(key);
    }
    if (i === segments.length) {
      if (!emit(value, parent, path)) return;
      continue;
    }
    if (!isContainer(value)) continue;
    const seg = segments[i] as Segment;
    // Descendant: the same segment again on every child, visited after this node's own selections.
    if (seg.descendant) pushRange(f, value, { keys: keysOf(value), filter: undefined }, i, path);
    for (let s = seg.selectors.length - 1; s >= 0 && !m.over; s--)
      pushSelected(f, seg.selectors[s] as Selector, value, i + 1, path);
  }
}
