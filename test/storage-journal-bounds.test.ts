import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileStorage } from '../src/storage/file.js';
import { faultyStorage } from '../src/storage/faulty.js';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const KiB = 1024;
const journalOf = (dir: string) => path.join(dir, 'db.journal.jsonl');
const snapshotOf = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'db.json'), 'utf8')) as { journalSeq: number; checks: object };
/** A registration of about 2 KB (its URL), version `v`. */
const big = (id: string, v: number) => ({ id, url: `http://127.0.0.1:1/${'x'.repeat(1900)}?v=${v}` });

describe('the journal is bounded by the live state it holds, not only by its count of ops', () => {
  it('1 MB of replaced registrations holding 2 KB of live state: the journal is compacted at 256 KB', async () => {
    const dir = tempDir('megaphone-journal-');
    t = await makeTestApp({}, path.join(dir, 'db.json'));
    // 550 replacements of one check, 10 at a time: over 1 MB through the journal in 550 ops (far below 10 000).
    let written = 0;
    for (let round = 0; round < 55; round++) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => t!.request.post('/checks').send(big('one', round * 10 + i))),
      );
      for (const r of replies) expect(r.status).toBeLessThan(300);
      written += replies.length * JSON.stringify(big('one', 0)).length;
    }
    expect(written).toBeGreaterThan(1000 * KiB);
    // Commits go on while a snapshot is written: the journal may pass the bound by what came meanwhile.
    expect(statSync(journalOf(dir)).size).toBeLessThan(256 * KiB + 64 * KiB);
    expect(statSync(path.join(dir, 'db.json')).size).toBeLessThan(4 * KiB);
    await t.close();
    t = await makeTestApp({}, path.join(dir, 'db.json'));
    expect((await t.request.get('/checks')).body).toEqual({ one: big('one', 549).url });
  });
});

describe('a full disk: a compaction is tried before answering 507', () => {
  it('ENOSPC on an append folds the journal into the snapshot; the write is tried again and acknowledged', async () => {
    const dir = tempDir('megaphone-journal-');
    const disk = faultyStorage(fileStorage(path.join(dir, 'db.json')));
    t = await makeTestApp({}, path.join(dir, 'db.json'), { deps: { storage: disk } });
    for (let i = 0; i < 20; i++)
      await t.request
        .post('/checks')
        .send(big(`c${i}`, 0))
        .expect(201);
    expect(statSync(journalOf(dir)).size).toBeGreaterThan(20 * 1900);
    disk.inject({ on: 'append', kind: 'ENOSPC' });
    const appends = disk.seen.append;
    await t.request.post('/checks').send(big('after', 0)).expect(201);
    expect(disk.seen.append - appends).toBe(2);
    // The snapshot holds the twenty; the journal only the write that was tried again.
    expect(snapshotOf(dir)).toMatchObject({ journalSeq: 20 });
    expect(Object.keys(snapshotOf(dir).checks)).toHaveLength(20);
    expect(readFileSync(journalOf(dir), 'utf8').trimEnd().split('\n')).toHaveLength(1);
    await t.close();
    t = await makeTestApp({}, path.join(dir, 'db.json'));
    expect(Object.keys((await t.request.get('/checks')).body)).toHaveLength(21);
  });

  it('still full after it: 507, never acknowledged, and no second compaction until the journal grows', async () => {
    const dir = tempDir('megaphone-journal-');
    const disk = faultyStorage(fileStorage(path.join(dir, 'db.json')));
    t = await makeTestApp({}, path.join(dir, 'db.json'), { deps: { storage: disk } });
    await t.request.post('/checks').send(big('kept', 0)).expect(201);
    disk.inject({ on: 'append', kind: 'ENOSPC', times: Infinity });
    const documents = disk.seen.document;
    for (let i = 0; i < 3; i++)
      await t.request
        .post('/checks')
        .send(big(`refused${i}`, 0))
        .expect(507);
    expect(disk.seen.document - documents).toBe(1);
    disk.heal();
    await t.close();
    t = await makeTestApp({}, path.join(dir, 'db.json'));
    expect(Object.keys((await t.request.get('/checks')).body)).toEqual(['kept']);
  });
});
