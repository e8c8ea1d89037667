import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../src/lib/errors.js';
import { faultyStorage } from '../src/storage/faulty.js';
import { fileStorage, logFileFor } from '../src/storage/file.js';
import { JournaledStore } from '../src/storage/journaled-store.js';
import { journalLine } from '../src/storage/journal-lines.js';
import { DOCUMENT_KEY, logKey, memoryStorage } from '../src/storage/memory.js';
import { tempDir } from './helpers/app.js';
import { gatedStorage } from './helpers/gated-storage.js';
import { del, ids, put, registrations, type RegOp } from './helpers/registrations-model.js';

const JOURNAL = logKey('journal');
const open = (storage: Parameters<typeof registrations>[0], extra: Parameters<typeof registrations>[1] = {}) =>
  JournaledStore.open(registrations(storage, extra));
const line = (seq: number, op: RegOp) => journalLine(seq, JSON.stringify(op));
const tick = () => new Promise((r) => setImmediate(r));

describe('JournaledStore: group commit', () => {
  it("sends ops queued during a write in one append, each resolving with apply's result", async () => {
    const faulty = faultyStorage(memoryStorage());
    const store = await open(faulty);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit(put(`c${i}`))));
    expect(results.every((r) => r === false)).toBe(true);
    // The first op goes alone; the 49 queued behind it share one append (one fdatasync).
    expect(faulty.seen.append).toBe(2);
    expect(await store.commit(put('c0'))).toBe(true);
    expect(ids(store.state)).toHaveLength(50);
  });

  it('applies an op only once its batch is durable', async () => {
    const gated = gatedStorage(memoryStorage());
    const store = await open(gated);
    gated.hold('append');
    const done = store.commit(put('a'));
    await tick();
    expect(gated.waiting('append')).toBe(1);
    expect(ids(store.state)).toEqual([]);
    gated.release('append');
    await done;
    expect(ids(store.state)).toEqual(['a']);
  });

  it('a commit appends only its own journal line and never rewrites the document, however big the state', async () => {
    const mem = memoryStorage();
    const checks = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`c${i}`, { id: `c${i}`, url: 'http://127.0.0.1:1/' }]),
    );
    mem.files.set(DOCUMENT_KEY, JSON.stringify({ version: 1, checks }));
    const gated = gatedStorage(mem);
    const store = await open(gated);
    await store.commit(put('new'));
    expect(gated.appended).toEqual([line(1, put('new'))]);
    expect(gated.documentWrites).toBe(0);
    expect(ids(store.state)).toHaveLength(5001);
  });

  it("never shares the caller's op with the state: the op applied is the one journaled", async () => {
    const store = await open(memoryStorage());
    const op = put('a');
    const done = store.commit(op);
    if (op.op === 'put') op.reg.url = 'http://changed.invalid/';
    await done;
    expect(store.state.checks.get('a')).toEqual({ id: 'a', url: 'http://127.0.0.1:1/a' });
    expect(store.state.checks.get('a')).not.toBe(op.op === 'put' ? op.reg : undefined);
  });

  it('an op apply refuses rejects alone, and replay refuses it the same way', async () => {
    const mem = memoryStorage();
    const store = await open(mem);
    const results = await Promise.allSettled([
      store.commit(put('a')),
      store.commit(del('nope')),
      store.commit(put('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(ids((await open(mem)).state)).toEqual(['a', 'b']);
  });

  it('an op parseOp refuses is rejected at once and never journaled', async () => {
    const mem = memoryStorage();
    const store = await open(mem);
    await expect(store.commit({ op: 'put', id: 'x' } as unknown as RegOp)).rejects.toThrow();
    await store.drain();
    expect(mem.files.get(JOURNAL) ?? '').toBe('');
  });

  it('refuses commits once closed', async () => {
    const store = await open(memoryStorage());
    await store.close();
    await expect(store.commit(put('late'))).rejects.toBeInstanceOf(StorageError);
  });
});

describe('JournaledStore: a failed batch changes nothing, in memory or on disk', () => {
  it.each([
    // A full disk: the batch is tried again after a compaction (which folds "a" into the snapshot), and fails again.
    ['ENOSPC', 507, 2, line(2, put('d'))],
    ['EIO', 503, 1, `${line(1, put('a'))}${line(2, put('d'))}`],
  ] as const)(
    '%s rejects every op of the batch with %i; the next batch is written alone',
    async (kind, status, times, after) => {
      const mem = memoryStorage();
      const faulty = faultyStorage(mem);
      const store = await open(faulty);
      // While "a" is being written, the burst queues behind it: one batch, one append, which fails.
      const first = store.commit(put('a'));
      faulty.inject({ on: 'append', kind, times });
      const burst = await Promise.allSettled([store.commit(put('b')), store.commit(del('a')), store.commit(put('c'))]);
      await first;
      expect(faulty.seen.append).toBe(1 + times);
      for (const r of burst)
        expect(r).toMatchObject({
          status: 'rejected',
          reason: { status, code: 'E_STORAGE', message: expect.stringContaining(kind) },
        });
      expect(ids(store.state)).toEqual(['a']);
      expect(ids((await open(mem)).state)).toEqual(['a']);
      await store.commit(put('d'));
      expect(mem.files.get(JOURNAL)).toBe(after);
      expect(ids((await open(mem)).state)).toEqual(['a', 'd']);
    },
  );

  it('with the disk full for good, every commit is refused until it heals', async () => {
    const mem = memoryStorage();
    const faulty = faultyStorage(mem);
    const store = await open(faulty);
    faulty.inject({ on: 'append', kind: 'ENOSPC', times: Infinity });
    for (let i = 0; i < 3; i++) await expect(store.commit(put(`full-${i}`))).rejects.toMatchObject({ status: 507 });
    faulty.heal();
    await store.commit(put('room'));
    expect(ids((await open(mem)).state)).toEqual(['room']);
  });

  it(
    'a refused burst is never written later by an unrelated commit, and never removes an ' +
      'acknowledged op (issue 12 point 3)',
    async () => {
      const mem = memoryStorage();
      const faulty = faultyStorage(mem);
      const store = await open(faulty, { compactAfter: 3 });
      await store.commit(put('acked'));
      // The first batch fails, and again after the compaction its ENOSPC brings; the second fails (nothing to free).
      faulty.inject({ on: 'append', kind: 'ENOSPC', times: 3 });
      const refused = await Promise.allSettled([
        store.commit(put('refused-1')),
        store.commit(del('acked')),
        store.commit(put('refused-2')),
      ]);
      expect(refused.every((r) => r.status === 'rejected')).toBe(true);
      expect(faulty.seen.append).toBe(4);
      expect(ids(store.state)).toEqual(['acked']);
      expect(ids((await open(mem)).state)).toEqual(['acked']);
      // Unrelated commits succeed, and compaction writes a snapshot from the committed state.
      for (const id of ['x', 'y', 'z', 'w']) await store.commit(put(id));
      await store.drain();
      expect(store.stats.compactions).toBeGreaterThan(0);
      const everything = `${mem.files.get(DOCUMENT_KEY)}${mem.files.get(JOURNAL)}`;
      expect(everything).not.toContain('refused');
      expect(ids((await open(mem)).state)).toEqual(['acked', 'w', 'x', 'y', 'z']);
    },
  );
});

describe('JournaledStore: start-up', () => {
  it('ignores a torn last line (a crash mid-append), drops it, and appends after the good lines', async () => {
    const mem = memoryStorage();
    mem.files.set(JOURNAL, `${line(1, put('a'))}${line(2, put('b'))}{"seq":3,"op":{"op":"pu`);
    const store = await open(mem);
    expect(ids(store.state)).toEqual(['a', 'b']);
    expect(mem.files.get(JOURNAL)).toBe(`${line(1, put('a'))}${line(2, put('b'))}`);
    await store.commit(put('c'));
    expect(ids((await open(mem)).state)).toEqual(['a', 'b', 'c']);
  });

  it('ignores an unparsable last line', async () => {
    const mem = memoryStorage();
    mem.files.set(JOURNAL, `${line(1, put('a'))}garbage\n`);
    expect(ids((await open(mem)).state)).toEqual(['a']);
  });

  it('skips journaled ops the snapshot already holds', async () => {
    const mem = memoryStorage();
    mem.files.set(DOCUMENT_KEY, JSON.stringify({ version: 1, checks: {}, journalSeq: 2 }));
    mem.files.set(JOURNAL, `${line(1, put('a'))}${line(2, put('b'))}${line(3, put('c'))}`);
    const store = await open(mem);
    expect(ids(store.state)).toEqual(['c']);
    await store.commit(put('d'));
    expect(mem.files.get(JOURNAL)).toContain(line(4, put('d')));
  });

  it('empties a journal that ends before the snapshot does, so the next op follows the snapshot', async () => {
    const mem = memoryStorage();
    mem.files.set(
      DOCUMENT_KEY,
      JSON.stringify({ version: 1, checks: { a: { id: 'a', url: 'http://127.0.0.1:1/a' } }, journalSeq: 5 }),
    );
    mem.files.set(JOURNAL, `${line(1, put('old-1'))}${line(2, put('old-2'))}`);
    const store = await open(mem);
    expect(ids(store.state)).toEqual(['a']);
    expect(mem.files.get(JOURNAL)).toBe('');
    await store.commit(put('b'));
    expect(mem.files.get(JOURNAL)).toBe(line(6, put('b')));
    expect(ids((await open(mem)).state)).toEqual(['a', 'b']);
  });

  const corrupt: [string, string, RegExp][] = [
    ['an unparsable line', `${line(1, put('a'))}garbage\n${line(2, put('b'))}`, /line 2 is corrupt/],
    [
      'a line that is not an op',
      `${line(1, put('a'))}{"seq":2,"op":{"op":"explode"}}\n${line(3, put('b'))}`,
      /line 2 is corrupt/,
    ],
    [
      'a repeated op',
      `${line(1, put('a'))}${line(1, put('b'))}${line(2, put('c'))}`,
      /line 2 holds op 1 where op 2 was due/,
    ],
    ['a gap', `${line(1, put('a'))}${line(3, put('b'))}${line(4, put('c'))}`, /line 2 holds op 3 where op 2 was due/],
    [
      'a first op after the snapshot ends',
      `${line(5, put('a'))}`,
      /line 1 starts at op 5 but the data file ends at op 0/,
    ],
  ];
  it.each(corrupt)(
    'refuses to start on %s, naming the file and line, and touches neither file',
    async (_name, journal, why) => {
      const dir = tempDir('megaphone-journal-');
      const dataFile = path.join(dir, 'megaphone.db.json');
      const document = JSON.stringify({ version: 1, checks: {} });
      writeFileSync(dataFile, document);
      writeFileSync(logFileFor(dataFile, 'journal'), journal);
      const err = (await open(fileStorage(dataFile)).catch((e: unknown) => e)) as StorageError;
      expect(err).toBeInstanceOf(StorageError);
      expect(err.message).toMatch(why);
      expect(err.message).toContain(`journal ${logFileFor(dataFile, 'journal')} line`);
      expect(readFileSync(dataFile, 'utf8')).toBe(document);
      expect(readFileSync(logFileFor(dataFile, 'journal'), 'utf8')).toBe(journal);
      expect(readdirSync(dir).sort()).toEqual(['megaphone.db.journal.jsonl', 'megaphone.db.json']);
    },
  );

  const invalid: [string, string, RegExp][] = [
    ['null', 'null', /holds JSON null/],
    ['a number', '3', /holds 3, not a document object/],
    ['a string', '"x"', /holds "x", not a document object/],
    ['an array', '[]', /holds \[\], not a document object/],
    ['an empty object', '{}', /not a valid document: unknown version undefined/],
    ['an unknown version', '{"version":99,"checks":{}}', /not a valid document: unknown version 99/],
    ['checks that are not registrations', '{"version":1,"checks":5}', /not a valid document: "checks"/],
    ['a bad journalSeq', '{"version":1,"checks":{},"journalSeq":-1}', /journalSeq -1/],
  ];
  it.each(invalid)('refuses a data file holding %s, naming it, and leaves it as it was', async (_name, text, why) => {
    const dir = tempDir('megaphone-journal-');
    const dataFile = path.join(dir, 'megaphone.db.json');
    writeFileSync(dataFile, text);
    const err = (await open(fileStorage(dataFile)).catch((e: unknown) => e)) as StorageError;
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toMatch(why);
    expect(err.message).toContain(`data file ${dataFile}`);
    expect(readFileSync(dataFile, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['megaphone.db.json']);
  });
});

describe('JournaledStore: compaction', () => {
  it(
    'once the journal holds more than compactAfter ops, a snapshot takes them and the journal ' + 'keeps the rest',
    async () => {
      const mem = memoryStorage();
      const store = await open(mem, { compactAfter: 10 });
      for (let i = 0; i < 25; i++) await store.commit(put(`c${i}`));
      await store.drain();
      expect(store.stats.compactions).toBeGreaterThanOrEqual(2);
      expect(store.journal.ops).toBeLessThanOrEqual(10);
      const doc = JSON.parse(mem.files.get(DOCUMENT_KEY) as string) as { journalSeq: number; checks: object };
      expect(Object.keys(doc.checks)).toHaveLength(doc.journalSeq);
      expect((mem.files.get(JOURNAL) as string).split('\n').filter(Boolean)).toHaveLength(25 - doc.journalSeq);
      expect(ids((await open(mem)).state)).toHaveLength(25);
    },
  );

  it('also once the journal holds more bytes than max(compactAfterBytes, compactRatio × the snapshot)', async () => {
    const mem = memoryStorage();
    const store = await open(mem, { compactAfterBytes: 400, compactRatio: 4 });
    // Three checks replaced over and over: a long journal, a small live state.
    for (let i = 0; i < 60; i++) await store.commit(put(`c${i % 3}`));
    await store.drain();
    const snapshot = Buffer.byteLength(mem.files.get(DOCUMENT_KEY) as string);
    expect(snapshot).toBeLessThan(400);
    expect(store.stats.compactions).toBeGreaterThanOrEqual(5);
    expect(store.journal.bytes).toBeLessThanOrEqual(400);
    expect(Buffer.byteLength(mem.files.get(JOURNAL) as string)).toBe(store.journal.bytes);
  });

  it('a big state is not rewritten at each floor: the journal grows to compactRatio × the snapshot first', async () => {
    const mem = memoryStorage();
    const snapshots: number[] = [];
    const store = await open(mem, { compactAfterBytes: 100, compactRatio: 4 });
    for (let i = 0; i < 60; i++) {
      await store.commit(put(`c${i}`));
      await store.drain();
      if (snapshots.length < store.stats.compactions)
        snapshots.push(Buffer.byteLength(mem.files.get(DOCUMENT_KEY) as string));
    }
    // Every id is new: each snapshot is bigger, and so is the journal that waits for the next (one per 100 bytes: 40).
    expect(store.stats.compactions).toBeGreaterThanOrEqual(2);
    expect(store.stats.compactions).toBeLessThanOrEqual(6);
    expect(store.journal.bytes).toBeLessThanOrEqual(4 * (snapshots.at(-1) as number) + 100);
    expect(ids((await open(mem)).state)).toHaveLength(60);
  });

  it('commits go on while a snapshot is being written', async () => {
    const mem = memoryStorage();
    const gated = gatedStorage(mem);
    const store = await open(gated, { compactAfter: 5 });
    gated.hold('document');
    for (let i = 0; i < 6; i++) await store.commit(put(`before-${i}`));
    await tick();
    expect(gated.waiting('document')).toBe(1);
    for (let i = 0; i < 20; i++) await store.commit(put(`during-${i}`));
    expect(gated.waiting('document')).toBe(1);
    gated.release('document');
    await store.drain();
    expect(store.stats.compactions).toBe(1);
    // The snapshot holds the first six; the journal keeps exactly the ops that came while it was written.
    expect(store.journal.ops).toBe(20);
    expect(Object.keys((JSON.parse(mem.files.get(DOCUMENT_KEY) as string) as { checks: object }).checks)).toHaveLength(
      6,
    );
    expect(ids((await open(mem)).state)).toHaveLength(26);
  });

  it.each(['document', 'replace'] as const)(
    'a failed %s write loses nothing: commits go on and a later compaction succeeds',
    async (on) => {
      const mem = memoryStorage();
      const faulty = faultyStorage(mem);
      const store = await open(faulty, { compactAfter: 4 });
      faulty.inject({ on, kind: 'ENOSPC' });
      for (let i = 0; i < 7; i++) await store.commit(put(`c${i}`));
      await store.drain();
      expect(store.stats).toMatchObject({ compactionErrors: 1, compactions: 0 });
      expect(ids((await open(mem)).state)).toHaveLength(7);
      for (let i = 7; i < 12; i++) await store.commit(put(`c${i}`));
      await store.drain();
      expect(store.stats.compactions).toBe(1);
      expect(ids((await open(mem)).state)).toHaveLength(12);
    },
  );

  it('close waits for queued commits, then leaves everything in the snapshot and an empty journal', async () => {
    const mem = memoryStorage();
    const store = await open(mem);
    const pending = Array.from({ length: 30 }, (_, i) => store.commit(put(`c${i}`)));
    await store.close();
    await Promise.all(pending);
    expect(mem.files.get(JOURNAL)).toBe('');
    expect(JSON.parse(mem.files.get(DOCUMENT_KEY) as string)).toMatchObject({ version: 1, journalSeq: 30 });
    expect(ids((await open(mem)).state)).toHaveLength(30);
  });
});
