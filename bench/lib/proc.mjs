// Reads a process's CPU time and RSS from /proc (Linux only).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces, inside parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Resident set size in MB. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Share of one core (percent) the process used during `ms`. */
export async function cpuPercentOver(pid, ms) {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const c1 = cpuSeconds(pid);
  const t1 = performance.now();
  return ((c1 - c0) / ((t1 - t0) / 1000)) * 100;
}

/** The machine's 1-minute load average and what else is busy, to say how noisy a run was. */
export function machineLoad() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** The busiest processes right now (ps), to say what else shared the machine during a run. */
export function busiest(n = 5) {
  try {
    const out = execFileSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu'], { encoding: 'utf8' });
    return out
      .trim()
      .split('\n')
      .slice(1, n + 1)
      .map((l) => l.trim().replace(/\s+/, '% '))
      .join(', ');
  } catch {
    return 'ps unavailable';
  }
}
