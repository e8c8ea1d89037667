import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { faultyStorage, type Fault } from '../src/storage/faulty.js';
import { fileStorage } from '../src/storage/file.js';
import { JournaledStore } from '../src/storage/journaled-store.js';
import { memoryStorage } from '../src/storage/memory.js';
import type { Storage } from '../src/storage/types.js';
import { tempDir } from './helpers/app.js';
import { gatedStorage } from './helpers/gated-storage.js';
import { ids, put, registrations } from './helpers/registrations-model.js';

// Small enough that a burst compacts many times, so crashes land before, during and after snapshots.
const COMPACT_AFTER = 4;

/** A "disk" and a way to look at it from a new process. */
const disks: { name: string; make(): () => Storage }[] = [
  {
    name: 'memory',
    make() {
      const mem = memoryStorage();
      return () => mem;
    },
  },
  {
    name: 'file',
    make() {
      const dataFile = path.join(tempDir('megaphone-crash-'), 'megaphone.db.json');
      return () => fileStorage(dataFile);
    },
  },
];

const points = ['before', 'partial', 'after'] as const;
const crashes: Fault[] = [
  // The snapshot write: the first and a later one.
  ...[0, 2].flatMap((after) => points.map((at): Fault => ({ on: 'document', kind: 'crash', after, at }))),
  // Dropping the covered journal lines once the snapshot is durable.
  ...[0, 2].flatMap((after) => points.map((at): Fault => ({ on: 'replace', kind: 'crash', after, at }))),
  // Appends before, while and after a snapshot is written (a torn tail when `partial`).
  ...[1, 3, 4, 6, 9].flatMap((after) => points.map((at): Fault => ({ on: 'append', kind: 'crash', after, at }))),
];

describe.each(disks)('a crash at any step of a compaction loses nothing acknowledged ($name)', ({ make }) => {
  it.each(crashes)('crash at $on #$after ($at)', async (crash) => {
    const disk = make();
    const faulty = faultyStorage(disk());
    const store = await JournaledStore.open(registrations(faulty, { compactAfter: COMPACT_AFTER }));
    faulty.inject(crash);
    const acked: string[] = [];
    const attempted = new Set<string>();
    await Promise.all(
      [0, 1, 2].map(async (w) => {
        for (let i = 0; i < 60 && !faulty.crashed; i++) {
          const id = `w${w}-${i}`;
          attempted.add(id);
          try {
            await store.commit(put(id));
            acked.push(id);
          } catch {
            return;
          }
        }
      }),
    );
    // Let a snapshot in flight reach its crash.
    await store.drain();
    expect(faulty.crashed).toBe(true);

    const restarted = await JournaledStore.open(registrations(disk(), { compactAfter: COMPACT_AFTER }));
    const held = ids(restarted.state);
    expect(held).toEqual(expect.arrayContaining(acked));
    expect(held.filter((id) => !attempted.has(id))).toEqual([]);
    // The restarted store goes on as usual, and a second crash (no close) keeps that too.
    await restarted.commit(put('after-crash'));
    expect(ids((await JournaledStore.open(registrations(disk()))).state)).toEqual([...held, 'after-crash'].sort());
  });
});

describe('a crash while a snapshot is still being written', () => {
  it('finds every acknowledged op: the journal keeps its lines until the snapshot is durable', async () => {
    const mem = memoryStorage();
    const gated = gatedStorage(mem);
    const store = await JournaledStore.open(registrations(gated, { compactAfter: COMPACT_AFTER }));
    // The snapshot write never completes: the process dies while it is in flight.
    gated.hold('document');
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await store.commit(put(`c${i}`));
      acked.push(`c${i}`);
    }
    expect(gated.waiting('document')).toBe(1);
    expect(ids((await JournaledStore.open(registrations(mem))).state)).toEqual([...acked].sort());
  });
});
