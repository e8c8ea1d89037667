/** One node reached by a walk. */
export interface Reached {
  /** Longest chain of links down from it (0: a leaf). Links inside a cycle are not counted. */
  height: number;
  /** The next node along that longest chain, to name it. */
  via: string | undefined;
}

/** What one walk of a graph found: every node reached, and the cycles among them. */
export interface Walk {
  reached: Map<string, Reached>;
  /** Strongly connected components with a cycle (two nodes or more, or a node naming itself). */
  cycles: string[][];
  /** Set when a path longer than `maxLinks` was met: its ids, from a start (the walk stopped there). */
  deep?: string[];
}

interface Node extends Reached {
  order: number;
  low: number;
  onStack: boolean;
}

interface Frame {
  id: string;
  node: Node;
  next: readonly string[];
  at: number;
}

/**
 * Depth-first from `starts` along `next` (Tarjan's components, without recursion): O(nodes + links)
 * reached, each node and link visited once, the path kept as the explicit stack (never copied).
 * Stops as soon as the path is longer than `maxLinks` (a chain over a bound costs the bound, not the chain).
 */
export function walk(starts: Iterable<string>, next: (id: string) => readonly string[], maxLinks = Infinity): Walk {
  const nodes = new Map<string, Node>();
  const component: string[] = [];
  const frames: Frame[] = [];
  const cycles: string[][] = [];
  const open = (id: string) => {
    const node: Node = { order: nodes.size, low: nodes.size, onStack: true, height: 0, via: undefined };
    nodes.set(id, node);
    component.push(id);
    frames.push({ id, node, next: next(id), at: 0 });
  };
  // A node's chain through `child` if that is longer than the one it has.
  const extend = (node: Node, id: string, child: Node) => {
    if (child.height + 1 <= node.height) return;
    node.height = child.height + 1;
    node.via = id;
  };
  for (const start of starts) {
    if (nodes.has(start)) continue;
    open(start);
    while (frames.length > 0) {
      const f = frames[frames.length - 1] as Frame;
      if (f.at < f.next.length) {
        const id = f.next[f.at++] as string;
        const child = nodes.get(id);
        if (!child && frames.length > maxLinks)
          return { reached: nodes, cycles, deep: [...frames.map((s) => s.id), id] };
        if (!child) open(id);
        // On the component stack: the same cycle as f (or f itself), not a chain below it.
        else if (child.onStack) f.node.low = Math.min(f.node.low, child.order);
        else extend(f.node, id, child);
        continue;
      }
      frames.pop();
      const { node } = f;
      if (node.low === node.order) {
        // f is the root of a component: everything above it on the component stack belongs to it.
        const members = component.splice(component.lastIndexOf(f.id));
        for (const m of members) (nodes.get(m) as Node).onStack = false;
        if (members.length > 1 || f.next.includes(f.id)) cycles.push(members);
      }
      const parent = frames[frames.length - 1];
      if (!parent) continue;
      parent.node.low = Math.min(parent.node.low, node.low);
      if (!node.onStack) extend(parent.node, f.id, node);
    }
  }
  return { reached: nodes, cycles };
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
