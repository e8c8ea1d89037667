import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { fileStorage } from '../src/storage/file.js';
import { faultyStorage, type FaultyStorage } from '../src/storage/faulty.js';
import { loggedStorage } from '../src/storage/logged.js';
import { memoryStorage } from '../src/storage/memory.js';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';

interface Line {
  level: number;
  msg: string;
  file?: string;
  op?: string;
  errno?: string;
  suppressed?: number;
}

/** A pino logger that keeps its lines, parsed. */
function capture(): { logger: Logger; lines: Line[]; failures: () => Line[] } {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  return { logger, lines, failures: () => lines.filter((l) => /^storage .* failed$/.test(l.msg)) };
}

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** megaphone on a real data file behind the faulty storage, logging into `logger`. */
async function onFaultyDisk(logger: Logger): Promise<{ app: TestApp; disk: FaultyStorage; dir: string }> {
  const dir = tempDir('megaphone-logged-');
  const dataFile = path.join(dir, 'db.json');
  const disk = faultyStorage(fileStorage(dataFile));
  const app = await makeTestApp({}, dataFile, { deps: { storage: disk, logger } });
  t = app;
  return { app, disk, dir };
}

describe('every failed storage operation is logged with its file and errno, not only answered', () => {
  it('a journal append: the write answers 503 and an error line names the journal and EIO', async () => {
    const { logger, failures } = capture();
    const { app, disk, dir } = await onFaultyDisk(logger);
    disk.inject({ on: 'append', kind: 'EIO', log: 'journal' });
    expect((await app.request.post('/checks').send({ id: 'a', ttl: '1h' })).status).toBe(503);
    expect(failures()).toEqual([
      expect.objectContaining({ level: 50, op: 'append', file: path.join(dir, 'db.journal.jsonl'), errno: 'EIO' }),
    ]);
  });

  it('the data file removed under a running daemon: each 503 (ENOENT) is logged', async () => {
    const { logger, failures } = capture();
    const { app, dir } = await onFaultyDisk(logger);
    await app.request.post('/checks').send({ id: 'a', ttl: '1h' }).expect(201);
    rmSync(dir, { recursive: true, force: true });
    const res = await app.request.post('/checks').send({ id: 'b', ttl: '1h' });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/ENOENT/);
    expect(failures()).toEqual([
      expect.objectContaining({ level: 50, op: 'append', file: path.join(dir, 'db.journal.jsonl'), errno: 'ENOENT' }),
    ]);
  });

  it('a compaction (the snapshot written at close) and a history append', async () => {
    const { logger, failures } = capture();
    const { app, disk, dir } = await onFaultyDisk(logger);
    await app.request.post('/checks').send({ id: 'job', ttl: '1h' }).expect(201);
    await app.request.put('/checks/job/status').send({ status: 'Critical', message: 'down' }).expect(200);
    disk.inject({ on: 'document', kind: 'ENOSPC' });
    disk.inject({ on: 'append', kind: 'EIO', log: 'history' });
    await app.close();
    t = undefined;
    expect(failures()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 50, op: 'write', file: path.join(dir, 'db.json'), errno: 'ENOSPC' }),
        expect.objectContaining({ level: 50, op: 'append', file: path.join(dir, 'db.history.jsonl'), errno: 'EIO' }),
      ]),
    );
  });

  it('a failing disk cannot flood the log: 5 lines a minute per file and errno, then what was held back', async () => {
    const { logger, failures } = capture();
    let now = 1_000_000;
    const disk = faultyStorage(memoryStorage());
    const storage = loggedStorage(disk, logger, () => now);
    disk.inject({ on: 'append', kind: 'EIO', times: Infinity });
    const journal = storage.log('journal');
    for (let i = 0; i < 20; i++) await expect(journal.append('x\n')).rejects.toMatchObject({ status: 503 });
    expect(failures()).toHaveLength(5);
    now += 60_000;
    await expect(journal.append('x\n')).rejects.toMatchObject({ status: 503 });
    expect(failures()).toHaveLength(6);
    expect(failures().at(-1)).toMatchObject({ op: 'append', errno: 'EIO', suppressed: 15 });
  });
});
