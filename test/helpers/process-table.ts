import type { ProcessInfo } from '../../src/discovery/proc.js';
import type { ProcReader } from '../../src/discovery/reader.js';

/** A process as discovery reads it: `app --serve`, run by root, started at tick `pid`. */
export const processInfo = (pid: number, over: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  ppid: 1,
  name: 'app',
  comm: 'app',
  cmd: 'app --serve',
  uid: 0,
  user: 'root',
  startTicks: pid,
  ...over,
});

/** A process table the test sets, with no listening ports. */
export function tableReader(initial: ProcessInfo[] = []): ProcReader & { set(table: ProcessInfo[]): void } {
  let table = initial;
  return { set: (t) => (table = t), table: async () => table, ports: async () => new Map() };
}
