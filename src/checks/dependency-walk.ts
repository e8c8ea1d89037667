/** What one walk of a graph found: every node reached, its longest chain, and the cycles among them. */
export interface Walk {
  /** Longest chain of links down from each node reached (0: a leaf). Edges inside a cycle are not counted. */
  height: Map<string, number>;
  /** The next node along that longest chain, to name it. */
  via: Map<string, string>;
  /** Strongly connected components with a cycle (two nodes or more, or a node naming itself). */
  cycles: string[][];
}

interface Frame {
  id: string;
  next: readonly string[];
  at: number;
  height: number;
  via: string | undefined;
}

/**
 * Depth-first from `starts` along `next` (Tarjan's components, without recursion): O(nodes + edges)
 * reached, each node and edge visited once, the path kept as the explicit stack (never copied).
 */
export function walk(starts: Iterable<string>, next: (id: string) => readonly string[]): Walk {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const component: string[] = [];
  const frames: Frame[] = [];
  const selfLoops = new Set<string>();
  const out: Walk = { height: new Map(), via: new Map(), cycles: [] };
  const open = (id: string) => {
    order.set(id, order.size);
    low.set(id, order.size - 1);
    onStack.add(id);
    component.push(id);
    frames.push({ id, next: next(id), at: 0, height: 0, via: undefined });
  };
  // A node's chain through `child` if that is longer than the one it has.
  const extend = (f: Frame, child: string) => {
    const h = out.height.get(child);
    if (h !== undefined && h + 1 > f.height) {
      f.height = h + 1;
      f.via = child;
    }
  };
  for (const start of starts) {
    if (order.has(start)) continue;
    open(start);
    while (frames.length > 0) {
      const f = frames[frames.length - 1] as Frame;
      if (f.at < f.next.length) {
        const child = f.next[f.at++] as string;
        if (child === f.id) selfLoops.add(child);
        if (!order.has(child)) open(child);
        else if (onStack.has(child)) low.set(f.id, Math.min(low.get(f.id)!, order.get(child)!));
        else extend(f, child);
        continue;
      }
      frames.pop();
      out.height.set(f.id, f.height);
      if (f.via !== undefined) out.via.set(f.id, f.via);
      const parent = frames[frames.length - 1];
      if (low.get(f.id) === order.get(f.id)) {
        // f is the root of a component: everything above it on the component stack belongs to it.
        const at = component.lastIndexOf(f.id);
        const members = component.splice(at);
        for (const m of members) onStack.delete(m);
        if (members.length > 1 || selfLoops.has(f.id)) out.cycles.push(members);
      }
      if (parent) {
        low.set(parent.id, Math.min(low.get(parent.id)!, low.get(f.id)!));
        // A child still on the component stack is in the parent's own cycle: not a chain below it.
        if (!onStack.has(f.id)) extend(parent, f.id);
      }
    }
  }
  return out;
}

/** A cycle through `from` inside one component, as the ids along it (`[a, b, a]`): breadth-first, parent pointers. */
export function cycleThrough(
  from: string,
  members: ReadonlySet<string>,
  next: (id: string) => readonly string[],
): string[] {
  const parent = new Map<string, string>();
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i] as string;
    for (const child of next(at)) {
      if (!members.has(child)) continue;
      if (child === from) {
        const back: string[] = [];
        for (let p = at; p !== from; p = parent.get(p) as string) back.push(p);
        return [from, ...back.reverse(), from];
      }
      if (!parent.has(child)) {
        parent.set(child, at);
        queue.push(child);
      }
    }
  }
  return [from, from];
}
