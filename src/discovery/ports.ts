import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

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

/** Matches the process's socket fds (/proc/PID/fd → "socket:[inode]") against the listening sockets. */
export function portsOf(pid: number, listening: Map<string, number>, procRoot = '/proc'): PortsResult {
  const fdDir = path.join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { error: `cannot read ${fdDir} (${code})` };
  }
  const ports = new Set<number>();
  for (const fd of fds) {
    let link = '';
    try {
      link = readlinkSync(path.join(fdDir, fd));
    } catch {
      // The fd closed while being read.
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    const port = m ? listening.get(m[1]!) : undefined;
    if (port !== undefined) ports.add(port);
  }
  return { ports: [...ports].sort((a, b) => a - b) };
}
