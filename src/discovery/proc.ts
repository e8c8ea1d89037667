import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** One process as discovery sees it, read from /proc/PID. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Basename of the executable (/proc/PID/exe), else the kernel's `comm`: what ps-list calls `name`. */
  name: string;
  /** The kernel's 15-character command name (/proc/PID/stat). */
  comm: string;
  /** Full command line, arguments joined by spaces ('' for kernel threads). */
  cmd: string;
  /** Effective uid. */
  uid: number;
  /** User name from /etc/passwd, else the uid as text. */
  user: string;
  /** Start time in clock ticks since boot: orders processes oldest first. */
  startTicks: number;
}

/** Where the process table is read from; tests point it at a fake tree. */
export interface ProcSource {
  procRoot: string;
  passwdFile: string;
}

export const REAL_PROC: ProcSource = { procRoot: '/proc', passwdFile: '/etc/passwd' };

// Processes read per synchronous batch (4 small /proc reads each): well under 1 ms between yields.
const BATCH = 8;

/** Parses /proc/PID/stat; comm may hold spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): { comm: string; state: string; ppid: number; startTicks: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0] ?? '';
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return undefined;
  return { comm: text.slice(open + 1, close), state, ppid, startTicks };
}

/** The effective uid from /proc/PID/status ("Uid:\treal\teffective\t..."). */
export function parseStatusUid(text: string): number | undefined {
  const m = /^Uid:\s+\d+\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** uid → user name from a passwd file's text. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}

function readOne(src: ProcSource, pid: number, users: Map<number, string>): ProcessInfo | undefined {
  const dir = path.join(src.procRoot, String(pid));
  try {
    const stat = parseStat(readFileSync(path.join(dir, 'stat'), 'utf8'));
    const uid = parseStatusUid(readFileSync(path.join(dir, 'status'), 'utf8'));
    // Zombies have exited; they are not running services.
    if (!stat || uid === undefined || stat.state === 'Z' || stat.state === 'X') return undefined;
    const cmdline = readFileSync(path.join(dir, 'cmdline'), 'utf8');
    let exe = '';
    try {
      exe = readlinkSync(path.join(dir, 'exe'));
    } catch {
      // Other users' exe links are unreadable unless root: fall back to comm, as ps-list does.
    }
    const exeName = path.basename(exe.replace(/ \(deleted\)$/, ''));
    return {
      pid,
      ppid: stat.ppid,
      name: exeName || stat.comm,
      comm: stat.comm,
      cmd: cmdline.replace(/\0+$/, '').replaceAll('\0', ' '),
      uid,
      user: users.get(uid) ?? String(uid),
      startTicks: stat.startTicks,
    };
  } catch {
    // The process exited while being read.
    return undefined;
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads the process table from /proc in small synchronous batches, yielding to the event loop
 * between them so no batch stalls it for long. The daemon runs this in a worker thread (see
 * reader.ts). Excludes `excludePid` (megaphone itself).
 */
export async function readProcessTable(src: ProcSource = REAL_PROC, excludePid = process.pid): Promise<ProcessInfo[]> {
  const pids = readdirSync(src.procRoot)
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => p !== excludePid);
  let users = new Map<number, string>();
  try {
    users = parsePasswd(readFileSync(src.passwdFile, 'utf8'));
  } catch {
    // No passwd file (minimal containers): users show as uids.
  }
  const out: ProcessInfo[] = [];
  for (let i = 0; i < pids.length; i += BATCH) {
    if (i > 0) await yieldToLoop();
    for (const pid of pids.slice(i, i + BATCH)) {
      const p = readOne(src, pid, users);
      if (p) out.push(p);
    }
  }
  return out;
}
