import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../src/lib/errors.js';
import { fileStorage, lockFileFor } from '../src/storage/file.js';
import { memoryStorage } from '../src/storage/memory.js';
import { tempDir } from './helpers/app.js';

const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
/** Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot. */
const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
};
const lockTarget = (pid: number, start: string, bootId = boot) => `megaphone:${pid}:${start}:${bootId}`;

/** A data file in a fresh folder, and its lock's path. */
function place(): { dir: string; dataFile: string; lock: string } {
  const dir = tempDir('megaphone-lock-');
  const dataFile = path.join(dir, 'megaphone.db.json');
  return { dir, dataFile, lock: lockFileFor(dataFile) };
}

/** A PID that ran and is gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as StorageError,
  );

describe('fileStorage.lock: one megaphone per data file', () => {
  it('is the link megaphone.db.lock naming this process; a second lock is refused, naming file and PID', async () => {
    const { dataFile, lock } = place();
    const held = await fileStorage(dataFile).lock();
    expect(lock).toBe(dataFile.replace(/\.json$/, '.lock'));
    expect(readlinkSync(lock)).toBe(lockTarget(process.pid, startOf(process.pid)));
    const err = await refusal(fileStorage(dataFile).lock());
    expect(err).toBeInstanceOf(StorageError);
    expect(err?.message).toBe(
      `data file ${dataFile} is in use by megaphone PID ${process.pid} (lock ${lock}); refusing to start`,
    );
    await held.release();
    expect(existsSync(lock)).toBe(false);
    await (await fileStorage(dataFile).lock()).release();
  });

  it('names a live holder that is not this process', async () => {
    const { dataFile, lock } = place();
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    const pid = sleeper.pid as number;
    symlinkSync(lockTarget(pid, startOf(pid)), lock);
    expect((await refusal(fileStorage(dataFile).lock()))?.message).toMatch(`in use by megaphone PID ${pid} `);
    expect(readlinkSync(lock)).toBe(lockTarget(pid, startOf(pid)));
  });

  it.each([
    ['a PID that no longer runs (kill -9)', async () => lockTarget(await deadPid(), '12345')],
    ['a reused PID: it runs, but started at another time', async () => lockTarget(process.pid, '1')],
    ['a holder from before a reboot', async () => lockTarget(process.pid, startOf(process.pid), 'another-boot')],
    ['a link that names no process', async () => 'not a holder'],
  ])('is taken over from %s', async (_what, stale) => {
    const { dir, dataFile, lock } = place();
    symlinkSync(await stale(), lock);
    const held = await fileStorage(dataFile).lock();
    expect(readlinkSync(lock)).toBe(lockTarget(process.pid, startOf(process.pid)));
    expect(readdirSync(dir)).toEqual(['megaphone.db.lock']);
    await held.release();
  });

  it('twenty starts racing for one stale lock: exactly one takes it, the others are told who holds it', async () => {
    const { dir, dataFile, lock } = place();
    symlinkSync(lockTarget(await deadPid(), '12345'), lock);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => fileStorage(dataFile).lock()));
    const held = outcomes.filter((o) => o.status === 'fulfilled');
    expect(held).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected')
        expect((o.reason as Error).message).toMatch(`in use by megaphone PID ${process.pid}`);
    // No claim or temp link is left behind.
    expect(readdirSync(dir)).toEqual(['megaphone.db.lock']);
    await held[0]?.value.release();
  });

  it('a claim left by a start killed mid-takeover does not block the next start', async () => {
    const { dir, dataFile, lock } = place();
    const dead = await deadPid();
    symlinkSync(lockTarget(dead, '12345'), lock);
    const hash = createHash('sha256').update(lockTarget(dead, '12345')).digest('hex');
    const claim = `${lock}.takeover-${hash.slice(0, 16)}`;
    symlinkSync(lockTarget(dead + 1_000_000, '1'), claim);
    const held = await fileStorage(dataFile).lock();
    expect(readdirSync(dir)).toEqual(['megaphone.db.lock']);
    await held.release();
  });

  it('a regular file at the lock name is refused, named, and left alone', async () => {
    const { dataFile, lock } = place();
    writeFileSync(lock, 'mine');
    expect((await refusal(fileStorage(dataFile).lock()))?.message).toMatch(
      `lock ${lock} is not a symbolic link naming its holder; refusing to start`,
    );
    expect(readFileSync(lock, 'utf8')).toBe('mine');
  });

  it('release leaves a lock that is no longer this one (it was taken over)', async () => {
    const { dataFile, lock } = place();
    const held = await fileStorage(dataFile).lock();
    rmSync(lock);
    symlinkSync(lockTarget(process.pid, '1'), lock);
    await held.release();
    expect(readlinkSync(lock)).toBe(lockTarget(process.pid, '1'));
  });

  it('a folder that cannot hold it names the path and the cause, as checkWritable does', async () => {
    const dataFile = path.join(tempDir('megaphone-lock-'), 'missing', 'db.json');
    expect((await refusal(fileStorage(dataFile).lock()))?.message).toMatch(
      `data file ${dataFile} cannot be written: its folder ${path.dirname(dataFile)} does not exist (ENOENT)`,
    );
  });

  it('memory storage has nothing to lock', async () => {
    const mem = memoryStorage();
    await (await mem.lock()).release();
    await Promise.all([mem.lock(), mem.lock()]);
  });
});
