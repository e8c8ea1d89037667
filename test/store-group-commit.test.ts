import { describe, expect, it } from 'vitest';
import type { Adapter } from 'lowdb';
import { DurableStore } from '../src/registrations/group-commit.js';

interface Data {
  checks: Record<string, { id: string }>;
}

// An adapter that records each write and fails when told to.
function memoryAdapter(initial: Data | null) {
  const writes: string[] = [];
  let fail = false;
  const adapter: Adapter<Data> = {
    read: async () => initial,
    write: async (data) => {
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('disk full');
      writes.push(JSON.stringify(data));
    },
  };
  return { adapter, writes, failNext: (f: boolean) => (fail = f) };
}

const shallow = (d: Data): Data => ({ ...d, checks: { ...d.checks } });

describe('DurableStore group commit with a shallow draft', () => {
  it('writes updates queued during a write together and resolves each once written', async () => {
    const mem = memoryAdapter({ checks: {} });
    const store = await DurableStore.open<Data>(mem.adapter, { checks: {} }, shallow);
    const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => store.update((d) => void (d.checks[id] = { id }))));
    expect(Object.keys(store.data.checks).sort()).toEqual([...ids].sort());
    // The first update is written alone; the 49 queued behind it go in one write.
    expect(mem.writes.length).toBe(2);
    expect(Object.keys(JSON.parse(mem.writes[1] as string).checks)).toHaveLength(50);
  });

  it('a failed write rejects its whole batch and leaves the committed state untouched', async () => {
    const mem = memoryAdapter({ checks: { kept: { id: 'kept' } } });
    const store = await DurableStore.open<Data>(mem.adapter, { checks: {} }, shallow);
    const before = store.data;
    mem.failNext(true);
    const results = await Promise.allSettled([
      store.update((d) => void (d.checks.a = { id: 'a' })),
      store.update((d) => void delete d.checks.kept),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(store.data).toBe(before);
    expect(Object.keys(store.data.checks)).toEqual(['kept']);
    mem.failNext(false);
    await store.update((d) => void (d.checks.b = { id: 'b' }));
    expect(Object.keys(store.data.checks).sort()).toEqual(['b', 'kept']);
    // The failed batch's changes are not carried into the next write either.
    expect(Object.keys(JSON.parse(mem.writes.at(-1) as string).checks).sort()).toEqual(['b', 'kept']);
  });

  it('the committed state is what was written after every batch, a throwing update rejecting only itself', async () => {
    const mem = memoryAdapter({ checks: { old: { id: 'old' } } });
    const store = await DurableStore.open<Data>(mem.adapter, { checks: {} }, shallow);
    const results = await Promise.allSettled([
      store.update((d) => void (d.checks.a = { id: 'a' })),
      store.update((d) => void (d.checks.b = { id: 'b' })),
      store.update((d) => {
        d.checks.half = { id: 'half' };
        throw new Error('bad update');
      }),
      store.update((d) => void delete d.checks.old),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(store.data).toEqual(JSON.parse(mem.writes.at(-1) as string));
    await store.update((d) => void (d.checks.c = { id: 'c' }));
    expect(store.data).toEqual(JSON.parse(mem.writes.at(-1) as string));
    expect(Object.keys(store.data.checks).sort()).toEqual(['a', 'b', 'c', 'half']);
  });
});
