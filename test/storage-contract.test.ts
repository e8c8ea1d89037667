import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../src/lib/errors.js';
import { faultyStorage } from '../src/storage/faulty.js';
import { fileStorage } from '../src/storage/file.js';
import { DOCUMENT_KEY, memoryStorage } from '../src/storage/memory.js';
import type { Storage } from '../src/storage/types.js';
import { tempDir } from './helpers/app.js';

interface Subject {
  storage: Storage;
  /** The same durable state seen by a new process. */
  restart(): Storage;
  /** Puts raw text where the document lives. */
  plantDocument(text: string): void;
}

// Every Storage implementation must pass the same table.
const implementations: { name: string; make(): Subject }[] = [
  {
    name: 'fileStorage',
    make() {
      const file = path.join(tempDir('megaphone-storage-'), 'megaphone.db.json');
      return {
        storage: fileStorage(file),
        restart: () => fileStorage(file),
        plantDocument: (t) => writeFileSync(file, t),
      };
    },
  },
  {
    name: 'memoryStorage',
    make() {
      const mem = memoryStorage();
      return { storage: mem, restart: () => mem, plantDocument: (t) => void mem.files.set(DOCUMENT_KEY, t) };
    },
  },
  {
    name: 'faultyStorage(memoryStorage) with no fault injected',
    make() {
      const mem = memoryStorage();
      return {
        storage: faultyStorage(mem),
        restart: () => faultyStorage(mem),
        plantDocument: (t) => void mem.files.set(DOCUMENT_KEY, t),
      };
    },
  },
  {
    name: 'faultyStorage(fileStorage) with no fault injected',
    make() {
      const file = path.join(tempDir('megaphone-storage-'), 'megaphone.db.json');
      return {
        storage: faultyStorage(fileStorage(file)),
        restart: () => faultyStorage(fileStorage(file)),
        plantDocument: (t) => writeFileSync(file, t),
      };
    },
  },
];

describe.each(implementations)('the Storage contract: $name', ({ make }) => {
  it('a document is null until written, then reads back the same after a restart', async () => {
    const s = make();
    expect(await s.storage.document.read()).toBeNull();
    await s.storage.document.write({ version: 1, checks: { a: { id: 'a' } } });
    await s.storage.document.write({ version: 1, checks: { b: { id: 'b' } } });
    expect(await s.restart().document.read()).toEqual({ version: 1, checks: { b: { id: 'b' } } });
  });

  it(
    'a document write takes its copy at once: changing the data after the call does not change ' + 'what is stored',
    async () => {
      const s = make();
      const data = { version: 1, checks: { a: 1 } as Record<string, number> };
      const written = s.storage.document.write(data);
      data.checks.b = 2;
      await written;
      expect(await s.restart().document.read()).toEqual({ version: 1, checks: { a: 1 } });
    },
  );

  it.each([
    ['empty', '', /is empty/],
    ['blank', ' \n', /is empty/],
    ['cut short', '{"version":1,"chec', /is corrupt/],
    ['JSON null', 'null', /JSON null/],
  ])('an %s document is refused with a StorageError naming where it lives', async (_name, text, why) => {
    const s = make();
    s.plantDocument(text);
    const err = await s.storage.document.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toMatch(why);
    expect((err as StorageError).message).toContain(s.storage.describe);
  });

  it('a value JSON cannot hold is refused and the stored document stays', async () => {
    const s = make();
    await s.storage.document.write({ kept: true });
    await expect(s.storage.document.write(undefined)).rejects.toBeInstanceOf(StorageError);
    expect(await s.restart().document.read()).toEqual({ kept: true });
  });

  it('a log reads empty until appended, keeps appends in call order, and survives a restart', async () => {
    const s = make();
    const log = s.storage.log('journal');
    expect(await log.read()).toBe('');
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(`${i}\n`)));
    await log.close();
    expect(await s.restart().log('journal').read()).toBe(Array.from({ length: 20 }, (_, i) => `${i}\n`).join(''));
  });

  it('replace swaps the whole log, and appends go on after it', async () => {
    const s = make();
    const log = s.storage.log('history');
    await log.append('old 1\nold 2\n');
    await log.replace('kept\n');
    await log.append('new\n');
    await log.close();
    expect(await s.restart().log('history').read()).toBe('kept\nnew\n');
  });

  it('logs of different names are separate, and the document is neither', async () => {
    const s = make();
    await s.storage.log('journal').append('j\n');
    await s.storage.log('history').append('h\n');
    await s.storage.document.write({ d: 1 });
    const again = s.restart();
    expect(await again.log('journal').read()).toBe('j\n');
    expect(await again.log('history').read()).toBe('h\n');
    expect(await again.document.read()).toEqual({ d: 1 });
  });

  it.each(['', '../escape', 'a/b', '.hidden'])('a log name %j that is not a plain word is refused', (name) => {
    expect(() => make().storage.log(name)).toThrow(StorageError);
  });

  it('checkWritable passes where state can be written, and describe says where that is', async () => {
    const s = make();
    await expect(s.storage.checkWritable()).resolves.toBeUndefined();
    expect(s.storage.describe).toMatch(/megaphone\.db\.json$|^memory$/);
    expect(s.storage.log('journal').describe).toMatch(/megaphone\.db\.journal\.jsonl$|^memory:journal$/);
  });
});
