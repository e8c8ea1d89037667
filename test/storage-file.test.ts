import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../src/lib/errors.js';
import { fileStorage, logFileFor } from '../src/storage/file.js';
import { JournaledStore } from '../src/storage/journaled-store.js';
import { tempDir } from './helpers/app.js';
import { registrations } from './helpers/registrations-model.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('fileStorage: where things live', () => {
  it.each([
    ['/var/lib/megaphone/megaphone.db.json', 'history', '/var/lib/megaphone/megaphone.db.history.jsonl'],
    ['/var/lib/megaphone/megaphone.db.json', 'journal', '/var/lib/megaphone/megaphone.db.journal.jsonl'],
    ['/data/state', 'journal', '/data/state.journal.jsonl'],
  ])('%s + log %j is %s', (dataFile, name, file) => {
    expect(logFileFor(dataFile, name)).toBe(file);
  });

  it('creates the document and its logs beside each other, readable by the owner only', async () => {
    const dir = tempDir('megaphone-storage-');
    const storage = fileStorage(path.join(dir, 'megaphone.db.json'));
    await storage.document.write({ version: 1 });
    await storage.log('history').append('{}\n');
    await storage.log('history').close();
    expect(readdirSync(dir).sort()).toEqual(['megaphone.db.history.jsonl', 'megaphone.db.json']);
    for (const f of readdirSync(dir)) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
  });
});

describe('fileStorage.checkWritable (start-up stops when the data file cannot be written)', () => {
  it('names the path and the cause when the folder is missing', async () => {
    const dataFile = path.join(tempDir('megaphone-storage-'), 'no-such-folder', 'megaphone.db.json');
    const err = (await fileStorage(dataFile)
      .checkWritable()
      .catch((e: unknown) => e)) as StorageError;
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toBe(
      `data file ${dataFile} cannot be written: its folder ${path.dirname(dataFile)} does not exist (ENOENT)`,
    );
  });

  // Tests may run as root, where permission bits stop nothing: a path under a regular file stops everyone.
  it('names the path and the cause when the "folder" is a regular file', async () => {
    const dir = tempDir('megaphone-storage-');
    writeFileSync(path.join(dir, 'plain-file'), 'x');
    const dataFile = path.join(dir, 'plain-file', 'megaphone.db.json');
    await expect(fileStorage(dataFile).checkWritable()).rejects.toThrow(
      `its folder ${path.join(dir, 'plain-file')} is not a folder (ENOTDIR)`,
    );
  });

  it('a journaled store does not open there, and creates nothing', async () => {
    const dir = tempDir('megaphone-storage-');
    const dataFile = path.join(dir, 'missing', 'megaphone.db.json');
    await expect(JournaledStore.open(registrations(fileStorage(dataFile)))).rejects.toThrow(
      /cannot be written: its folder .*missing does not exist \(ENOENT\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves no probe file behind when the folder is fine', async () => {
    const dir = tempDir('megaphone-storage-');
    await fileStorage(path.join(dir, 'megaphone.db.json')).checkWritable();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('fileStorage when a write is cut short (a real 4 KB file-size limit: EFBIG after a partial write)', () => {
  it('cuts a failed append back off, removes the temp file of a failed atomic write, and goes on', () => {
    const dir = tempDir('megaphone-storage-');
    const out = execFileSync(
      'bash',
      [
        '-c',
        'ulimit -f 4 && exec "$@"',
        'bash',
        process.execPath,
        '--import',
        'tsx',
        path.join(fixtures, 'storage-size-limit.ts'),
        dir,
      ],
      {
        env: { ...process.env, TSX_DISABLE_CACHE: '1' },
        encoding: 'utf8',
      },
    );
    const steps = JSON.parse(out) as Record<string, unknown>;
    expect(steps.first).toBe('ok');
    expect(steps.tooBig).toEqual({
      status: 503,
      message: `cannot append to ${path.join(dir, 'db.journal.jsonl')}: EFBIG`,
    });
    expect(steps.after).toBe('ok');
    expect(steps.documentTooBig).toEqual({
      status: 503,
      message: `cannot write data file ${path.join(dir, 'db.json')}: EFBIG`,
    });
    expect(steps.documentSmall).toBe('ok');
    expect(steps.replaceTooBig).toMatchObject({ status: 503, message: expect.stringContaining('EFBIG') });
    // No trace of the refused append: the next one follows the first directly.
    expect(readFileSync(path.join(dir, 'db.journal.jsonl'), 'utf8')).toBe(`${'a'.repeat(3000)}\n${'c'.repeat(500)}\n`);
    expect(JSON.parse(readFileSync(path.join(dir, 'db.json'), 'utf8'))).toEqual({ small: true });
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe('fileStorage.log refuses to follow a symlink at its own name', () => {
  it('an append through a planted link fails and the victim is unchanged', async () => {
    const dir = tempDir('megaphone-storage-');
    const victim = path.join(tempDir('megaphone-victim-'), 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, path.join(dir, 'megaphone.db.history.jsonl'));
    const log = fileStorage(path.join(dir, 'megaphone.db.json')).log('history');
    await expect(log.append('{"evil":true}\n')).rejects.toThrow(/ELOOP/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });
});

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A real full disk needs root (mount); elsewhere the size-limit test above covers the partial write.
const mountDir = tempDir('megaphone-tmpfs-');
const canMount = tryMountTmpfs(mountDir, '64k');

describe.runIf(canMount)('fileStorage on a really full disk (64 KB tmpfs)', () => {
  afterAll(() => execFileSync('umount', [mountDir]));

  it('answers 507 for a refused append, leaves no trace of it, and appends again once there is room', async () => {
    const sub = path.join(mountDir, 'data');
    mkdirSync(sub);
    const log = fileStorage(path.join(sub, 'db.json')).log('journal');
    await log.append('first\n');
    const filler = path.join(mountDir, 'filler');
    writeFileSync(filler, Buffer.alloc(40 * 1024));
    const err = (await log.append(`${'x'.repeat(60 * 1024)}\n`).catch((e: unknown) => e)) as StorageError;
    expect(err).toBeInstanceOf(StorageError);
    expect(err.status).toBe(507);
    expect(err.message).toMatch(/cannot append to .*db\.journal\.jsonl: ENOSPC/);
    expect(readFileSync(path.join(sub, 'db.journal.jsonl'), 'utf8')).toBe('first\n');
    execFileSync('rm', [filler]);
    await log.append('second\n');
    await log.close();
    expect(readFileSync(path.join(sub, 'db.journal.jsonl'), 'utf8')).toBe('first\nsecond\n');
    expect(existsSync(path.join(sub, 'db.json'))).toBe(false);
  });
});
