import { createHash } from 'node:crypto';
import { readFile, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from '../lib/errors.js';
import { tempNameFor } from './atomic-write.js';
import { errnoCode } from './storage-error.js';
import type { StorageLock } from './types.js';

/** A process, told apart from a later one with the same PID by its start time and by the boot it runs in. */
interface Holder {
  pid: number;
  /** Field 22 of /proc/PID/stat (clock ticks after boot); '' without /proc. */
  start: string;
  /** /proc/sys/kernel/random/boot_id; '' without /proc. */
  boot: string;
}

/** Starts that keep losing a takeover race give up after this many rounds. */
const ATTEMPTS = 10;

/** What a lock's symlink points at: `megaphone:PID:START:BOOT` (`ls -l` shows who holds it). */
const format = (h: Holder) => `megaphone:${h.pid}:${h.start}:${h.boot}`;

function parse(target: string | undefined): Holder | undefined {
  const m = /^megaphone:([1-9]\d*):(\d*):([0-9a-f-]*)$/.exec(target ?? '');
  return m ? { pid: Number(m[1]), start: m[2] as string, boot: m[3] as string } : undefined;
}

/** The start time of `pid` from /proc: null when no such process runs, undefined when /proc cannot tell. */
async function startOf(pid: number): Promise<string | null | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ESRCH') return undefined;
    const hasProc = await readFile('/proc/self/stat').then(
      () => true,
      () => false,
    );
    return hasProc ? null : undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count the fields after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

async function self(): Promise<Holder> {
  const boot = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '');
  return { pid: process.pid, start: (await startOf(process.pid)) ?? '', boot: boot.trim() };
}

/** Whether `h` still runs: same PID, same start time (a reused PID is another process), same boot. */
async function alive(h: Holder, me: Holder): Promise<boolean> {
  if (h.boot !== '' && me.boot !== '' && h.boot !== me.boot) return false;
  if (me.start === '') {
    // No /proc: whether the PID exists is all there is to know.
    try {
      process.kill(h.pid, 0);
      return true;
    } catch (err) {
      return errnoCode(err) === 'EPERM';
    }
  }
  const start = await startOf(h.pid);
  // What cannot be told dead (its /proc entry unreadable) is taken as alive: refusing beats two writers.
  if (start === undefined) return true;
  return start !== null && (h.start === '' || start === h.start);
}

/** The target of the symlink at `file`; undefined when there is none. */
async function targetOf(file: string): Promise<string | undefined> {
  try {
    return await readlink(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    if (errnoCode(err) === 'EINVAL')
      throw new StorageError(
        `lock ${file} is not a symbolic link naming its holder; refusing to start ` +
          '(move it aside if no megaphone uses this data file)',
        503,
        'EINVAL',
      );
    throw err;
  }
}

// Two starts that both found `stale` may race to replace it: only the one that creates the claim does.
async function takeOver(file: string, stale: string, me: Holder): Promise<boolean> {
  const claim = `${file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  try {
    await symlink(format(me), claim);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    // A claim left by a start killed mid-takeover would block every start after it.
    const claimer = parse(await targetOf(claim));
    if (!claimer || !(await alive(claimer, me))) await unlink(claim).catch(() => undefined);
    return false;
  }
  try {
    if ((await targetOf(file)) !== stale) return false;
    const tmp = tempNameFor(file);
    await symlink(format(me), tmp);
    // rename replaces the stale link at once: the lock's name is never free for a third start.
    await rename(tmp, file).catch(async (err: unknown) => {
      await unlink(tmp).catch(() => undefined);
      throw err;
    });
    return true;
  } finally {
    await unlink(claim).catch(() => undefined);
  }
}

/**
 * Takes the lock at `file` for this process. The lock is a symbolic link created exclusively, whose
 * target names the holder (PID, start time, boot): written whole in one call, it needs no disk
 * block, and `kill -9` cannot leave a lock that blocks the next start, since a holder that no
 * longer runs is taken over. When a live process holds it, throws `busy(itsPid)`.
 */
export async function acquireLock(file: string, busy: (pid: number) => StorageError): Promise<StorageLock> {
  const me = await self();
  const mine = format(me);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      await symlink(mine, file);
      return heldAt(file, mine);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const target = await targetOf(file);
    // Released meanwhile: try again.
    if (target === undefined) continue;
    const holder = parse(target);
    if (holder && (await alive(holder, me))) throw busy(holder.pid);
    if (await takeOver(file, target, me)) return heldAt(file, mine);
    await sleep(5 * (attempt + 1));
  }
  throw new StorageError(`cannot take the lock ${file}: other starts keep taking it; refusing to start`);
}

function heldAt(file: string, mine: string): StorageLock {
  return {
    async release() {
      // Only our own: after a takeover (we were thought dead) the lock is someone else's.
      if ((await targetOf(file).catch(() => undefined)) === mine) await unlink(file);
    },
  };
}
