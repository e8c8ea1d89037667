import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { socketInodesFromFdinfo } from './fdinfo.js';

// TCP state 0A is LISTEN in /proc/net/tcp (include/net/tcp_states.h).
const LISTEN = '0A';

/** Socket inode → listening TCP port, from /proc/net/tcp{,6} text. */
export function parseListening(text: string, into = new Map<string, number>()): Map<string, number> {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== LISTEN) continue;
    const local = f[1]!;
    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const inode = f[9]!;
    if (Number.isInteger(port) && inode !== '0') into.set(inode, port);
  }
  return into;
}

/** Every listening TCP socket on the host (this network namespace): inode → port. */
export function readListeningSockets(procRoot = '/proc'): Map<string, number> {
  const sockets = new Map<string, number>();
  for (const file of ['net/tcp', 'net/tcp6']) {
    try {
      parseListening(readFileSync(path.join(procRoot, file), 'utf8'), sockets);
    } catch {
      // tcp6 is absent when IPv6 is disabled.
    }
  }
  return sockets;
}

/** The ports a process listens on (sorted, unique), or why they could not be read. */
export type PortsResult = { ports: number[] } | { error: string };

/** What reading another user's process takes: the sockfs mount id for fdinfo, and what to say when denied. */
export interface DeniedAccess {
  socketMountId: string | undefined;
  hint: string;
}

const isDenied = (code: string) => code === 'EACCES' || code === 'EPERM';

/** The socket inodes of the fds in `fdDir` (its "socket:[inode]" links), or the errno that stopped the reading. */
function socketInodesFromLinks(fdDir: string): string[] | { code: string } {
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
  const inodes: string[] = [];
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(path.join(fdDir, fd));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      // ENOENT: the fd closed while being read. EACCES: the folder was listed, its links are not ours to read.
      if (code === 'ENOENT') continue;
      return { code };
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.push(m[1]!);
  }
  return inodes;
}

/**
 * Matches the process's sockets against the listening sockets: from its fd links (/proc/PID/fd),
 * else, when those are denied, from /proc/PID/fdinfo (which CAP_SYS_PTRACE alone opens).
 */
export function portsOf(
  pid: number,
  listening: Map<string, number>,
  procRoot = '/proc',
  access?: DeniedAccess,
): PortsResult {
  const fdDir = path.join(procRoot, String(pid), 'fd');
  let inodes = socketInodesFromLinks(fdDir);
  if (!Array.isArray(inodes) && isDenied(inodes.code) && access?.socketMountId !== undefined) {
    const fromInfo = socketInodesFromFdinfo(pid, procRoot, access.socketMountId);
    if (Array.isArray(fromInfo)) inodes = fromInfo;
  }
  if (!Array.isArray(inodes)) {
    const why = isDenied(inodes.code) && access ? `: ${access.hint}` : '';
    return { error: `cannot read ${fdDir} (${inodes.code})${why}` };
  }
  const ports = new Set<number>();
  for (const inode of inodes) {
    const port = listening.get(inode);
    if (port !== undefined) ports.add(port);
  }
  return { ports: [...ports].sort((a, b) => a - b) };
}
