import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

// Another user's /proc/PID/fd is mode 0500 (listing it needs CAP_DAC_READ_SEARCH) and each link there
// needs ptrace read access (CAP_SYS_PTRACE). /proc/PID/fdinfo is 0555 and each entry needs only the
// ptrace access: with CAP_SYS_PTRACE alone, a process's sockets are read from there.

/** `mnt_id` and `ino` of one /proc/PID/fdinfo/N text. */
export function parseFdinfo(text: string): { mountId: string; inode: string } | undefined {
  const mountId = /^mnt_id:\s*(\d+)$/m.exec(text)?.[1];
  const inode = /^ino:\s*(\d+)$/m.exec(text)?.[1];
  return mountId && inode ? { mountId, inode } : undefined;
}

function ownSocketMountId(procRoot: string): string | undefined {
  const self = path.join(procRoot, 'self');
  try {
    for (const fd of readdirSync(path.join(self, 'fd'))) {
      let link = '';
      try {
        link = readlinkSync(path.join(self, 'fd', fd));
      } catch {
        continue;
      }
      if (!link.startsWith('socket:[')) continue;
      const info = parseFdinfo(readFileSync(path.join(self, 'fdinfo', fd), 'utf8'));
      if (info) return info.mountId;
    }
  } catch {
    // No /proc/self (a fake tree in tests): no fdinfo fallback.
  }
  return undefined;
}

/**
 * The mount id of sockfs, where every socket's inode lives: an fdinfo inode is a socket's only with
 * this `mnt_id` (a file elsewhere may have the same inode number). Read from one of megaphone's
 * own sockets; with none open, a UDP socket on 127.0.0.1 is opened for the moment.
 */
export async function socketMountId(procRoot = '/proc'): Promise<string | undefined> {
  const own = ownSocketMountId(procRoot);
  if (own !== undefined || procRoot !== '/proc') return own;
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', resolve);
    });
    return ownSocketMountId(procRoot);
  } catch {
    return undefined;
  } finally {
    socket.close();
  }
}

/** The socket inodes a process holds, from /proc/PID/fdinfo, or the errno that kept them from being read. */
export function socketInodesFromFdinfo(pid: number, procRoot: string, mountId: string): string[] | { code: string } {
  const dir = path.join(procRoot, String(pid), 'fdinfo');
  const inodes: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
  for (const fd of entries) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, fd), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      // ENOENT: the fd closed while being read.
      if (code === 'ENOENT') continue;
      return { code };
    }
    const info = parseFdinfo(text);
    if (info?.mountId === mountId) inodes.push(info.inode);
  }
  return inodes;
}
